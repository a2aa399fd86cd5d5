import { describe, expect, it } from 'vitest';
import type { TrainOutcome, TrainModelOptions } from '../core/neural/trainModel';
import { DEFAULT_NEURAL_CONFIG } from '../core/neural/types';
import { demoDataset } from '../testing/demo';
import { runTrainJob } from './trainJobs';
import type { TrainJob } from './trainProtocol';

const job: TrainJob = {
  dataset: demoDataset(3).ds,
  dataLabel: 'demo',
  label: 'x',
  config: DEFAULT_NEURAL_CONFIG,
  features: {},
  backend: 'auto',
  testFraction: 0.2,
  splitSeed: 1,
};

/** A stand-in trainer that fails on every backend in `failing` and records each attempt. */
function trainer(failing: readonly string[], attempts: TrainModelOptions[]) {
  return async (_ds: unknown, _job: unknown, opts: TrainModelOptions): Promise<TrainOutcome> => {
    attempts.push(opts);
    if (failing.includes(opts.backend)) throw new Error(`createBuffer failed on ${opts.backend}`);
    return { backend: opts.backend } as unknown as TrainOutcome;
  };
}

const gpu = async () => ({ name: 'webgpu' as const, reason: '' });
const cpu = async () => ({ name: 'cpu' as const, reason: 'chosen' });

describe('runTrainJob', () => {
  it('trains again on the CPU when the GPU backend fails during training, and says why', async () => {
    const attempts: TrainModelOptions[] = [];
    const out = await runTrainJob(
      job,
      () => {},
      () => false,
      gpu,
      cpu,
      trainer(['webgpu'], attempts),
    );
    expect(attempts.map((a) => a.backend)).toEqual(['webgpu', 'cpu']);
    expect(attempts[1].backendReason).toMatch(
      /^WebGPU failed during training \(createBuffer failed on webgpu\); trained again on the CPU\.$/,
    );
    expect((out as unknown as { backend: string }).backend).toBe('cpu');
  });

  it('does not retry a run that fails on the CPU, nor one that was stopped', async () => {
    const attempts: TrainModelOptions[] = [];
    await expect(
      runTrainJob(
        job,
        () => {},
        () => false,
        cpu,
        cpu,
        trainer(['cpu'], attempts),
      ),
    ).rejects.toThrow(/createBuffer failed on cpu/);
    expect(attempts).toHaveLength(1);
    const stopped: TrainModelOptions[] = [];
    await expect(
      runTrainJob(
        job,
        () => {},
        () => true,
        gpu,
        cpu,
        trainer(['webgpu'], stopped),
      ),
    ).rejects.toThrow(/webgpu/);
    expect(stopped).toHaveLength(1);
  });

  it('readies each backend before training; a backend that cannot be readied falls back to the CPU', async () => {
    const attempts: TrainModelOptions[] = [];
    const prepared: string[] = [];
    const out = await runTrainJob(
      job,
      () => {},
      () => false,
      gpu,
      cpu,
      trainer([], attempts),
      async (backend) => {
        prepared.push(backend);
        if (backend === 'webgpu') throw new Error('The QNN forward kernel did not compile');
      },
    );
    expect(prepared).toEqual(['webgpu', 'cpu']);
    expect(attempts.map((a) => a.backend)).toEqual(['cpu']);
    expect(attempts[0].backendReason).toMatch(/WebGPU failed during training \(The QNN forward/);
    expect((out as unknown as { backend: string }).backend).toBe('cpu');
  });
});
