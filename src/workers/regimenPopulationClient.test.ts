import { describe, expect, it } from 'vitest';
import { attainmentAt, type AttainmentQuestion } from '../core/dosing/attainment';
import type { VirtualPopulationSpec } from '../core/dosing/virtualPopulation';
import type { PopulationModel } from '../core/pkpd/population';
import { TRUE_MODEL } from '../core/trial/trueModel';
import {
  attainmentInWorker,
  bandsInWorker,
  isPopulationJobCancelled,
  type PopulationProgress,
} from './regimenPopulationClient';

const population: VirtualPopulationSpec = {
  size: 60,
  seed: 5,
  covariates: {
    BW: { type: 'uniform', min: 50, max: 100 },
    COMED: { type: 'bernoulli', p: 0.5 },
  },
};
const regimen = { dose: 3, interval: 24, doses: 10, loadingDose: 0, cmt: 1 };
const question: AttainmentQuestion = {
  interval: 24,
  step: 0.5,
  maxDose: 100,
  target: 0.9,
  threshold: { value: 3.3, direction: 'below' },
};

describe('regimen population jobs without Worker (the main-thread fallback)', () => {
  it('returns bands over the whole regimen that survive structured cloning', async () => {
    expect(typeof Worker).toBe('undefined');
    const seen: PopulationProgress[] = [];
    const bands = await bandsInWorker(TRUE_MODEL, population, regimen, 120, {
      onProgress: (p) => seen.push(p),
    });
    expect(bands.subjects).toBe(60);
    expect(bands.times.length).toBe(121);
    expect(bands.times[bands.times.length - 1]).toBe(240);
    expect(seen[seen.length - 1]).toEqual({ done: 60, total: 60 });
    expect(structuredClone(bands)).toEqual(bands);
  });

  it('returns attainment counts on the dose grid, monotone in the dose', async () => {
    const result = await attainmentInWorker(TRUE_MODEL, population, question);
    expect(result.counts.length).toBe(201);
    expect(result.subjects).toBe(60);
    expect(attainmentAt(result, 0)).toBe(0);
    for (let k = 1; k < result.counts.length; k++)
      expect(result.counts[k]).toBeGreaterThanOrEqual(result.counts[k - 1]);
    expect(attainmentAt(result, 100)).toBeGreaterThan(0.9);
    expect(structuredClone(result)).toEqual(result);
  });

  it('rejects with a cancellation when aborted, before it starts or while it runs', async () => {
    const before = new AbortController();
    before.abort();
    await expect(
      bandsInWorker(TRUE_MODEL, population, regimen, 50, { signal: before.signal }),
    ).rejects.toSatisfy(isPopulationJobCancelled);
    const during = new AbortController();
    const job = attainmentInWorker(TRUE_MODEL, { ...population, size: 2000 }, question, {
      signal: during.signal,
    });
    during.abort();
    await expect(job).rejects.toSatisfy(isPopulationJobCancelled);
    // A superseded job does not hold up the next one.
    const next = await bandsInWorker(TRUE_MODEL, population, regimen, 20);
    expect(next.subjects).toBe(60);
  });

  it("passes the core's errors on in plain words", async () => {
    const pkOnly: PopulationModel = { ...TRUE_MODEL, pd: undefined };
    await expect(attainmentInWorker(pkOnly, population, question)).rejects.toThrow(
      /concentrations only/,
    );
    await expect(
      bandsInWorker(TRUE_MODEL, { ...population, covariates: {} }, regimen, 20),
    ).rejects.toThrow(/covariate BW/);
    await expect(
      bandsInWorker(TRUE_MODEL, population, { ...regimen, interval: 0 }, 20),
    ).rejects.toThrow(/interval/);
  });
});
