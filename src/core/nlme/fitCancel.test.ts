import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/types';
import { demoDataset } from '../../testing/demo';
import { FitCancelledError, fitPopulation } from './fit';
import { buildFitSpec } from './models';
import type { FitProgress } from './types';

/** Every third subject of a demo trial: 16 subjects, all dose groups, both endpoints. */
function smallTrial(): Dataset {
  const { ds } = demoDataset(5);
  return { ...ds, subjects: ds.subjects.filter((_, i) => i % 3 === 0) };
}

const ds = smallTrial();

/** Asks to finish once `when` holds for a progress line. */
function finishWhen(when: (p: FitProgress) => boolean) {
  let asked = false;
  const seen: FitProgress[] = [];
  return {
    seen,
    onProgress: (p: FitProgress) => {
      seen.push(p);
      if (when(p)) asked = true;
    },
    shouldFinish: () => asked,
  };
}

describe('a fit asked to finish early keeps its last iterate', () => {
  it('returns the last accepted iterate as a non-converged result, labelled where it stopped', async () => {
    const cb = finishWhen((p) => p.phase === 'estimation' && p.iteration >= 2);
    const result = await fitPopulation(ds, buildFitSpec('pk1-oral', ds), {}, cb);
    const last = cb.seen.filter((p) => p.phase === 'estimation').at(-1)!;
    expect(result.cancelled).toEqual({ iteration: last.iteration, phase: 'estimation' });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(last.iteration);
    expect(result.message).toMatch(new RegExp(`^Cancelled at iteration ${last.iteration}:`));
    // The OFV is the one of the last iterate the progress reported, not a later trial point.
    expect(result.ofv).toBeCloseTo(last.ofv, 6);
    expect(result.covarianceStep.ok).toBe(false);
    expect(result.covarianceStep.message).toMatch(/cancelled/);
    expect(result.estimates.every((r) => Number.isFinite(r.estimate))).toBe(true);
    // Every subject with concentrations (placebo subjects have none).
    const withPk = ds.subjects.filter((s) => s.observations.some((o) => o.dvid === 1));
    expect(result.subjects.map((s) => s.id)).toEqual(withPk.map((s) => s.id));
  }, 120_000);

  it('names the stage of a staged PK+PD fit and counts the iterations of every stage', async () => {
    const cb = finishWhen((p) => p.stage === 'pd' && p.phase === 'estimation');
    const result = await fitPopulation(
      ds,
      buildFitSpec('pk1-oral-idr1', ds),
      { covariance: false },
      cb,
    );
    const last = cb.seen.filter((p) => p.phase === 'estimation').at(-1)!;
    expect(last.stage).toBe('pd');
    expect(result.cancelled).toEqual({
      iteration: last.iteration,
      phase: 'estimation',
      stage: 'pd',
    });
    expect(result.iterations).toBe(last.iteration);
    expect(result.converged).toBe(false);
    expect(result.spec.endpoints).toBe('pd');
    expect(result.message).toMatch(
      new RegExp(`^Cancelled at iteration ${last.iteration}: .* in the PD stage`),
    );
  }, 120_000);

  it('keeps the estimates and drops only the standard errors when stopped in the covariance step', async () => {
    const cb = finishWhen((p) => p.phase === 'covariance');
    const full = await fitPopulation(ds, buildFitSpec('pk1-oral', ds));
    const result = await fitPopulation(ds, buildFitSpec('pk1-oral', ds), {}, cb);
    expect(result.cancelled).toEqual({ iteration: full.iterations, phase: 'covariance' });
    expect(result.converged).toBe(full.converged);
    expect(result.ofv).toBeCloseTo(full.ofv, 8);
    expect(result.covarianceStep.ok).toBe(false);
    expect(full.covarianceStep.ok).toBe(true);
    expect(result.message).toMatch(/during the covariance step/);
  }, 120_000);

  it('still rejects with FitCancelledError when told to stop (shouldStop)', async () => {
    let n = 0;
    await expect(
      fitPopulation(ds, buildFitSpec('pk1-oral', ds), {}, { shouldStop: () => ++n > 3 }),
    ).rejects.toBeInstanceOf(FitCancelledError);
  });
});

describe('subject results', () => {
  it("carry the subject's dose records as in the data set", async () => {
    const result = await fitPopulation(ds, buildFitSpec('pk1-oral', ds), {
      covariance: false,
      maxIterations: 1,
    });
    const byId = new Map(ds.subjects.map((s) => [s.id, s]));
    for (const s of result.subjects) {
      const data = byId.get(s.id)!;
      expect(s.doses).toEqual(data.doses);
      // A copy: editing the result cannot change the data set.
      expect(s.doses).not.toBe(data.doses);
    }
    expect(result.subjects.some((s) => (s.doses?.length ?? 0) > 0)).toBe(true);
    expect(structuredClone(result.subjects[0].doses)).toEqual(result.subjects[0].doses);
  }, 60_000);
});
