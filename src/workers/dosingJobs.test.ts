import { describe, expect, it } from 'vitest';
import { TRUE_MODEL } from '../core/trial/trueModel';
import { runAttainmentJob } from './dosingJobs';

const population = {
  size: 300,
  seed: 2,
  covariates: { BW: { type: 'uniform', min: 50, max: 100 }, COMED: { type: 'bernoulli', p: 0.5 } },
} as const;
const question = {
  interval: 24,
  step: 0.5,
  target: 0.9,
  threshold: { value: 3.3, direction: 'below' },
} as const;
const noop = () => {};
const never = () => false;

describe('dosing jobs: where the search runs', () => {
  it('says it ran on the CPU, and why', async () => {
    const cpu = await runAttainmentJob(TRUE_MODEL, population, question, noop, never, {
      compute: 'cpu',
    });
    expect(cpu.compute).toEqual({
      backend: 'cpu',
      note: 'Computed on the CPU: the CPU was chosen.',
    });
    // Node has no WebGPU: asking for it falls back with the reason, same answer.
    const gpu = await runAttainmentJob(TRUE_MODEL, population, question, noop, never, {
      compute: 'webgpu',
    });
    expect(gpu.compute?.note).toBe('Computed on the CPU: this browser does not offer WebGPU.');
    expect(gpu.dose).toBe(cpu.dose);
    expect(Array.from(gpu.counts)).toEqual(Array.from(cpu.counts));
  });

  it('gives a parameter-uncertainty band from draws', async () => {
    const draws = {
      method: 'test',
      draws: [0.7, 1, 1.4].map((IC50) => ({
        theta: { ...TRUE_MODEL.theta, IC50 } as Record<string, number>,
        covariates: TRUE_MODEL.covariateEffects.map((e) =>
          e.kind === 'power' ? e.exponent : e.theta,
        ),
        omega: TRUE_MODEL.randomEffects.map((r) => r.omega),
      })),
    };
    const r = await runAttainmentJob(TRUE_MODEL, population, question, noop, never, {
      uncertainty: { draws, replicates: 6 },
    });
    expect(r.band).toMatch(/6 replicate populations/);
    expect(r.compute?.backend).toBe('cpu');
    await expect(
      runAttainmentJob(TRUE_MODEL, population, { ...question, step: -1 }, noop, never),
    ).rejects.toThrow(/Dose step/);
  });
});
