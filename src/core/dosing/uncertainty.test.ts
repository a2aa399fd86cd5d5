import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importNonmem } from '../data/importNonmem';
import { fitPopulation } from '../nlme/fit';
import { modelForDraw, type ParameterDraws } from '../nlme/uncertainty';
import { TRUE_MODEL } from '../trial/trueModel';
import { findDose } from './attainment';
import { attainmentWithUncertainty } from './uncertainty';
import { sampleVirtualPopulation } from './virtualPopulation';

const spec = {
  size: 1000,
  seed: 4,
  covariates: { BW: { type: 'uniform', min: 50, max: 100 }, COMED: { type: 'bernoulli', p: 0.5 } },
} as const;
const q = {
  interval: 24,
  step: 0.5,
  target: 0.9,
  threshold: { value: 3.3, direction: 'below' },
} as const;

function drawsOf(ic50: number[]): ParameterDraws {
  return {
    method: 'test',
    draws: ic50.map((IC50) => ({
      theta: { ...TRUE_MODEL.theta, IC50 } as Record<string, number>,
      covariates: TRUE_MODEL.covariateEffects.map((e) =>
        e.kind === 'power' ? e.exponent : e.theta,
      ),
      omega: TRUE_MODEL.randomEffects.map((re) => re.omega),
    })),
  };
}

describe('dose answers with parameter uncertainty', () => {
  it('keeps the answer of the estimates and widens the band with uncertain parameters', () => {
    const exact = attainmentWithUncertainty(TRUE_MODEL, drawsOf([1]), spec, q, {
      replicates: 20,
      subjectsPerReplicate: 500,
    });
    const plain = findDose(sampleVirtualPopulation(TRUE_MODEL, spec), q);
    expect(exact.dose).toBe(plain.dose);
    expect(exact.band).toMatch(/20 replicate populations/);
    const uncertain = attainmentWithUncertainty(
      TRUE_MODEL,
      drawsOf([0.6, 0.8, 1, 1.25, 1.6]),
      spec,
      q,
      { replicates: 20, subjectsPerReplicate: 500 },
    );
    const width = (r: typeof exact) => {
      const p = r.curve.find((c) => c.dose === r.dose);
      return (p?.hi ?? 0) - (p?.lo ?? 0);
    };
    expect(width(uncertain)).toBeGreaterThan(2 * width(exact));
    const [lo, hi] = uncertain.doseBand;
    expect(lo as number).toBeLessThan(uncertain.dose as number);
    expect(hi as number).toBeGreaterThan(uncertain.dose as number);
  });

  it('draws a fit’s estimates around the estimates with their standard errors', async () => {
    const text = readFileSync(path.join(__dirname, '../nlme/fixtures/theophylline.csv'), 'utf8');
    const res = importNonmem(text, { name: 'theophylline.csv' });
    if (!res.ok) throw new Error('theophylline did not load');
    const fit = await fitPopulation(res.dataset, {
      name: 'pk1-oral',
      pk: 'oral1',
      endpoints: 'pk',
      parameters: [
        { name: 'ka', initial: 1.5, omega: 0.6 },
        { name: 'CL', initial: 2.7, omega: 0.3 },
        { name: 'V', initial: 31, omega: 0.1 },
      ],
      covariates: [],
      residual: { concentration: { type: 'additive', sd: 0.7 } },
    });
    const draws = fit.parameterDraws as ParameterDraws;
    expect(draws.draws).toHaveLength(200);
    const cl = fit.estimates.find((e) => e.name === 'CL');
    const logCl = draws.draws.map((d) => Math.log(d.theta.CL));
    const mean = logCl.reduce((a, b) => a + b, 0) / logCl.length;
    const sd = Math.sqrt(logCl.reduce((a, b) => a + (b - mean) ** 2, 0) / (logCl.length - 1));
    // SE of log CL ≈ RSE of CL (delta method).
    const rse = (cl?.rse as number) / 100;
    expect(Math.abs(mean - Math.log(cl?.estimate as number))).toBeLessThan(
      3 * (rse / Math.sqrt(200)) + 1e-9,
    );
    expect(sd / rse).toBeGreaterThan(0.8);
    expect(sd / rse).toBeLessThan(1.2);
    const m = modelForDraw(fit.model, draws.draws[0]);
    expect(m.theta.CL).toBe(draws.draws[0].theta.CL);
    expect(m.randomEffects.map((r) => r.omega)).toEqual(draws.draws[0].omega);
  });
});
