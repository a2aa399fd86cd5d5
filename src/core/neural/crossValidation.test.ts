import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { demoDataset } from '../../testing/demo';
import type { Dataset } from '../data/types';
import { crossValidate, planFolds, rmse, type Trainer } from './crossValidation';
import { DEFAULT_NEURAL_CONFIG, type TrainedNetwork, type TrainingData } from './types';

const ds = demoDataset(11).ds;
const config = { ...DEFAULT_NEURAL_CONFIG, maxEpochs: 3 };

/**
 * A stand-in for trainNetwork: predicts 0 on the scaled axis (the training mean) and records
 * which subjects it was given.
 */
function meanTrainer(seen: { train: Set<number>; validation: Set<number>; seeds: number[] }[]) {
  const trainer: Trainer = async (train: TrainingData, validation: TrainingData, cfg, opts) => {
    const subjects = (d: TrainingData) => new Set([...d.pk.subject, ...d.pd.subject]);
    seen.push({ train: subjects(train), validation: subjects(validation), seeds: [cfg.seed] });
    for (let epoch = 1; epoch <= cfg.maxEpochs; epoch++) {
      opts?.onEpoch?.({ epoch, trainLoss: 1, valLoss: 1, bestEpoch: epoch });
    }
    const zeros = (_x: Float32Array, rows: number) => new Float32Array(rows);
    const network: TrainedNetwork = {
      config: cfg,
      parameters: 42,
      quantumParameters: 0,
      bestEpoch: cfg.maxEpochs,
      epochs: cfg.maxEpochs,
      predictPk: zeros,
      predictPd: zeros,
      exportWeights: () => [],
      readWeights: async () => [],
      dispose: () => {},
    };
    return network;
  };
  return trainer;
}

/** Observed values of one DVID for the given subjects, straight from the data set. */
function observed(d: Dataset, ids: readonly string[], dvid: number): number[] {
  return d.subjects
    .filter((s) => ids.includes(s.id))
    .flatMap((s) => s.observations.filter((o) => o.dvid === dvid).map((o) => o.dv));
}

describe('planFolds', () => {
  const n = ds.subjects.length;

  it('tests every subject exactly once and never trains or stops early on it', () => {
    const plans = planFolds(ds, 5, 3);
    expect(plans).toHaveLength(5);
    const tested = plans.flatMap((p) => p.test).sort((a, b) => a - b);
    expect(tested).toEqual(Array.from({ length: n }, (_, i) => i));
    for (const p of plans) {
      const test = new Set(p.test);
      expect([...p.train, ...p.validation].filter((i) => test.has(i))).toEqual([]);
      expect(p.validation.filter((i) => p.train.includes(i))).toEqual([]);
      expect(p.test.length + p.train.length + p.validation.length).toBe(n);
      expect([9, 10]).toContain(p.test.length);
      // About 15% of the 38–39 others.
      expect(p.validation.length).toBe(6);
    }
  });

  it('is deterministic for a seed and changes with it', () => {
    expect(planFolds(ds, 5, 3)).toEqual(planFolds(ds, 5, 3));
    expect(planFolds(ds, 5, 4)).not.toEqual(planFolds(ds, 5, 3));
  });

  it('spreads the dose groups over the folds and the validation sets', () => {
    const group = (i: number) => ds.subjects[i].doseGroup;
    for (const seed of [1, 2, 3]) {
      for (const p of planFolds(ds, 5, seed)) {
        // 12 subjects per group in 5 folds: 2 or 3 of each group per fold.
        for (const g of [0, 1, 3, 10]) {
          expect(p.test.filter((i) => group(i) === g).length).toBeGreaterThanOrEqual(2);
        }
        expect(new Set(p.validation.map(group)).size).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('refuses impossible splits with the reason', () => {
    expect(() => planFolds(ds, 1, 1)).toThrow(/folds must be a whole number ≥ 2/);
    expect(() => planFolds(ds, 49, 1)).toThrow(/49 folds need at least 49 subjects/);
    const two = { ...ds, subjects: ds.subjects.slice(0, 2) };
    expect(() => planFolds(two, 2, 1)).toThrow(/fewer than 2 for training and validation/);
    // Three subjects in three folds: one to test, one to train on, one to stop early on.
    const three = planFolds({ ...ds, subjects: ds.subjects.slice(0, 3) }, 3, 1);
    expect(three.map((p) => [p.test.length, p.train.length, p.validation.length])).toEqual([
      [1, 1, 1],
      [1, 1, 1],
      [1, 1, 1],
    ]);
    expect(() => planFolds(ds, 5, 1, 1)).toThrow(/validation fraction/);
  });
});

describe('crossValidate', () => {
  it('scores held-out subjects on the original scale (mg/L, ng/mL)', async () => {
    const seen: { train: Set<number>; validation: Set<number>; seeds: number[] }[] = [];
    const epochs: string[] = [];
    const result = await crossValidate(ds, config, {
      folds: 4,
      seed: 5,
      trainer: meanTrainer(seen),
      onProgress: (p) => epochs.push(`${p.fold}/${p.folds}:${p.epoch}`),
    });
    const plans = planFolds(ds, 4, 5);
    expect(result.folds).toHaveLength(4);
    expect(result.parameters).toBe(42);
    expect(result.cancelled).toBe(false);
    expect(epochs.slice(0, 4)).toEqual(['0/4:1', '0/4:2', '0/4:3', '1/4:1']);
    expect(seen.map((s) => s.seeds[0])).toEqual([1, 2, 3, 4]);
    let pkSq = 0;
    let pdSq = 0;
    result.folds.forEach((f, k) => {
      const ids = (idx: readonly number[]) => idx.map((i) => ds.subjects[i].id);
      expect(f.testSubjects).toEqual(ids(plans[k].test));
      // The trainer saw the training and validation subjects only.
      expect([...seen[k].train].sort((a, b) => a - b)).toEqual(plans[k].train);
      expect([...seen[k].validation].sort((a, b) => a - b)).toEqual(plans[k].validation);
      // The stand-in predicts the training subjects' mean: the RMSE follows by hand.
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      const pkMean = mean(observed(ds, ids(plans[k].train), 1));
      const pdMean = mean(observed(ds, ids(plans[k].train), 2));
      const pkTest = observed(ds, f.testSubjects, 1);
      const pdTest = observed(ds, f.testSubjects, 2);
      expect(f.pkRows).toBe(pkTest.length);
      expect(f.pdRows).toBe(pdTest.length);
      const pkFold = pkTest.reduce((a, y) => a + (y - pkMean) ** 2, 0);
      const pdFold = pdTest.reduce((a, y) => a + (y - pdMean) ** 2, 0);
      expectClose(f.pkRmse!, Math.sqrt(pkFold / pkTest.length), { rel: 1e-5, context: 'PK' });
      expectClose(f.pdRmse!, Math.sqrt(pdFold / pdTest.length), { rel: 1e-5, context: 'PD' });
      pkSq += pkFold;
      pdSq += pdFold;
    });
    expect(result.pkRows).toBe(
      observed(
        ds,
        ds.subjects.map((s) => s.id),
        1,
      ).length,
    );
    expectClose(result.pkRmse!, Math.sqrt(pkSq / result.pkRows), { rel: 1e-5 });
    expectClose(result.pdRmse!, Math.sqrt(pdSq / result.pdRows), { rel: 1e-5 });
    expect(result.predictions.pd.predicted).toHaveLength(result.pdRows);
  });

  it('transforms log targets back before scoring', async () => {
    const result = await crossValidate(
      ds,
      { ...config, logTargets: true },
      { folds: 3, trainer: meanTrainer([]) },
    );
    const f = result.folds[0];
    const plan = planFolds(ds, 3, config.seed)[0];
    const train = observed(
      ds,
      plan.train.map((i) => ds.subjects[i].id),
      2,
    );
    const predicted = Math.expm1(train.reduce((a, y) => a + Math.log1p(y), 0) / train.length);
    const test = observed(ds, f.testSubjects, 2);
    expectClose(f.pdRmse!, rmse(test, new Array(test.length).fill(predicted))!, { rel: 1e-5 });
  });

  it('reports null for an endpoint a fold has no rows of (placebo subjects have no PK)', async () => {
    const placebo = { ...ds, subjects: ds.subjects.filter((s) => s.doseGroup === 0) };
    const result = await crossValidate(placebo, config, { folds: 3, trainer: meanTrainer([]) });
    expect(result.folds.map((f) => f.pkRmse)).toEqual([null, null, null]);
    expect(result.folds.every((f) => f.pkRows === 0 && f.pdRows > 0)).toBe(true);
    expect(result.pkRmse).toBeNull();
    expect(result.pdRmse).toBeGreaterThan(0);
  });

  it('stops between folds when asked, keeping the folds done', async () => {
    let calls = 0;
    const result = await crossValidate(ds, config, {
      folds: 5,
      trainer: meanTrainer([]),
      shouldStop: () => calls++ >= 2,
    });
    expect(result.cancelled).toBe(true);
    expect(result.folds).toHaveLength(1);
    expect(result.pdRows).toBe(result.folds[0].pdRows);
  });

  it('with the baseline input, leaves the pre-dose values out of the error', async () => {
    const without = await crossValidate(ds, config, { folds: 3, trainer: meanTrainer([]) });
    const withIt = await crossValidate(ds, config, {
      folds: 3,
      trainer: meanTrainer([]),
      features: { baseline: true },
    });
    expect(withIt.featureNames.at(-1)).toBe('BASELINE_PD');
    expect(without.pdRows - withIt.pdRows).toBe(ds.subjects.length);
    expect(withIt.pkRows).toBe(without.pkRows);
  });
});
