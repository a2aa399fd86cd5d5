import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_NEURAL_CONFIG, type NeuralConfig } from '../core/neural/types';
import { demoDataset } from '../testing/demo';
import { isTrainCancelled, trainInWorker, type TrainJob, type TrainProgress } from './trainClient';
import { createTrainHandler } from './trainJobs';
import type { TrainRequest, TrainResponse } from './trainProtocol';

const dataset = demoDataset(11).ds;

/** Small and quick: a narrow network, a few epochs. */
const SMALL: NeuralConfig = {
  ...DEFAULT_NEURAL_CONFIG,
  hidden: 8,
  blocks: 1,
  dropout: 0,
  batchSize: 128,
  maxEpochs: 3,
  patience: 50,
};

const job: TrainJob = {
  dataset,
  dataLabel: 'demo-11',
  label: 'small',
  config: SMALL,
  features: {},
  backend: 'auto',
  testFraction: 0.2,
  splitSeed: 1,
};

/** Long enough that it only ends by being stopped or cancelled. */
const longJob: TrainJob = { ...job, config: { ...SMALL, maxEpochs: 500 } };

/**
 * A stand-in for a module worker: it runs the real handler, and every message crosses by
 * structured cloning, one macrotask later, as between threads. It cannot kill its "thread",
 * so terminate() asks the job it runs to stop and drops everything it says afterwards.
 */
class FakeWorker {
  static last: FakeWorker | null = null;
  onmessage: ((event: MessageEvent<TrainResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  readonly received: TrainRequest['type'][] = [];
  private readonly ids = new Set<number>();
  private readonly handle = createTrainHandler((message) => {
    const copy = structuredClone(message);
    setTimeout(() => {
      if (!this.terminated) this.onmessage?.({ data: copy } as MessageEvent<TrainResponse>);
    }, 0);
  });
  constructor() {
    FakeWorker.last = this;
  }
  postMessage(request: TrainRequest): void {
    const copy = structuredClone(request);
    this.received.push(copy.type);
    this.ids.add(copy.id);
    setTimeout(() => {
      if (!this.terminated) void this.handle(copy);
    }, 0);
  }
  terminate(): void {
    this.terminated = true;
    for (const id of this.ids) void this.handle({ type: 'stop', id });
  }
}

/** The rejection of a promise (null when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

describe('trainInWorker without Worker (the main-thread fallback, on the CPU)', () => {
  it('streams progress and resolves with the trained model', async () => {
    expect(typeof Worker).toBe('undefined');
    const seen: TrainProgress[] = [];
    const { result } = trainInWorker(job, { onProgress: (p) => seen.push(p) });
    const outcome = await result;
    expect(outcome.record.training).toMatchObject({ backend: 'cpu', epochs: 3 });
    expect(outcome.record.id).toMatch(/^neural-/);
    expect(outcome.stoppedEarly).toBe(false);
    expect(outcome.tensors.after).toBe(outcome.tensors.before);
    expect(seen[0].phase).toBe('starting');
    expect(seen.at(-1)?.phase).toBe('scoring');
    expect(seen[0].backendReason).toMatch(/in this page on the CPU/);
    // The last epoch always arrives, however the progress was thinned.
    expect(seen.filter((p) => p.phase === 'training').at(-1)?.epoch).toBe(3);
  });

  it('stop() ends training with what it has', async () => {
    const handle = trainInWorker(longJob);
    handle.stop();
    const outcome = await handle.result;
    expect(outcome.stoppedEarly).toBe(true);
    expect(outcome.record.training.epochs).toBe(1);
  });

  it('rejects with an AbortError when aborted, and at once when aborted before it starts', async () => {
    const controller = new AbortController();
    const { result } = trainInWorker(longJob, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'training') controller.abort();
      },
    });
    const err = await rejection(result);
    expect(isTrainCancelled(err)).toBe(true);
    expect((err as Error).name).toBe('AbortError');
    await expect(trainInWorker(job, { signal: controller.signal }).result).rejects.toThrow(
      /cancelled/,
    );
  });

  it("passes the core's errors on in plain words", async () => {
    const two = { ...dataset, subjects: dataset.subjects.slice(0, 2) };
    await expect(trainInWorker({ ...job, dataset: two }).result).rejects.toThrow(
      /at least 3 subjects/,
    );
  });
});

describe('trainInWorker through a worker', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('posts progress and the model across structured cloning, saying which backend ran', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const seen: TrainProgress[] = [];
    const outcome = await trainInWorker(job, { onProgress: (p) => seen.push(p) }).result;
    expect(FakeWorker.last?.terminated).toBe(true);
    expect(outcome.record.weights[0].values).toBeInstanceOf(Float32Array);
    expect(outcome.record.training.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(seen[0]).toMatchObject({
      phase: 'starting',
      backend: 'cpu',
      backendReason: 'WebGPU and WebGL are not available in this browser; training on the CPU.',
    });
    const epochs = seen.filter((p) => p.phase === 'training').map((p) => p.epoch);
    expect(epochs.at(-1)).toBe(3);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    // The same seeds give the same model in a worker or not.
    vi.unstubAllGlobals();
    const direct = await trainInWorker(job).result;
    expect(direct.record.training.pkRmse).toBe(outcome.record.training.pkRmse);
    expect(direct.heldOut).toEqual(outcome.heldOut);
  });

  it('stop() posts a stop message and the worker answers with the best epoch so far', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const handle = trainInWorker(longJob, {
      onProgress: (p) => {
        if (p.phase === 'training') handle.stop();
      },
    });
    const outcome = await handle.result;
    expect(FakeWorker.last?.received).toEqual(['train', 'stop']);
    expect(outcome.stoppedEarly).toBe(true);
    const t = outcome.record.training;
    expect(t.epochs).toBeLessThan(500);
    expect(t.bestEpoch).toBeGreaterThanOrEqual(1);
    expect(t.bestEpoch).toBeLessThanOrEqual(t.epochs);
  });

  it('aborting ends the worker and rejects with an AbortError', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const controller = new AbortController();
    const { result } = trainInWorker(longJob, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const err = await rejection(result);
    expect(isTrainCancelled(err)).toBe(true);
    expect(FakeWorker.last?.terminated).toBe(true);
  });

  it('passes errors on from the worker', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const bad = { ...job, config: { ...SMALL, hidden: 0 } };
    await expect(trainInWorker(bad).result).rejects.toThrow(/hidden must be ≥ 1/);
  });
});
