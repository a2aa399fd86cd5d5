import { describe, expect, it } from 'vitest';
import { csv, readEstData } from '../data/testFixtures';
import { importNonmem } from '../data/importNonmem';
import type { Dataset } from '../data/types';
import { TOL, expectClose } from '../../testing/close';
import { demoDataset } from '../../testing/demo';
import { bolus } from '../../testing/doses';
import {
  BASELINE_FEATURE,
  buildFeatureTable,
  buildTrainingData,
  featureNames,
  fitScaler,
  predictRegimen,
  regimenFeatures,
  scaleFeatures,
  scaleTargets,
  selectRows,
  unscaleTargets,
  type FeatureTable,
  type RawEndpointRows,
} from './features';

function load(text: string): Dataset {
  const r = importNonmem(text, { name: 'test' });
  if (!r.ok) expect.fail(r.problems.map((p) => `line ${p.line}: ${p.message}`).join('\n'));
  return r.dataset;
}

/** Row `i` of an endpoint as {name: value}. */
function rowOf(rows: RawEndpointRows, names: readonly string[], i: number) {
  return Object.fromEntries(names.map((n, j) => [n, rows.x[i * rows.width + j]]));
}

/**
 * Subject 1: BW 80, COMED 1, 10 mg at 0 h with II 24, ADDL 2 (doses at 0, 24, 48 h), then 5 mg
 * at 100 h. Subject 2: BW 60, COMED 0, no doses (placebo). PD at 0 h is pre-dose.
 */
const SMALL = csv(
  'ID,TIME,DV,AMT,EVID,MDV,CMT,DVID,II,ADDL,BW,COMED',
  '1,0,.,10,1,1,1,0,24,2,80,1',
  '1,0,9.5,0,0,0,3,2,0,0,80,1',
  '1,12,1.2,0,0,0,2,1,0,0,80,1',
  '1,24,0.8,0,0,0,2,1,0,0,80,1',
  '1,60,2.5,0,0,0,2,1,0,0,80,1',
  '1,60,6.0,0,0,0,3,2,0,0,80,1',
  '1,100,.,5,1,1,1,0,0,0,80,1',
  '1,120,1.9,0,0,0,2,1,0,0,80,1',
  '1,120,7.0,0,0,0,3,2,0,0,80,1',
  '2,0,11,0,0,0,3,2,0,0,60,0',
  '2,48,10.5,0,0,0,3,2,0,0,60,0',
);

const e = Math.exp;

/** The features of subject 1, worked out by hand from the dose list (0, 24, 48: 10 mg; 100: 5 mg). */
const HAND: Record<number, Record<string, number>> = {
  12: {
    BW: 80,
    COMED: 1,
    TIME_SINCE_FIRST_DOSE: 12,
    TIME_SINCE_LAST_DOSE: 12,
    LAST_DOSE: 10,
    N_DOSES: 1,
    CUM_DOSE: 10,
    DOSE_SUM_24H: 10,
    DOSE_SUM_72H: 10,
    DOSE_SUM_168H: 10,
    DOSE_DECAY_12H: 10 * e(-1),
    DOSE_DECAY_48H: 10 * e(-0.25),
    DOSE_DECAY_168H: 10 * e(-12 / 168),
    DOSE_PER_KG: 0.125,
    DOSING_INTERVAL: 0,
  },
  // A trough written at the dose time: the 24 h dose has not entered yet; the 0 h dose is
  // exactly 24 h back, inside the 24 h sum.
  24: {
    TIME_SINCE_FIRST_DOSE: 24,
    TIME_SINCE_LAST_DOSE: 24,
    LAST_DOSE: 10,
    N_DOSES: 1,
    CUM_DOSE: 10,
    DOSE_SUM_24H: 10,
    DOSE_SUM_72H: 10,
    DOSE_DECAY_12H: 10 * e(-2),
    DOSING_INTERVAL: 0,
  },
  60: {
    TIME_SINCE_FIRST_DOSE: 60,
    TIME_SINCE_LAST_DOSE: 12,
    LAST_DOSE: 10,
    N_DOSES: 3,
    CUM_DOSE: 30,
    DOSE_SUM_24H: 10,
    DOSE_SUM_72H: 30,
    DOSE_SUM_168H: 30,
    DOSE_DECAY_12H: 10 * (e(-5) + e(-3) + e(-1)),
    DOSE_DECAY_48H: 10 * (e(-60 / 48) + e(-36 / 48) + e(-12 / 48)),
    DOSE_DECAY_168H: 10 * (e(-60 / 168) + e(-36 / 168) + e(-12 / 168)),
    DOSE_PER_KG: 0.125,
    DOSING_INTERVAL: 24,
  },
  120: {
    TIME_SINCE_FIRST_DOSE: 120,
    TIME_SINCE_LAST_DOSE: 20,
    LAST_DOSE: 5,
    N_DOSES: 4,
    CUM_DOSE: 35,
    DOSE_SUM_24H: 5,
    // The 48 h dose is exactly 72 h back: inside the 72 h sum.
    DOSE_SUM_72H: 15,
    DOSE_SUM_168H: 35,
    DOSE_DECAY_12H: 10 * (e(-10) + e(-8) + e(-6)) + 5 * e(-20 / 12),
    DOSE_DECAY_48H: 10 * (e(-120 / 48) + e(-96 / 48) + e(-72 / 48)) + 5 * e(-20 / 48),
    DOSE_PER_KG: 5 / 80,
    DOSING_INTERVAL: 52,
  },
};

function expectFeatures(
  actual: Record<string, number>,
  expected: Record<string, number>,
  at: string,
) {
  for (const [name, v] of Object.entries(expected)) {
    expectClose(actual[name], v, { rel: TOL.exact, abs: 1e-12, context: `${name} at ${at}` });
  }
}

describe('features', () => {
  const ds = load(SMALL);
  const names = featureNames();
  const table = buildFeatureTable(ds);

  it('match hand-computed values for a regimen with II/ADDL doses', () => {
    expect(table.featureNames).toEqual(names);
    expect(names).toHaveLength(15);
    expect(Array.from(table.pk.time)).toEqual([12, 24, 60, 120]);
    expect(Array.from(table.pk.y)).toEqual([1.2, 0.8, 2.5, 1.9]);
    for (let i = 0; i < table.pk.rows; i++) {
      const t = table.pk.time[i];
      expectFeatures(rowOf(table.pk, names, i), HAND[t], `${t} h`);
    }
    // PD rows of subject 1 at 60 and 120 h carry the same features as its PK rows there.
    const pd60 = Array.from(table.pd.time).indexOf(60);
    expectFeatures(rowOf(table.pd, names, pd60), HAND[60], 'PD 60 h');
  });

  it('are zero before the first dose and for a subject with no doses', () => {
    const zeroDose = { BW: 80, COMED: 1, N_DOSES: 0, CUM_DOSE: 0, TIME_SINCE_FIRST_DOSE: 0 };
    expectFeatures(rowOf(table.pd, names, 0), zeroDose, 'pre-dose');
    const placebo = [...table.pd.subject].flatMap((s, i) => (s === 1 ? [i] : []));
    expect(placebo).toHaveLength(2);
    for (const i of placebo) {
      const r = rowOf(table.pd, names, i);
      expect(r.BW).toBe(60);
      expect(r.COMED).toBe(0);
      for (const n of names.slice(2)) expect(r[n], n).toBe(0);
    }
  });

  it('of an arbitrary regimen equal those derived from the data set for the same doses', () => {
    // Written out dose by dose instead of II/ADDL: same features.
    const doses = [bolus(0, 10), bolus(24, 10), bolus(48, 10), bolus(100, 5)];
    const x = regimenFeatures(doses, { BW: 80, COMED: 1 }, [12, 24, 60, 120]);
    expect(Array.from(x)).toEqual(Array.from(selectRows(table.pk, [0]).x));

    // Every subject of a demo trial, at its own observation times.
    const demo = demoDataset(7).ds;
    const demoTable = buildFeatureTable(demo);
    demo.subjects.forEach((s, si) => {
      const rows = selectRows(demoTable.pd, [si]);
      const fx = regimenFeatures(s.doses, s.covariates, Array.from(rows.time));
      expect(Array.from(fx), `subject ${s.id}`).toEqual(Array.from(rows.x));
    });
  });

  it('on EstData: 21 daily doses, then the wash-out', () => {
    const est = buildFeatureTable(load(readEstData()));
    expect([est.pk.rows, est.pd.rows]).toEqual([864, 1200]);
    const at = (t: number) =>
      Array.from(est.pk.time).flatMap((time, i) => (time === t ? [rowOf(est.pk, names, i)] : []));
    // 36 active subjects sampled at 1176 h, 696 h after their last dose at 480 h.
    const last = at(1176);
    expect(last).toHaveLength(36);
    for (const r of last) {
      expect(r).toMatchObject({ N_DOSES: 21, TIME_SINCE_LAST_DOSE: 696, DOSING_INTERVAL: 24 });
      expect(r.CUM_DOSE).toBeCloseTo(21 * r.LAST_DOSE, 9);
      expect([1, 3, 10]).toContain(r.LAST_DOSE);
      expect(r.DOSE_SUM_168H).toBe(0);
    }
    // The trough at 480 h, before the last dose: 20 doses so far, one day's and a week's worth.
    for (const r of at(480)) {
      expect(r).toMatchObject({ N_DOSES: 20, TIME_SINCE_LAST_DOSE: 24 });
      expect(r.DOSE_SUM_24H).toBe(r.LAST_DOSE);
      expect(r.DOSE_SUM_168H).toBeCloseTo(7 * r.LAST_DOSE, 9);
    }
  });

  it('restart the history at a reset (EVID 3)', () => {
    const doses = [bolus(0, 10), { time: 30, amt: 0, cmt: 1, evid: 3 as const }, bolus(48, 4)];
    const x = regimenFeatures(doses, { BW: 50, COMED: 0 }, [40, 50]);
    const at40 = Object.fromEntries(names.map((n, j) => [n, x[j]]));
    const at50 = Object.fromEntries(names.map((n, j) => [n, x[names.length + j]]));
    expect(at40).toMatchObject({ N_DOSES: 0, CUM_DOSE: 0, DOSE_DECAY_168H: 0 });
    expect(at50).toMatchObject({ N_DOSES: 1, CUM_DOSE: 4, TIME_SINCE_FIRST_DOSE: 2 });
  });

  it('take the pre-dose biomarker as an input only when asked, and drop its rows', () => {
    const withBaseline = buildFeatureTable(ds, { baseline: true });
    expect(withBaseline.featureNames.at(-1)).toBe(BASELINE_FEATURE);
    expect(featureNames({ baseline: true })).toEqual([...names, BASELINE_FEATURE]);
    // Subject 1's 0 h value (9.5) and the placebo subject's first value (11) become inputs
    // and leave the rows to be predicted; PK rows are untouched.
    expect(Array.from(withBaseline.pd.time)).toEqual([60, 120, 48]);
    expect(Array.from(withBaseline.pd.y)).toEqual([6.0, 7.0, 10.5]);
    const b = (i: number) => rowOf(withBaseline.pd, withBaseline.featureNames, i)[BASELINE_FEATURE];
    expect([b(0), b(1), b(2)]).toEqual([9.5, 9.5, 11]);
    expect(withBaseline.pk.rows).toBe(4);
    // Same rows without the input, for a like-with-like comparison.
    const same = buildFeatureTable(ds, { excludePreDose: true });
    expect(Array.from(same.pd.time)).toEqual([60, 120, 48]);
    expect(same.featureNames).toEqual(names);
  });
});

describe('scaler', () => {
  const ds = load(SMALL);
  const table = buildFeatureTable(ds);

  it('is fitted on the training subjects only', () => {
    const scaler = fitScaler(table, [0]);
    // Features over subject 1's 4 PK and 3 PD rows; BW is constant there: sd falls back to 1.
    expect(scaler.features[0]).toEqual({ mean: 80, sd: 1 });
    // N_DOSES on its PK rows (12, 24, 60, 120 h) and PD rows (0, 60, 120 h).
    expectClose(scaler.features[5].mean, (1 + 1 + 3 + 4 + 0 + 3 + 4) / 7, { context: 'N_DOSES' });
    expectClose(scaler.pk.mean, (1.2 + 0.8 + 2.5 + 1.9) / 4, { context: 'PK mean' });
    expectClose(scaler.pd.mean, (9.5 + 6 + 7) / 3, { context: 'PD mean' });

    // Changing the other subject's values changes nothing.
    const changed: FeatureTable = {
      ...table,
      pd: { ...table.pd, y: table.pd.y.map((y, i) => (table.pd.subject[i] === 1 ? y * 1000 : y)) },
    };
    expect(fitScaler(changed, [0])).toEqual(scaler);
    expect(fitScaler(changed, [0, 1])).not.toEqual(scaler);
  });

  it('round-trips targets, with and without log1p', () => {
    for (const log of [false, true]) {
      const scaler = fitScaler(table, [0, 1], log);
      const y = [0, 0.5, 3.3, 12];
      const back = unscaleTargets(scaler, 'pd', scaleTargets(scaler, 'pd', y));
      y.forEach((v, i) => expectClose(back[i], v, { rel: 1e-6, abs: 1e-6, context: `log ${log}` }));
    }
    const scaler = fitScaler(table, [0], true);
    expectClose(scaler.pk.mean, [1.2, 0.8, 2.5, 1.9].reduce((a, y) => a + Math.log1p(y), 0) / 4);
  });

  it('scales features to mean 0 and sd 1 on the training rows and unknowns to 0', () => {
    const scaler = fitScaler(table, [0, 1]);
    const data = buildTrainingData(table, scaler, [0, 1]);
    const w = table.featureNames.length;
    const all = [data.pk, data.pd];
    const rows = all.reduce((a, r) => a + r.rows, 0);
    for (let j = 2; j < w; j++) {
      let sum = 0;
      let sum2 = 0;
      for (const r of all) {
        for (let i = 0; i < r.rows; i++) {
          sum += r.x[i * w + j];
          sum2 += r.x[i * w + j] ** 2;
        }
      }
      expectClose(sum / rows, 0, { abs: 1e-6, context: `${table.featureNames[j]} mean` });
      expectClose(sum2 / rows, 1, { rel: 1e-5, context: `${table.featureNames[j]} variance` });
    }
    const x = new Float64Array(w).fill(NaN);
    expect(Array.from(scaleFeatures(scaler, x, 1))).toEqual(new Array(w).fill(0));
    expect(() => scaleFeatures(scaler, x, 2)).toThrow(/2 rows of 15 features/);
  });

  it('gives a network its predictions in mg/L and ng/mL for any regimen', () => {
    const scaler = fitScaler(table, [0, 1]);
    // A stand-in network that predicts the training mean (scaled 0) everywhere.
    const zero = {
      predictPk: (_x: Float32Array, n: number) => new Float32Array(n),
      predictPd: (_x: Float32Array, n: number) => new Float32Array(n),
    };
    const p = predictRegimen(
      zero,
      scaler,
      [bolus(0, 3, 1, { ii: 24, addl: 6 })],
      { BW: 70 },
      [1, 2],
    );
    expectClose(p.concentration[1], scaler.pk.mean, { rel: 1e-6 });
    expectClose(p.biomarker[0], scaler.pd.mean, { rel: 1e-6 });
    expect(() => predictRegimen(zero, scaler, [], {}, [1], { baseline: true })).toThrow(
      /fitted on features/,
    );
  });
});
