import { describe, expect, it } from 'vitest';
import {
  addResidualError,
  individualParameters,
  residualSd,
  sampleCovariates,
  sampleEta,
  simulatePopulation,
  typicalParameters,
  type PopulationModel,
} from './population';
import type { DoseEvent } from './types';
import { createRng } from '../util/rng';
import { expectClose, TOL } from '../../testing/close';

const MODEL: PopulationModel = {
  pk: 'oral1',
  pd: 'indirect-inhibit-production',
  theta: { CL: 0.05, V: 8, ka: 1.2, baseline: 12, kout: 0.02, Imax: 0.8, IC50: 1.5 },
  covariateEffects: [
    { kind: 'power', parameter: 'CL', covariate: 'BW', reference: 70, exponent: 0.75 },
    { kind: 'power', parameter: 'V', covariate: 'BW', reference: 70, exponent: 1 },
    { kind: 'categorical', parameter: 'baseline', covariate: 'COMED', theta: -0.25 },
    { kind: 'categorical', parameter: 'CL', covariate: 'COMED', theta: 0.1 },
  ],
  randomEffects: [
    { parameter: 'CL', omega: 0.3 },
    { parameter: 'V', omega: 0.1 },
    { parameter: 'Imax', omega: 0.5, transform: 'logit' },
  ],
  residualError: {
    concentration: { type: 'proportional', cv: 0.1 },
    biomarker: { type: 'combined', sd: 0.5, cv: 0.05 },
  },
};

/** Draws for the spread checks; the SE of a sample SD is about SD/sqrt(2N). */
const N = 20_000;
const SD_REL_TOL = 5 / Math.sqrt(2 * N);

describe('individual parameters', () => {
  it('gives the typical values θ for the reference subject with η = 0', () => {
    const p = typicalParameters(MODEL, { BW: 70, COMED: 0 });
    expect(p.pk).toEqual({ type: 'oral1', CL: 0.05, V: 8, ka: 1.2 });
    expect(p.pd).toEqual({
      type: 'indirect-inhibit-production',
      baseline: 12,
      kout: 0.02,
      Imax: 0.8,
      IC50: 1.5,
    });
    expect(individualParameters(MODEL, { BW: 70, COMED: 0 }, [0, 0, 0])).toEqual(p);
  });

  it('applies power and categorical covariate effects as documented', () => {
    const p = typicalParameters(MODEL, { BW: 140, COMED: 1 });
    expectClose(p.pk.CL, 0.05 * 2 ** 0.75 * 1.1, { rel: TOL.exact, context: 'CL' });
    expectClose(p.pk.V, 16, { rel: TOL.exact, context: 'V' });
    expectClose(p.pd!.baseline, 12 * 0.75, { rel: TOL.exact, context: 'baseline with COMED' });
    expect(p.pk.ka).toBe(1.2);
  });

  it('applies η log-normally, and logit-normally where asked', () => {
    const p = individualParameters(MODEL, { BW: 70, COMED: 0 }, [0.2, -0.1, 1]);
    expectClose(p.pk.CL, 0.05 * Math.exp(0.2), { rel: TOL.exact });
    expectClose(p.pk.V, 8 * Math.exp(-0.1), { rel: TOL.exact });
    const imax = p.pd!.type === 'indirect-inhibit-production' ? p.pd!.Imax! : NaN;
    expectClose(imax, 1 / (1 + Math.exp(-(Math.log(0.8 / 0.2) + 1))), { rel: TOL.exact });
    // A huge η keeps a logit parameter inside (0, 1].
    const q = individualParameters(MODEL, { BW: 70, COMED: 0 }, [0, 0, 50]);
    expect(q.pd!.type === 'indirect-inhibit-production' && q.pd!.Imax! <= 1).toBe(true);
  });

  it('names the covariate or parameter when something is wrong', () => {
    expect(() => typicalParameters(MODEL, { COMED: 0 })).toThrow(/Covariate BW is missing/);
    expect(() =>
      typicalParameters({ ...MODEL, theta: { ...MODEL.theta, IC50: -1 } }, { BW: 70, COMED: 0 }),
    ).toThrow('PD parameter IC50 must be > 0, got -1');
    expect(() =>
      typicalParameters(
        {
          ...MODEL,
          covariateEffects: [
            { kind: 'power', parameter: 'Q', covariate: 'BW', reference: 70, exponent: 1 },
          ],
        },
        { BW: 70 },
      ),
    ).toThrow(/Q has no typical value/);
  });

  it('is plain JSON: a round trip gives the same individual parameters', () => {
    const copy = JSON.parse(JSON.stringify(MODEL)) as PopulationModel;
    expect(individualParameters(copy, { BW: 81, COMED: 1 }, [0.1, 0.2, 0.3])).toEqual(
      individualParameters(MODEL, { BW: 81, COMED: 1 }, [0.1, 0.2, 0.3]),
    );
  });
});

describe('between-subject and residual variability', () => {
  it('spreads CL log-normally with SD ω on the log scale', () => {
    const rng = createRng(11);
    const logs: number[] = [];
    for (let i = 0; i < N; i++) {
      const p = individualParameters(MODEL, { BW: 70, COMED: 0 }, sampleEta(MODEL, rng));
      logs.push(Math.log(p.pk.CL / 0.05));
    }
    const mean = logs.reduce((a, b) => a + b, 0) / N;
    const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1));
    expectClose(mean, 0, { abs: (5 * 0.3) / Math.sqrt(N), context: 'mean log(CL/θ)' });
    expectClose(sd, 0.3, { rel: SD_REL_TOL, context: 'SD log(CL/θ)' });
    // The median of a log-normal is θ.
    const sorted = logs.slice().sort((a, b) => a - b);
    expectClose(Math.exp(sorted[N / 2]), 1, { abs: 0.02, context: 'median CL/θ' });
  });

  it('adds residual error with the documented SD', () => {
    const rng = createRng(5);
    const err = { type: 'combined', sd: 0.5, cv: 0.1 } as const;
    expectClose(residualSd(10, err), Math.sqrt(0.25 + 1), { rel: TOL.exact });
    expect(residualSd(10, { type: 'additive', sd: 0.3 })).toBe(0.3);
    expectClose(residualSd(-10, { type: 'proportional', cv: 0.2 }), 2, { rel: TOL.exact });
    let s = 0;
    let s2 = 0;
    for (let i = 0; i < N; i++) {
      const y = addResidualError(10, err, rng) - 10;
      s += y;
      s2 += y * y;
    }
    const sd = Math.sqrt(s2 / N - (s / N) ** 2);
    expectClose(sd, Math.sqrt(1.25), { rel: SD_REL_TOL, context: 'combined error SD' });
  });

  it('samples covariates from their distributions', () => {
    const rng = createRng(9);
    const sets = sampleCovariates(
      {
        BW: { type: 'uniform', min: 50, max: 100 },
        COMED: { type: 'bernoulli', p: 0.5 },
        AGE: { type: 'normal', mean: 40, sd: 10, min: 18, max: 65 },
        SEX: { type: 'fixed', value: 1 },
      },
      N,
      rng,
    );
    const bw = sets.map((x) => x.BW);
    expect(Math.min(...bw)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...bw)).toBeLessThan(100);
    expectClose(bw.reduce((a, b) => a + b, 0) / N, 75, { abs: 0.5, context: 'mean BW' });
    expectClose(sets.filter((x) => x.COMED === 1).length / N, 0.5, {
      abs: 0.02,
      context: 'COMED fraction',
    });
    expect(sets.every((x) => x.AGE >= 18 && x.AGE <= 65 && x.SEX === 1)).toBe(true);
  });
});

describe('population simulation', () => {
  const events: DoseEvent[] = [{ time: 0, amt: 5, cmt: 1, evid: 1, ii: 24, addl: 9 }];
  const times = [0, 12, 24, 120, 240];
  const covs = [
    { BW: 60, COMED: 0 },
    { BW: 90, COMED: 1 },
    { BW: 75, COMED: 0 },
  ];

  it('is reproducible for a seed, and each subject depends only on its own stream', () => {
    const a = simulatePopulation(MODEL, covs, events, times, createRng(3));
    const b = simulatePopulation(MODEL, covs, events, times, createRng(3));
    expect(a.map((s) => Array.from(s.observed!.biomarker!))).toEqual(
      b.map((s) => Array.from(s.observed!.biomarker!)),
    );
    expect(a).toHaveLength(3);
    // The first two subjects are the same whether or not a third follows.
    const two = simulatePopulation(MODEL, covs.slice(0, 2), events, times, createRng(3));
    expect(Array.from(two[1].eta)).toEqual(Array.from(a[1].eta));
  });

  it('returns predictions that match the individual parameters, with or without residual error', () => {
    const subjects = simulatePopulation(MODEL, covs, events, times, createRng(4), {
      residualError: false,
    });
    for (const s of subjects) {
      expect(s.observed).toBeUndefined();
      expect(s.parameters).toEqual(individualParameters(MODEL, s.covariates, s.eta));
      expect(s.prediction.biomarker).toHaveLength(times.length);
      expectClose(s.prediction.biomarker![0], s.parameters.pd!.baseline, {
        rel: TOL.exact,
        context: 'pre-dose R',
      });
    }
  });

  it('takes per-subject dose records from a function', () => {
    const subjects = simulatePopulation(
      MODEL,
      covs,
      (i) => (i === 0 ? [] : events),
      [0, 24],
      createRng(8),
      { residualError: false },
    );
    expect(subjects[0].prediction.concentration[1]).toBe(0);
    expect(subjects[1].prediction.concentration[1]).toBeGreaterThan(0);
  });
});
