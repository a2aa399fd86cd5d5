import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/types';
import { expectClose } from '../../testing/close';
import { demoDataset } from '../../testing/demo';
import { crossValidate } from '../neural/crossValidation';
import { buildFeatureTable, selectRows } from '../neural/features';
import { populationPredictor } from '../models/populationPredictor';
import { comparePlan } from './profiles';
import { CompareCancelledError, foldOf, populationRowPredictions, runCompareTask } from './runTask';
import type { ComparePlan } from './types';

/**
 * One real task of each kind on a cut demo trial: 4 subjects per dose group (16), 2 folds, so
 * the mechanistic model is fitted to 8 subjects (a few seconds) and a network trains for 8
 * epochs (about a second).
 */
const { ds: whole, truth } = demoDataset(1);
const subjects = whole.subjects.filter((_, i) => i % 12 < 4);
const ids = new Set(subjects.map((s) => s.id));
const ds: Dataset = { ...whole, subjects, records: whole.records.filter((r) => ids.has(r.id)) };

const quick = comparePlan(ds, { profile: 'quick', dataLabel: 'demo', folds: 2 });
const MLP = 'neural:cascade:mlp:direct';
const NLME = 'nlme:pk2-oral-idr1';
/** The quick plan with its MLP trained for 8 epochs only. */
const plan: ComparePlan = {
  ...quick,
  candidates: quick.candidates.map((c) =>
    c.key === MLP && c.config ? { ...c, config: { ...c.config, maxEpochs: 8 } } : c,
  ),
};

/** What the test subjects of a fold have: PK and PD observations, dosed subjects. */
function foldCounts(fold: number) {
  const test = foldOf(ds, plan, { candidateKey: MLP, seed: 1, fold }).test.map(
    (i) => ds.subjects[i],
  );
  return {
    pk: test.reduce((a, s) => a + s.observations.filter((o) => o.dvid === 1).length, 0),
    pd: test.reduce((a, s) => a + s.observations.filter((o) => o.dvid === 2).length, 0),
    dosed: test.filter((s) => s.doses.some((d) => d.amt > 0)).length,
  };
}

describe('runCompareTask', () => {
  it('trains a network on a fold and scores its test subjects as crossValidate does', async () => {
    const task = { candidateKey: MLP, seed: 1, fold: 1 };
    const cell = await runCompareTask(ds, plan, task);
    const counts = foldCounts(1);
    expect(cell).toMatchObject({ ...task, pkRows: counts.pk, pdRows: counts.pd });
    expect(cell.outcomeSubjects).toBe(counts.dosed);
    expect(cell.outcomeCorrect).toBeLessThanOrEqual(cell.outcomeSubjects);
    expect(cell.parameters).toBeGreaterThan(0);
    expect(cell.quantumParameters).toBe(0);
    expect(cell.trainSeconds).toBeGreaterThan(0);
    expect(cell.predictMsPer1000).toBeGreaterThan(0);
    // The independent reference: crossValidate's fold 1 (same split, scaler, seed 1 + 1).
    const config = plan.candidates.find((c) => c.key === MLP)?.config;
    if (!config) throw new Error('no config');
    const cv = await crossValidate(ds, { ...config, seed: 1 }, { folds: 2, seed: 1 });
    expectClose(cell.pkRmse as number, cv.folds[1].pkRmse as number, { context: 'PK RMSE' });
    expectClose(cell.pdRmse as number, cv.folds[1].pdRmse as number, { context: 'PD RMSE' });
  });

  it('fits the mechanistic model to the training subjects and scores its typical values', async () => {
    const task = { candidateKey: NLME, seed: 1, fold: 0 };
    const cell = await runCompareTask(ds, plan, task);
    const counts = foldCounts(0);
    expect(cell).toMatchObject({ ...task, pkRows: counts.pk, pdRows: counts.pd });
    expect(cell.outcomeSubjects).toBe(counts.dosed);
    // ka, CL, V, Q, V2, baseline, kout, Imax, IC50; BW on CL and V, COMED on baseline; six ω;
    // σ of the concentration (proportional) and of the biomarker (combined: two).
    expect(cell.parameters).toBe(21);
    // Typical values cannot know a subject's own level: errors of the order of the variability.
    expect(cell.pkRmse).toBeGreaterThan(0);
    expect(cell.pkRmse).toBeLessThan(3);
    expect(cell.pdRmse).toBeGreaterThan(0);
    expect(cell.pdRmse).toBeLessThan(5);
  });

  it('stops when asked and refuses data the plan was not made on', async () => {
    await expect(
      runCompareTask(ds, plan, { candidateKey: MLP, seed: 1, fold: 0 }, { shouldStop: () => true }),
    ).rejects.toBeInstanceOf(CompareCancelledError);
    await expect(
      runCompareTask(whole, plan, { candidateKey: MLP, seed: 1, fold: 0 }),
    ).rejects.toThrow(/not those the comparison was planned on/);
    await expect(runCompareTask(ds, plan, { candidateKey: MLP, seed: 2, fold: 0 })).rejects.toThrow(
      /Seed 2/,
    );
  });
});

describe('populationRowPredictions', () => {
  it("gives each row the population model's typical-value prediction at its time", () => {
    const table = buildFeatureTable(ds);
    const picked = [0, 5, 13];
    const pk = selectRows(table.pk, picked);
    const pd = selectRows(table.pd, picked);
    const got = populationRowPredictions(ds, truth, pk, pd);
    const predictor = populationPredictor(truth, { id: 't', label: 't', kind: 'true-model' });
    for (const si of picked) {
      const s = ds.subjects[si];
      const obs = s.observations.filter((o) => o.dvid === 1 || o.dvid === 2);
      const ref = predictor.predict(
        s.covariates,
        s.doses,
        obs.map((o) => o.time),
      );
      obs.forEach((o, k) => {
        const rows = o.dvid === 1 ? pk : pd;
        const i = Array.from(rows.subject).findIndex((x, j) => x === si && rows.time[j] === o.time);
        const value = (o.dvid === 1 ? got.pk : got.pd)[i];
        const expected = o.dvid === 1 ? ref.concentration[k] : (ref.biomarker as Float64Array)[k];
        expectClose(value, expected, {
          rel: 1e-9,
          abs: 1e-12,
          context: `subject ${s.id} t ${o.time}`,
        });
      });
    }
  });
});
