import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TrainModelOptions, TrainOutcome } from '../core/neural/trainModel';
import { DEFAULT_NEURAL_CONFIG } from '../core/neural/types';
import { demoDataset } from '../testing/demo';
import { nextBackend, type DeviceWatch, type TrainingBackend } from './neuralBackend';
import { trainInWorker } from './trainClient';
import { createTrainHandler, isDeviceLostError, runTrainJob } from './trainJobs';
import type { TrainJob, TrainProgress, TrainRequest, TrainResponse } from './trainProtocol';

/**
 * Training that survives its backend: a GPU device lost mid-run (runTrainJob moves to the next
 * backend) and a training worker that dies mid-run (trainInWorker sends the job once more, to
 * a fresh worker, on the CPU). The browser test e2e/deviceLost.spec.ts loses a real device.
 */

const job: TrainJob = {
  dataset: demoDataset(3).ds,
  dataLabel: 'demo',
  label: 'x',
  config: { ...DEFAULT_NEURAL_CONFIG, maxEpochs: 5 },
  features: {},
  backend: 'auto',
  testFraction: 0.2,
  splitSeed: 1,
};

const chosen =
  (name: TrainingBackend, reason = '') =>
  async () => ({ name, reason });

/** A device that is lost when `lose` is called, as GPUDevice.lost resolves. */
function losableDevice(): { watch: DeviceWatch; lose(reason: string): void } {
  let reason: string | null = null;
  let resolve: (r: string) => void = () => {};
  const lost = new Promise<string>((r) => (resolve = r));
  return {
    watch: { lostReason: () => reason, lost },
    lose: (r) => {
      reason = r;
      resolve(r);
    },
  };
}

/** A backend whose device is never lost. */
const unwatched: DeviceWatch = { lostReason: () => null, lost: new Promise(() => {}) };

const epoch = (n: number) => ({ epoch: n, trainLoss: 1 / n, valLoss: 2 / n, bestEpoch: n });

/**
 * A stand-in trainer: reports `epochs` epochs on each backend and answers with a record of
 * it, except where `fail` says otherwise (called after epoch `at` on that backend).
 */
function trainer(
  fail: Partial<Record<string, { at: number; run: (opts: TrainModelOptions) => Promise<void> }>>,
  attempts: TrainModelOptions[],
  epochs = 3,
) {
  return async (_ds: unknown, _job: unknown, opts: TrainModelOptions): Promise<TrainOutcome> => {
    attempts.push(opts);
    const report = (phase: TrainProgress['phase'], e: ReturnType<typeof epoch>) =>
      opts.onProgress?.({
        phase,
        backend: opts.backend,
        backendReason: opts.backendReason ?? '',
        maxEpochs: epochs,
        ...e,
      });
    report('starting', { epoch: 0, trainLoss: NaN, valLoss: NaN, bestEpoch: 0 });
    const history = [];
    for (let e = 1; e <= epochs; e++) {
      const failing = fail[opts.backend];
      if (failing && failing.at === e - 1) await failing.run(opts);
      if (opts.shouldStop?.()) break;
      history.push(epoch(e));
      report('training', epoch(e));
    }
    report('scoring', history[history.length - 1]);
    return {
      record: { training: { backend: opts.backend, history } },
      stoppedEarly: false,
    } as unknown as TrainOutcome;
  };
}

describe('runTrainJob when the GPU device is lost', () => {
  it('finishes on the next backend, says why, and keeps the epochs trained before the loss', async () => {
    const device = losableDevice();
    const attempts: TrainModelOptions[] = [];
    const seen: TrainProgress[] = [];
    const fallbacks: TrainingBackend[] = [];
    const out = await runTrainJob(
      job,
      (p) => seen.push(p),
      () => false,
      chosen('webgpu'),
      async (_j, failed) => {
        fallbacks.push(failed);
        return { name: 'webgl', reason: '' };
      },
      trainer(
        {
          // After two epochs the device goes, and tfjs's next read rejects.
          webgpu: {
            at: 2,
            run: async () => {
              device.lose('destroyed: Device was destroyed.');
              await Promise.resolve();
              throw new DOMException('Failed to execute mapAsync: Device is lost', 'AbortError');
            },
          },
        },
        attempts,
      ),
      undefined,
      (b) =>
        b === 'webgpu' ? device.watch : { lostReason: () => null, lost: new Promise(() => {}) },
    );
    expect(attempts.map((a) => a.backend)).toEqual(['webgpu', 'webgl']);
    expect(fallbacks).toEqual(['webgpu']);
    expect(out.record.training.backend).toBe('webgl');
    const reason =
      'The GPU device was lost at epoch 3 (destroyed: Device was destroyed.); training continued on the WebGL backend, from epoch 1 (2 epochs had been trained on WebGPU).';
    expect(attempts[1].backendReason).toBe(reason);
    expect(out.failures).toEqual([
      {
        backend: 'webgpu',
        deviceLost: true,
        cause: 'destroyed: Device was destroyed.',
        history: [epoch(1), epoch(2)],
      },
    ]);
    // The caller saw the lost run's epochs, then a fresh start that says why.
    const restart = seen.findIndex((p) => p.backend === 'webgl');
    expect(
      seen
        .slice(0, restart)
        .filter((p) => p.phase === 'training')
        .map((p) => p.epoch),
    ).toEqual([1, 2]);
    expect(seen[restart]).toMatchObject({ phase: 'starting', backendReason: reason });
    expect(seen.filter((p) => p.phase === 'training').at(-1)).toMatchObject({
      backend: 'webgl',
      epoch: 3,
    });
  });

  it('stops a run whose device was lost without an error, and does not keep its model', async () => {
    // The run's reads keep resolving (no error): the lost device is seen by the watch alone.
    const device = losableDevice();
    const attempts: TrainModelOptions[] = [];
    const out = await runTrainJob(
      job,
      () => {},
      () => false,
      chosen('webgpu'),
      chosen('cpu'),
      trainer(
        {
          webgpu: {
            at: 1,
            run: async () => {
              device.lose('unknown: GPU process crashed');
              await new Promise((r) => setTimeout(r, 0));
            },
          },
        },
        attempts,
      ),
      undefined,
      (b) => (b === 'webgpu' ? device.watch : unwatched),
    );
    expect(attempts.map((a) => a.backend)).toEqual(['webgpu', 'cpu']);
    // The lost run stopped at the next epoch boundary instead of training on.
    expect(out.failures[0].history).toEqual([epoch(1)]);
    expect(out.record.training.backend).toBe('cpu');
    expect(attempts[1].backendReason).toMatch(
      /^The GPU device was lost at epoch 2 \(unknown: GPU process crashed\); training continued on the CPU backend/,
    );
  });

  it('goes on down the order (WebGL, then the CPU) and gives up only after the CPU', async () => {
    const attempts: TrainModelOptions[] = [];
    const lostError = async () => {
      throw new Error('WebGL context lost');
    };
    const out = await runTrainJob(
      job,
      () => {},
      () => false,
      chosen('webgpu'),
      async (_j, failed) => ({ name: nextBackend(failed), reason: '' }),
      trainer({ webgpu: { at: 0, run: lostError }, webgl: { at: 1, run: lostError } }, attempts),
      undefined,
      () => unwatched,
    );
    expect(attempts.map((a) => a.backend)).toEqual(['webgpu', 'webgl', 'cpu']);
    expect(out.record.training.backend).toBe('cpu');
    expect(out.failures.map((f) => [f.backend, f.history.length])).toEqual([
      ['webgpu', 0],
      ['webgl', 1],
    ]);
    expect(attempts[2].backendReason).toMatch(
      /^The GPU device was lost at epoch 2 \(WebGL context lost\); training continued on the CPU backend, from epoch 1 \(1 epoch had been trained on WebGL\)\.$/,
    );
    const failing = runTrainJob(
      job,
      () => {},
      () => false,
      chosen('cpu'),
      undefined,
      trainer({ cpu: { at: 1, run: lostError } }, []),
      undefined,
      () => unwatched,
    );
    await expect(failing).rejects.toThrow(/context lost/);
  });

  it('recognises the errors of a lost device, and only those', () => {
    expect(isDeviceLostError(new Error('Device is lost'))).toBe(true);
    expect(isDeviceLostError(new DOMException('mapAsync: the device was destroyed'))).toBe(true);
    expect(isDeviceLostError(new Error('WebGL context lost'))).toBe(true);
    expect(isDeviceLostError(new Error('createBuffer failed: out of memory'))).toBe(false);
    expect(isDeviceLostError(new Error('The QNN forward kernel did not compile'))).toBe(false);
  });
});

/**
 * A module worker stand-in whose first instance dies (an `error` event, as an uncaught error
 * or a worker ended for memory gives) after its first progress message; later instances
 * answer. Every request it was sent is recorded.
 */
class CrashingWorker {
  static made: CrashingWorker[] = [];
  static requests: TrainRequest[] = [];
  onmessage: ((event: MessageEvent<TrainResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  private readonly first = CrashingWorker.made.length === 0;
  constructor() {
    CrashingWorker.made.push(this);
  }
  postMessage(request: TrainRequest): void {
    CrashingWorker.requests.push(request);
    if (request.type !== 'train') return;
    const send = (message: TrainResponse) =>
      setTimeout(() => {
        if (!this.terminated) this.onmessage?.({ data: message } as MessageEvent<TrainResponse>);
      }, 0);
    const progress = (e: number): TrainResponse => ({
      type: 'progress',
      id: request.id,
      progress: {
        phase: 'training',
        backend: request.backend === 'cpu' ? 'cpu' : 'webgpu',
        backendReason: request.retryReason ?? '',
        maxEpochs: 5,
        ...epoch(e),
      },
    });
    if (this.first) {
      send(progress(1));
      setTimeout(() => {
        const event = {
          message: 'Uncaught RangeError: Array buffer allocation failed',
          preventDefault() {},
        };
        this.onerror?.(event as ErrorEvent);
      }, 5);
      return;
    }
    // A fresh worker runs the real training job (tfjs on the CPU here).
    const handle = createTrainHandler((message) => send(structuredClone(message)));
    void handle(structuredClone(request));
  }
  terminate(): void {
    this.terminated = true;
  }
}

/** Small and quick, for the job the fresh worker really trains. */
const smallJob: TrainJob = {
  ...job,
  config: {
    ...DEFAULT_NEURAL_CONFIG,
    hidden: 8,
    blocks: 1,
    dropout: 0,
    batchSize: 128,
    maxEpochs: 2,
  },
};

describe('trainInWorker when its worker dies', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    CrashingWorker.made = [];
    CrashingWorker.requests = [];
  });

  it('sends the job once more to a fresh worker, on the CPU, and records the crash', async () => {
    vi.stubGlobal('Worker', CrashingWorker);
    const seen: TrainProgress[] = [];
    const out = await trainInWorker(smallJob, { onProgress: (p) => seen.push(p) }).result;
    expect(CrashingWorker.made).toHaveLength(2);
    expect(CrashingWorker.made.every((w) => w.terminated)).toBe(true);
    const [first, second] = CrashingWorker.requests;
    expect(first).toMatchObject({ type: 'train', backend: 'auto' });
    expect(first).not.toHaveProperty('retryReason');
    const crash =
      'The training stopped unexpectedly (Uncaught RangeError: Array buffer allocation failed)';
    expect(second).toMatchObject({
      type: 'train',
      backend: 'cpu',
    });
    expect(second).toHaveProperty('retryReason', expect.stringMatching(/^The training stopped/));
    const retryReason = `${crash} on WebGPU; training again on the CPU in a fresh worker, from epoch 1.`;
    expect(out.record.training).toMatchObject({ backend: 'cpu', epochs: 2 });
    expect(out.failures).toEqual([
      { backend: 'worker', deviceLost: false, cause: crash, history: [epoch(1)] },
    ]);
    // The first worker's epoch, then the fresh worker's whole run, which says why it runs.
    expect(seen[0]).toMatchObject({ backend: 'webgpu', epoch: 1 });
    expect(seen[1]).toMatchObject({
      phase: 'starting',
      backend: 'cpu',
      backendReason: retryReason,
    });
    expect(seen.slice(1).every((p) => p.backend === 'cpu' && p.backendReason === retryReason)).toBe(
      true,
    );
    expect(seen.at(-1)?.phase).toBe('scoring');
  });

  it('reports a second death instead of trying again', async () => {
    class AlwaysCrashing extends CrashingWorker {
      constructor() {
        super();
        CrashingWorker.made.length = 0;
      }
    }
    vi.stubGlobal('Worker', AlwaysCrashing);
    await expect(trainInWorker(job).result).rejects.toThrow(
      /^The training stopped unexpectedly \(Uncaught RangeError: Array buffer allocation failed\)\.$/,
    );
    expect(CrashingWorker.requests.filter((r) => r.type === 'train')).toHaveLength(2);
  });
});
