import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/types';
import type { PopulationModel } from '../pkpd/population';
import { demoDataset } from '../../testing/demo';
import { fitPopulation } from './fit';
import { buildFitSpec } from './models';
import type { FitProgress } from './types';

/** Every other subject of a demo trial: 24 subjects, all dose groups, both endpoints. */
function smallTrial(seed: number): { ds: Dataset; truth: PopulationModel } {
  const { ds, truth } = demoDataset(seed);
  return { ds: { ...ds, subjects: ds.subjects.filter((_, i) => i % 2 === 0) }, truth };
}

describe('staged PK → PD → joint fit of the default PK+PD model', () => {
  it('runs the three stages in order and recovers the PD truth', async () => {
    const { ds, truth } = smallTrial(4);
    const stages: FitProgress['stage'][] = [];
    const result = await fitPopulation(
      ds,
      buildFitSpec('pk1-oral-idr1', ds),
      { covariance: false },
      {
        onProgress: (p) => {
          if (stages[stages.length - 1] !== p.stage) stages.push(p.stage);
        },
      },
    );
    expect(stages).toEqual(['pk', 'pd', 'joint']);
    expect(result.converged).toBe(true);
    expect(result.message).toMatch(/started from a PK fit/);
    const est = (name: string) => result.estimates.find((r) => r.name === name)!.estimate;
    for (const p of ['CL', 'V', 'baseline', 'kout', 'Imax'] as const) {
      expect(Math.abs(est(p) / (truth.theta[p] as number) - 1)).toBeLessThan(0.2);
    }
    // IC50 is the least precise with 24 subjects
    expect(Math.abs(est('IC50') / (truth.theta.IC50 as number) - 1)).toBeLessThan(0.35);
    expect(est('COMED on baseline')).toBeLessThan(-0.1);
  }, 300_000);
});

describe('staged fit with a CL–V correlation', () => {
  it('fits the correlation in the PK and joint stages (the PD stage holds the PK fixed)', async () => {
    const { ds } = smallTrial(4);
    const plain = buildFitSpec('pk1-oral-idr1', ds);
    const spec = { ...plain, correlation: ['CL', 'V'] as const };
    const result = await fitPopulation(ds, spec, { covariance: false });
    expect(result.message).toMatch(/started from a PK fit/);
    const rho = result.estimates.find((r) => r.kind === 'correlation');
    expect(rho?.name).toBe('corr CL–V');
    expect(Math.abs(rho?.estimate ?? NaN)).toBeLessThan(1);
    expect(result.model.correlations?.[0]?.parameters).toEqual(['CL', 'V']);
    // One parameter more, nested: the optimum can only be as low or lower (the simulated truth
    // has no correlation, so hardly lower).
    const without = await fitPopulation(ds, plain, { covariance: false });
    expect(result.ofv).toBeLessThan(without.ofv + 0.05);
    expect(result.ofv).toBeGreaterThan(without.ofv - 2);
  }, 300_000);
});
