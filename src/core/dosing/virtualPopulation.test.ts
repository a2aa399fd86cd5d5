import { describe, expect, it } from 'vitest';
import { TRUE_MODEL } from '../trial/trueModel';
import { populationSpecProblems, sampleVirtualPopulation } from './virtualPopulation';

describe('virtual populations', () => {
  const spec = {
    size: 500,
    seed: 7,
    covariates: {
      BW: { type: 'uniform', min: 50, max: 100 },
      COMED: { type: 'bernoulli', p: 0.3 },
    },
  } as const;

  it('is reproducible from its seed and draws covariates as asked', () => {
    const a = sampleVirtualPopulation(TRUE_MODEL, spec);
    const b = sampleVirtualPopulation(TRUE_MODEL, spec);
    expect(a).toEqual(b);
    const bw = a.map((s) => s.covariates.BW);
    expect(Math.min(...bw)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...bw)).toBeLessThan(100);
    const comed = a.filter((s) => s.covariates.COMED === 1).length / a.length;
    expect(comed).toBeGreaterThan(0.22);
    expect(comed).toBeLessThan(0.38);
    // Between-subject variability: CL of 70-kg-equivalent subjects spreads with ω = 0.25.
    const logCl = a.map((s) => Math.log(s.parameters.pk.CL / (s.covariates.BW / 70) ** 0.75));
    const mean = logCl.reduce((x, y) => x + y, 0) / logCl.length;
    const sd = Math.sqrt(logCl.reduce((x, y) => x + (y - mean) ** 2, 0) / (logCl.length - 1));
    expect(sd).toBeGreaterThan(0.22);
    expect(sd).toBeLessThan(0.28);
  });

  it('shares random effects between scenarios that differ only in a covariate', () => {
    const base = sampleVirtualPopulation(TRUE_MODEL, spec);
    const noComed = sampleVirtualPopulation(TRUE_MODEL, {
      ...spec,
      covariates: { ...spec.covariates, COMED: { type: 'fixed', value: 0 } },
    });
    for (let i = 0; i < 20; i++) {
      expect(noComed[i].covariates.BW).toBe(base[i].covariates.BW);
      expect(noComed[i].parameters.pk.CL).toBe(base[i].parameters.pk.CL);
    }
  });

  it('resamples observed values and reports what is missing or wrong', () => {
    const pop = sampleVirtualPopulation(TRUE_MODEL, {
      size: 200,
      seed: 1,
      covariates: {
        BW: { type: 'resample', values: [55, 80] },
        COMED: { type: 'fixed', value: 0 },
      },
    });
    expect(new Set(pop.map((s) => s.covariates.BW))).toEqual(new Set([55, 80]));
    expect(populationSpecProblems(TRUE_MODEL, { size: 0, seed: 1, covariates: {} })).toEqual([
      'Population size must be a whole number from 1 to 1,000,000, got 0.',
      'The model uses covariate BW: say how to draw it.',
      'The model uses covariate COMED: say how to draw it.',
    ]);
    expect(
      populationSpecProblems(TRUE_MODEL, {
        size: 10,
        seed: 1,
        covariates: {
          BW: { type: 'uniform', min: 100, max: 50 },
          COMED: { type: 'bernoulli', p: 2 },
        },
      }),
    ).toHaveLength(2);
    expect(() =>
      sampleVirtualPopulation(TRUE_MODEL, { size: 10, seed: 1, covariates: {} }),
    ).toThrow(/BW/);
  });
});
