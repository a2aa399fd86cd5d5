import { describe, expect, it } from 'vitest';
import { demoDataset } from '../../testing/demo';
import { fitPopulation } from './fit';
import { buildFitSpec, FIT_MODEL_NAMES } from './models';
import type { FitModelSpec } from './types';

/**
 * Every model the fitter offers, with the options the Model fit panel offers on top (a CL–V
 * correlation, a fixed ka), runs through every stage of a fit on a small trial to finite
 * estimates: one iteration a stage, so this checks the plumbing (specs, stages, the covariance
 * step), not the estimates, which the recovery and reference tests check. (A PK+PD fit with the
 * correlation once failed in its PD stage.)
 */
const { ds: whole } = demoDataset(2);
const ds = { ...whole, subjects: whole.subjects.filter((_, i) => i % 12 === 0) };

function variants(name: string): [string, FitModelSpec][] {
  const spec = buildFitSpec(name, ds);
  const out: [string, FitModelSpec][] = [['as built', spec]];
  const bsv = (p: string) => spec.parameters.some((x) => x.name === p && x.omega !== undefined);
  if (bsv('CL') && bsv('V')) out.push(['CL–V correlation', { ...spec, correlation: ['CL', 'V'] }]);
  if (spec.parameters.some((p) => p.name === 'ka')) {
    out.push([
      'ka fixed',
      {
        ...spec,
        parameters: spec.parameters.map((p) =>
          p.name === 'ka' ? { ...p, fixed: true, initial: 1 } : p,
        ),
      },
    ]);
  }
  return out;
}

describe('every model and option fits', () => {
  // The PK models alone, and every PD model on the 1-compartment oral PK.
  const names = FIT_MODEL_NAMES.filter(
    (n) => !n.includes('-') || n.split('-').length === 2 || n.startsWith('pk1-oral-'),
  );
  it.each(names)(
    '%s',
    async (name) => {
      for (const [variant, spec] of variants(name)) {
        // The covariance step once per model (it is the slow part), on the spec as built.
        const covariance = variant === 'as built';
        const result = await fitPopulation(ds, spec, { maxIterations: 1, covariance });
        expect(Number.isFinite(result.ofv), `${name}, ${variant}: OFV`).toBe(true);
        for (const e of result.estimates) {
          expect(Number.isFinite(e.estimate), `${name}, ${variant}: ${e.name}`).toBe(true);
        }
        if (covariance) expect(['ok', 'partial', 'failed']).toContain(result.covarianceStep.status);
        if (spec.correlation) {
          expect(
            result.estimates.some((e) => e.kind === 'correlation'),
            `${name}: ρ`,
          ).toBe(true);
        }
      }
    },
    120_000,
  );
});
