import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/types';
import { expectClose } from '../../testing/close';
import { demoDataset } from '../../testing/demo';
import { crossValidate } from '../neural/crossValidation';
import { buildFeatureTable, selectRows } from '../neural/features';
import { populationPredictor } from '../models/populationPredictor';
import { fitPopulation } from '../nlme/fit';
import { buildFitSpec } from '../nlme/models';
import { preDoseBiomarker } from '../neural/features';
import { residualVariance, typicalParameters } from '../pkpd/population';
import { comparePlan } from './profiles';
import {
  CompareCancelledError,
  foldOf,
  populationRowPredictions,
  preDoseIndividualParameters,
  runCompareTask,
} from './runTask';
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

describe('preDoseIndividualParameters', () => {
  it("estimates each subject's baseline from its pre-dose biomarker (empirical Bayes), the rest typical", async () => {
    const spec = buildFitSpec('pk2-oral-idr1', ds);
    const fit = await fitPopulation(ds, spec, { covariance: false });
    const subjects = ds.subjects.map((_, i) => i);
    const got = preDoseIndividualParameters(ds, spec, fit, subjects);
    const omega = fit.model.randomEffects.find((re) => re.parameter === 'baseline')?.omega;
    const err = fit.model.residualError.biomarker;
    if (omega === undefined || !err) throw new Error('the fit has no ω baseline or biomarker σ');
    let moved = 0;
    for (const si of subjects) {
      const s = ds.subjects[si];
      const typical = typicalParameters(fit.model, s.covariates);
      const individual = got.get(si);
      if (!individual?.pd || !typical.pd) throw new Error(`subject ${s.id}: no PD parameters`);
      // Nothing before the first dose informs PK or the drug effect: they stay typical.
      expect(individual.pk.type).toBe(typical.pk.type);
      for (const [name, value] of Object.entries(typical.pk)) {
        if (typeof value !== 'number') continue;
        expectClose((individual.pk as unknown as Record<string, number>)[name], value as number, {
          rel: 1e-12,
          context: `${s.id} ${name}`,
        });
      }
      const pre = preDoseBiomarker(s);
      const tv = (typical.pd as { baseline: number }).baseline;
      const b = (individual.pd as { baseline: number }).baseline;
      if (!pre) {
        expect(b).toBe(tv);
        continue;
      }
      // The independent reference: OBJ(η) = Σ (y − B·e^η)²/V + log V + η²/ω², minimised over a
      // fine grid and then by golden section, by hand.
      const ys = s.observations.filter((o) => o.dvid === 2 && o.time <= pre.until).map((o) => o.dv);
      const obj = (eta: number) => {
        const f = tv * Math.exp(eta);
        let sum = (eta * eta) / (omega * omega);
        for (const y of ys) {
          const v = residualVariance(f, err);
          sum += ((y - f) * (y - f)) / v + Math.log(v);
        }
        return sum;
      };
      let best = 0;
      for (let eta = -3; eta <= 3; eta += 1e-3) if (obj(eta) < obj(best)) best = eta;
      let lo = best - 1e-3;
      let hi = best + 1e-3;
      for (let k = 0; k < 100; k++) {
        const m1 = lo + (hi - lo) * 0.382;
        const m2 = lo + (hi - lo) * 0.618;
        if (obj(m1) < obj(m2)) hi = m2;
        else lo = m1;
      }
      expectClose(Math.log(b / tv), (lo + hi) / 2, { abs: 1e-5, context: `${s.id} η baseline` });
      if (Math.abs(b / tv - 1) > 0.01) moved++;
    }
    // The pre-dose observations do inform the baseline.
    expect(moved).toBeGreaterThan(subjects.length / 2);
  });
});
