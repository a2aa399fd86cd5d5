import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { steadyStateMetrics } from '../models/regimenPrediction';
import { populationPredictor } from '../models/populationPredictor';
import { attainsThreshold } from '../pkpd/metrics';
import type { PopulationModel } from '../pkpd/population';
import { TRUE_MODEL } from '../trial/trueModel';
import {
  attainmentAt,
  attainmentCounts,
  attainmentResult,
  AttainmentCancelledError,
  findDose,
  questionProblems,
  wilsonInterval,
  type AttainmentQuestion,
} from './attainment';
import { sampleVirtualPopulation } from './virtualPopulation';

const daily: AttainmentQuestion = {
  interval: 24,
  step: 0.5,
  target: 0.9,
  threshold: { value: 3.3, direction: 'below' },
};

const trialLike = {
  BW: { type: 'uniform', min: 50, max: 100 },
  COMED: { type: 'bernoulli', p: 0.5 },
} as const;

describe('target attainment', () => {
  it('a population of one reproduces the single-subject steady-state simulation', () => {
    const noVariability: PopulationModel = { ...TRUE_MODEL, randomEffects: [] };
    const covariates = { BW: 82, COMED: 1 };
    const [subject] = sampleVirtualPopulation(noVariability, {
      size: 1,
      seed: 3,
      covariates: { BW: { type: 'fixed', value: 82 }, COMED: { type: 'fixed', value: 1 } },
    });
    const q = { ...daily, maxDose: 40 };
    const { counts } = attainmentCounts([subject], q);
    const predictor = populationPredictor(noVariability, {
      id: 't',
      label: 't',
      kind: 'true-model',
    });
    // The engine's own steady state (doses doubled until nothing changes), dose by dose.
    for (const dose of [0, 2, 3, 3.5, 4, 4.5, 5, 6, 10, 40]) {
      const ss = steadyStateMetrics(predictor, covariates, { dose, interval: 24, doses: 8 });
      expect(counts[dose / 0.5] === 1).toBe(attainsThreshold(ss, q.threshold));
    }
    const r = attainmentResult(counts, 1, q);
    expect(r.dose).not.toBeNull();
    const justBelow = steadyStateMetrics(predictor, covariates, {
      dose: (r.dose as number) - 0.5,
      interval: 24,
      doses: 8,
    });
    expect(attainsThreshold(justBelow, q.threshold)).toBe(false);
  });

  it('never decreases with dose for a monotone model (random models and thresholds)', () => {
    fc.assert(
      fc.property(
        fc.record({
          CL: fc.double({ min: 0.01, max: 2, noNaN: true }),
          kout: fc.double({ min: 0.005, max: 0.5, noNaN: true }),
          Imax: fc.double({ min: 0.3, max: 1, noNaN: true }),
          threshold: fc.double({ min: 1, max: 9.5, noNaN: true }),
          seed: fc.integer({ min: 1, max: 1000 }),
        }),
        ({ CL, kout, Imax, threshold, seed }) => {
          const model: PopulationModel = {
            ...TRUE_MODEL,
            theta: { ...TRUE_MODEL.theta, CL, kout, Imax },
          };
          const subjects = sampleVirtualPopulation(model, {
            size: 40,
            seed,
            covariates: trialLike,
          });
          const { counts } = attainmentCounts(subjects, {
            ...daily,
            threshold: { value: threshold, direction: 'below' },
            maxDose: 100,
          });
          for (let k = 1; k < counts.length; k++)
            expect(counts[k]).toBeGreaterThanOrEqual(counts[k - 1]);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('"above" mirrors "below" (a stimulating model against its mirror image)', () => {
    // B = E0 + Emax·h(C) kept above E0 + d  ⟺  B′ = E0 − Emax·h(C) kept below E0 − d.
    const up: PopulationModel = {
      pk: 'oral1',
      pd: 'effect-compartment',
      theta: { CL: 0.5, V: 20, ka: 1, baseline: 10, ke0: 0.3, Emax: 6, EC50: 1, hill: 1 },
      covariateEffects: [
        { kind: 'power', parameter: 'CL', covariate: 'BW', reference: 70, exponent: 0.75 },
      ],
      randomEffects: [
        { parameter: 'CL', omega: 0.3 },
        { parameter: 'EC50', omega: 0.4 },
      ],
      residualError: {},
    };
    const down: PopulationModel = { ...up, theta: { ...up.theta, Emax: -6 } };
    const pop = { size: 300, seed: 11, covariates: { BW: trialLike.BW } };
    const q = { ...daily, maxDose: 200, step: 1 };
    const above = attainmentCounts(sampleVirtualPopulation(up, pop), {
      ...q,
      threshold: { value: 13, direction: 'above' },
    }).counts;
    const below = attainmentCounts(sampleVirtualPopulation(down, pop), {
      ...q,
      threshold: { value: 7, direction: 'below' },
    }).counts;
    expect(Array.from(above)).toEqual(Array.from(below));
    expect(above[above.length - 1]).toBeGreaterThan(0);
  });

  it('"above" with an inhibiting model attains at low doses and loses it at high ones', () => {
    const subjects = sampleVirtualPopulation(TRUE_MODEL, {
      size: 200,
      seed: 5,
      covariates: trialLike,
    });
    const below = attainmentCounts(subjects, { ...daily, maxDose: 50 }).counts;
    const above = attainmentCounts(subjects, {
      ...daily,
      maxDose: 50,
      threshold: { value: 3.3, direction: 'above' },
    }).counts;
    expect(above[0]).toBe(200);
    for (let k = 0; k < below.length; k++) {
      expect(above[k]).toBeLessThanOrEqual(200 - below[k]);
      if (k > 0) expect(above[k]).toBeLessThanOrEqual(above[k - 1]);
    }
  });

  it('answers with the smallest multiple of the step reaching the target', () => {
    const subjects = sampleVirtualPopulation(TRUE_MODEL, {
      size: 2000,
      seed: 1,
      covariates: trialLike,
    });
    const r = findDose(subjects, daily);
    expect(r.dose).not.toBeNull();
    const dose = r.dose as number;
    expect(Number.isInteger(dose / 0.5)).toBe(true);
    expect(attainmentAt(r, dose)).toBeGreaterThanOrEqual(0.9);
    expect(attainmentAt(r, dose - 0.5)).toBeLessThan(0.9);
    expect(r.attainment).toBe(attainmentAt(r, dose));
    const [lo, hi] = r.doseBand;
    expect(lo).not.toBeNull();
    expect(lo as number).toBeLessThanOrEqual(dose);
    expect(hi as number).toBeGreaterThanOrEqual(dose);
    expect(r.curve.some((p) => p.dose === dose)).toBe(true);
    for (const p of r.curve) {
      expect(p.lo).toBeLessThanOrEqual(p.attainment);
      expect(p.hi).toBeGreaterThanOrEqual(p.attainment);
    }
    expect(r.summary).toMatch(/once daily/);
    // A lower target never needs a higher dose; the weekly dose is larger than the daily one.
    const r75 = attainmentResult(r.counts, 2000, { ...daily, target: 0.75 });
    expect(r75.dose as number).toBeLessThanOrEqual(dose);
    const weekly = findDose(subjects, { ...daily, interval: 168, step: 5 });
    expect(weekly.dose as number).toBeGreaterThan(dose);
  });

  it('says when no dose up to the largest reaches the target', () => {
    const weak: PopulationModel = { ...TRUE_MODEL, theta: { ...TRUE_MODEL.theta, Imax: 0.5 } };
    const subjects = sampleVirtualPopulation(weak, { size: 100, seed: 2, covariates: trialLike });
    const r = findDose(subjects, { ...daily, maxDose: 100 });
    expect(r.dose).toBeNull();
    expect(r.summary).toMatch(/No dose up to 100 mg/);
  });

  it('checks the question and can be cancelled', () => {
    expect(questionProblems({ ...daily, step: 0 })).toHaveLength(1);
    expect(questionProblems({ ...daily, target: 1.5, interval: -1 })).toHaveLength(2);
    expect(questionProblems({ ...daily, step: 1e-6, maxDose: 1e4 })[0]).toMatch(/steps/);
    const subjects = sampleVirtualPopulation(TRUE_MODEL, {
      size: 10,
      seed: 2,
      covariates: trialLike,
    });
    expect(() => attainmentCounts(subjects, daily, { shouldStop: () => true })).toThrow(
      AttainmentCancelledError,
    );
    const pkOnly = sampleVirtualPopulation(
      { ...TRUE_MODEL, pd: undefined },
      { size: 1, seed: 1, covariates: trialLike },
    );
    expect(() => findDose(pkOnly, daily)).toThrow(/no biomarker/);
  });

  it('gives the textbook Wilson interval', () => {
    const [lo, hi] = wilsonInterval(50, 100);
    expect(lo).toBeCloseTo(0.4038, 4);
    expect(hi).toBeCloseTo(0.5962, 4);
    expect(wilsonInterval(0, 10)[0]).toBe(0);
    expect(wilsonInterval(10, 10)[1]).toBe(1);
  });
});
