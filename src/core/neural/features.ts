import type { Dataset, SubjectData } from '../data/types';
import { expandDoses } from '../pkpd/doseEvents';
import type { DoseEvent } from '../pkpd/types';
import type { Hours, Kg, NgPerMl } from '../units';
import type {
  DoseHistoryRows,
  EndpointRows,
  NeuralConfig,
  Standardisation,
  TrainedNetwork,
  TrainingData,
} from './types';

export type { Standardisation } from './types';

/**
 * Inputs of the neural models: for each observation, features computed only from the
 * subject's covariates and its dosing history before that time (the seed's feature
 * engineering, made causal), so that a trained network predicts any regimen a user types.
 *
 * Conventions:
 * - A dose counts for an observation at time t when it was given strictly before t: a sample
 *   written at a dose time is a trough, taken before that dose enters.
 * - II/ADDL are written out as doses of their own; a reset (EVID 3, or the reset of EVID 4)
 *   clears the history before it. SS and infusion records count as one dose of AMT at their
 *   time (the features carry no model to turn them into amounts).
 * - Amounts are AMT in mg (no bioavailability: the network learns it).
 * - Before any dose, the time features are 0 (number of doses 0 tells the network why).
 *
 * Beside its features each row carries its dose history (the same doses: time since each and
 * its amount), which the parameter head simulates its compartmental model from.
 */

/** Windows of the running dose sums, h (the seed's "dose sums over the previous 24–168 h"). */
export const DOSE_SUM_WINDOWS: readonly Hours[] = [24, 72, 168];
/**
 * Time constants of the superposition terms Σ dose·exp(−(t − t_dose)/τ), h: roughly the
 * absorption/distribution, a few days, and the long terminal phase (well over 100 h on the
 * challenge data).
 */
export const DECAY_TIME_CONSTANTS: readonly Hours[] = [12, 48, 168];

/** The name of the optional pre-dose biomarker input. */
export const BASELINE_FEATURE = 'BASELINE_PD';

const BASE_FEATURES = [
  'BW',
  'COMED',
  'TIME_SINCE_FIRST_DOSE',
  'TIME_SINCE_LAST_DOSE',
  'LAST_DOSE',
  'N_DOSES',
  'CUM_DOSE',
  ...DOSE_SUM_WINDOWS.map((w) => `DOSE_SUM_${w}H`),
  ...DECAY_TIME_CONSTANTS.map((tau) => `DOSE_DECAY_${tau}H`),
  'DOSE_PER_KG',
  'DOSING_INTERVAL',
] as const;

/** What each feature means, with its unit, for tables and tooltips. */
export const FEATURE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  BW: 'body weight, kg',
  COMED: 'concomitant medication, 0/1',
  TIME_SINCE_FIRST_DOSE: 'time since the first dose, h (0 before it)',
  TIME_SINCE_LAST_DOSE: 'time since the last dose, h (0 before the first)',
  LAST_DOSE: 'amount of the last dose, mg',
  N_DOSES: 'number of doses so far',
  CUM_DOSE: 'cumulative dose, mg',
  ...Object.fromEntries(
    DOSE_SUM_WINDOWS.map((w) => [`DOSE_SUM_${w}H`, `doses given in the previous ${w} h, mg`]),
  ),
  ...Object.fromEntries(
    DECAY_TIME_CONSTANTS.map((tau) => [
      `DOSE_DECAY_${tau}H`,
      `Σ dose·exp(−(t − t_dose)/${tau} h), mg`,
    ]),
  ),
  DOSE_PER_KG: 'last dose per body weight, mg/kg',
  DOSING_INTERVAL: 'gap between the last two doses, h (0 before the second)',
  [BASELINE_FEATURE]: "the subject's pre-dose biomarker, ng/mL",
};

export interface FeatureOptions {
  /**
   * Add the subject's pre-dose biomarker as an input (BASELINE_PD). The pre-dose
   * observations it is taken from then leave the PD rows (they would be their own answer).
   */
  readonly baseline?: boolean;
  /**
   * Leave the pre-dose PD observations out even without the baseline input, so that models
   * with and without it are scored on the same rows.
   */
  readonly excludePreDose?: boolean;
}

/** Feature names in column order. */
export function featureNames(opts: FeatureOptions = {}): string[] {
  return opts.baseline ? [...BASE_FEATURES, BASELINE_FEATURE] : [...BASE_FEATURES];
}

/** Covariates of a patient for predictions; a missing value is scaled to the training mean. */
export interface FeatureCovariates {
  readonly BW?: Kg;
  readonly COMED?: number;
  /** Pre-dose biomarker, used when the model was trained with the baseline input. */
  readonly BASELINE_PD?: NgPerMl;
}

/** A subject's doses (amount > 0, II/ADDL written out) in time order, and its resets. */
interface DoseHistory {
  readonly time: Float64Array;
  readonly amt: Float64Array;
  /** Reset times (EVID 3 and 4), increasing. */
  readonly resets: Float64Array;
}

function doseHistory(events: readonly DoseEvent[]): DoseHistory {
  const times: number[] = [];
  const amts: number[] = [];
  const resets: number[] = [];
  for (const e of expandDoses(events)) {
    if (e.evid === 3 || e.evid === 4) resets.push(e.time);
    if (e.evid !== 3 && e.amt > 0) {
      times.push(e.time);
      amts.push(e.amt);
    }
  }
  return {
    time: Float64Array.from(times),
    amt: Float64Array.from(amts),
    resets: Float64Array.from(resets),
  };
}

/** Time of the first dose (amount > 0), or undefined when there is none. */
function firstDoseTime(history: DoseHistory): Hours | undefined {
  return history.time.length > 0 ? history.time[0] : undefined;
}

/**
 * Writes the features of one time into `out` at `offset` (BASE_FEATURES order, then the
 * baseline when `baseline` is not undefined).
 */
function writeFeatures(
  history: DoseHistory,
  bw: number,
  comed: number,
  t: Hours,
  out: Float64Array,
  offset: number,
  baseline: number | undefined,
): void {
  // The history starts at the last reset before t.
  let start = -Infinity;
  for (const r of history.resets) if (r < t) start = r;
  let n = 0;
  let cum = 0;
  let first = NaN;
  let last = NaN;
  let previous = NaN;
  let lastAmt = 0;
  const sums = new Array<number>(DOSE_SUM_WINDOWS.length).fill(0);
  const decays = new Array<number>(DECAY_TIME_CONSTANTS.length).fill(0);
  for (let i = 0; i < history.time.length; i++) {
    const td = history.time[i];
    if (td >= t) break;
    if (td < start) continue;
    const amt = history.amt[i];
    n++;
    cum += amt;
    if (n === 1) first = td;
    previous = last;
    last = td;
    lastAmt = amt;
    const dt = t - td;
    for (let k = 0; k < DOSE_SUM_WINDOWS.length; k++) if (dt <= DOSE_SUM_WINDOWS[k]) sums[k] += amt;
    for (let k = 0; k < DECAY_TIME_CONSTANTS.length; k++) {
      decays[k] += amt * Math.exp(-dt / DECAY_TIME_CONSTANTS[k]);
    }
  }
  let j = offset;
  out[j++] = bw;
  out[j++] = comed;
  out[j++] = n > 0 ? t - first : 0;
  out[j++] = n > 0 ? t - last : 0;
  out[j++] = lastAmt;
  out[j++] = n;
  out[j++] = cum;
  for (const s of sums) out[j++] = s;
  for (const d of decays) out[j++] = d;
  out[j++] = n > 0 ? lastAmt / bw : 0;
  out[j++] = n > 1 ? last - previous : 0;
  if (baseline !== undefined) out[j++] = baseline;
}

/**
 * The doses that count at time t as a range [from, to) of the history's doses: given strictly
 * before t and not before the last reset before t (writeFeatures' rule).
 */
function countedDoses(history: DoseHistory, t: Hours): { from: number; to: number } {
  let start = -Infinity;
  for (const r of history.resets) if (r < t) start = r;
  let from = 0;
  while (from < history.time.length && history.time[from] < start) from++;
  let to = from;
  while (to < history.time.length && history.time[to] < t) to++;
  return { from, to };
}

/**
 * Dose histories of rows given as (history, time) pairs, packed to the longest one (at least one
 * slot, so that tensors are never empty). Times since dose are computed in double precision and
 * stored as float32 (1176 h to within 1e-4 h).
 */
function packDoseHistories(
  rows: readonly { readonly history: DoseHistory; readonly time: Hours }[],
): DoseHistoryRows {
  const ranges = rows.map((r) => countedDoses(r.history, r.time));
  const slots = Math.max(1, ...ranges.map((r) => r.to - r.from));
  const elapsed = new Float32Array(rows.length * slots);
  const amount = new Float32Array(rows.length * slots);
  rows.forEach(({ history, time }, i) => {
    const { from, to } = ranges[i];
    for (let d = from; d < to; d++) {
      elapsed[i * slots + d - from] = time - history.time[d];
      amount[i * slots + d - from] = history.amt[d];
    }
  });
  return { slots, elapsed, amount };
}

/**
 * The dose history of every time of a regimen (dose records, II/ADDL allowed): for each time,
 * the time since (h) and amount (mg) of every dose that counts, as the parameter head takes
 * them. The same doses `regimenFeatures` computes its features from.
 */
export function regimenDoseHistory(
  doses: readonly DoseEvent[],
  times: readonly Hours[],
): DoseHistoryRows {
  const history = doseHistory(doses);
  return packDoseHistories(times.map((time) => ({ history, time })));
}

/** The rows `idx` of dose histories, repacked to their own longest history. */
function selectDoseHistories(doses: DoseHistoryRows, idx: readonly number[]): DoseHistoryRows {
  const s = doses.slots;
  let slots = 1;
  for (const r of idx) {
    let n = s;
    while (n > 0 && doses.amount[r * s + n - 1] === 0) n--;
    slots = Math.max(slots, n);
  }
  const elapsed = new Float32Array(idx.length * slots);
  const amount = new Float32Array(idx.length * slots);
  idx.forEach((r, k) => {
    elapsed.set(doses.elapsed.subarray(r * s, r * s + slots), k * slots);
    amount.set(doses.amount.subarray(r * s, r * s + slots), k * slots);
  });
  return { slots, elapsed, amount };
}

/** A finite number or NaN (NaN is scaled to the training mean: "unknown"). */
function orNaN(x: number | undefined): number {
  return x !== undefined && Number.isFinite(x) ? x : NaN;
}

/**
 * Features of a regimen (dose records, II/ADDL allowed) for a patient with `covariates`, at
 * `times` (h, the regimen's clock): rows × width, row-major, in `featureNames(opts)` order.
 * The same numbers `buildFeatureTable` computes for a subject with these doses.
 */
export function regimenFeatures(
  doses: readonly DoseEvent[],
  covariates: FeatureCovariates,
  times: readonly Hours[],
  opts: FeatureOptions = {},
): Float64Array {
  const width = featureNames(opts).length;
  const history = doseHistory(doses);
  const out = new Float64Array(times.length * width);
  const baseline = opts.baseline ? orNaN(covariates.BASELINE_PD) : undefined;
  const bw = orNaN(covariates.BW);
  const comed = orNaN(covariates.COMED);
  for (let i = 0; i < times.length; i++) {
    writeFeatures(history, bw, comed, times[i], out, i * width, baseline);
  }
  return out;
}

/** A covariate's value at time t: last change at or before t, else the subject's baseline. */
function covariateAt(s: SubjectData, name: string, t: Hours): number {
  const series = s.timeVaryingCovariates[name];
  let value = s.covariates[name];
  if (series) for (const p of series) if (p.time <= t) value = p.value;
  return orNaN(value);
}

/** PK observations are DVID 1 (mg/L), PD observations DVID 2 (ng/mL). */
export const PK_DVID = 1;
export const PD_DVID = 2;

/**
 * The pre-dose biomarker of a subject: the mean of its PD observations at or before the first
 * dose (for a subject with no doses, those at its first PD time), and the time up to which
 * observations count as pre-dose. Undefined when there is none.
 */
export function preDoseBiomarker(
  s: SubjectData,
): { readonly value: NgPerMl; readonly until: Hours } | undefined {
  const pd = s.observations.filter((o) => o.dvid === PD_DVID);
  if (pd.length === 0) return undefined;
  const until = firstDoseTime(doseHistory(s.doses)) ?? Math.min(...pd.map((o) => o.time));
  const pre = pd.filter((o) => o.time <= until);
  if (pre.length === 0) return undefined;
  return { value: pre.reduce((a, o) => a + o.dv, 0) / pre.length, until };
}

/** The rows of one endpoint before scaling: features x, observed y (mg/L or ng/mL). */
export interface RawEndpointRows {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly time: Float64Array;
  /** Index of the row's subject in the dataset. */
  readonly subject: Int32Array;
  readonly rows: number;
  readonly width: number;
  /** Each row's dose history (buildFeatureTable always adds it). */
  readonly doses?: DoseHistoryRows;
}

/** Every observation row of a dataset with its features, computed once. */
export interface FeatureTable {
  readonly featureNames: readonly string[];
  readonly options: FeatureOptions;
  /** Subject IDs in dataset order (indices into this are the rows' `subject`). */
  readonly subjectIds: readonly string[];
  readonly pk: RawEndpointRows;
  readonly pd: RawEndpointRows;
}

/** Features for every PK (DVID 1) and PD (DVID 2) observation of every subject. */
export function buildFeatureTable(ds: Dataset, opts: FeatureOptions = {}): FeatureTable {
  const names = featureNames(opts);
  const width = names.length;
  const acc = { pk: newAccumulator(), pd: newAccumulator() };
  ds.subjects.forEach((s, si) => {
    const history = doseHistory(s.doses);
    const pre = opts.baseline || opts.excludePreDose ? preDoseBiomarker(s) : undefined;
    const baseline = opts.baseline ? orNaN(pre?.value) : undefined;
    const row = new Float64Array(width);
    for (const o of s.observations) {
      const endpoint = o.dvid === PK_DVID ? acc.pk : o.dvid === PD_DVID ? acc.pd : undefined;
      if (!endpoint) continue;
      if (o.dvid === PD_DVID && pre && o.time <= pre.until) continue;
      writeFeatures(
        history,
        covariateAt(s, 'BW', o.time),
        covariateAt(s, 'COMED', o.time),
        o.time,
        row,
        0,
        baseline,
      );
      for (const v of row) endpoint.x.push(v);
      endpoint.y.push(o.dv);
      endpoint.time.push(o.time);
      endpoint.subject.push(si);
      endpoint.histories.push({ history, time: o.time });
    }
  });
  return {
    featureNames: names,
    options: opts,
    subjectIds: ds.subjects.map((s) => s.id),
    pk: freeze(acc.pk, width),
    pd: freeze(acc.pd, width),
  };
}

function newAccumulator() {
  return {
    x: [] as number[],
    y: [] as number[],
    time: [] as number[],
    subject: [] as number[],
    histories: [] as { history: DoseHistory; time: Hours }[],
  };
}

function freeze(a: ReturnType<typeof newAccumulator>, width: number): RawEndpointRows {
  return {
    x: Float64Array.from(a.x),
    y: Float64Array.from(a.y),
    time: Float64Array.from(a.time),
    subject: Int32Array.from(a.subject),
    rows: a.y.length,
    width,
    doses: packDoseHistories(a.histories),
  };
}

/** The rows of the given subjects, in table order. */
export function selectRows(rows: RawEndpointRows, subjects: readonly number[]): RawEndpointRows {
  const keep = new Set(subjects);
  const idx: number[] = [];
  for (let i = 0; i < rows.rows; i++) if (keep.has(rows.subject[i])) idx.push(i);
  const w = rows.width;
  const x = new Float64Array(idx.length * w);
  idx.forEach((r, k) => x.set(rows.x.subarray(r * w, (r + 1) * w), k * w));
  return {
    x,
    y: Float64Array.from(idx, (r) => rows.y[r]),
    time: Float64Array.from(idx, (r) => rows.time[r]),
    subject: Int32Array.from(idx, (r) => rows.subject[r]),
    rows: idx.length,
    width: w,
    ...(rows.doses ? { doses: selectDoseHistories(rows.doses, idx) } : {}),
  };
}

/**
 * Scaling fitted on training subjects only and applied unchanged to validation, test and
 * prediction rows: features to mean 0 / sd 1 (NaN, an unknown value, becomes 0, the training
 * mean); targets optionally through log(1 + y), then to mean 0 / sd 1. Plain data: it is
 * saved with a trained model.
 */
export interface Scaler {
  readonly featureNames: readonly string[];
  readonly features: readonly Standardisation[];
  readonly logTargets: boolean;
  readonly pk: Standardisation;
  readonly pd: Standardisation;
}

/** Mean and sd of the finite values; sd 1 when they do not vary (or there are none). */
function standardisation(values: Iterable<number>): Standardisation {
  let n = 0;
  let sum = 0;
  let sum2 = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sum2 += v * v;
  }
  if (n === 0) return { mean: 0, sd: 1 };
  const mean = sum / n;
  const variance = Math.max(0, sum2 / n - mean * mean);
  const sd = Math.sqrt(variance);
  // Relative guard: a constant column (COMED all 0, or one BW) must not blow up to 1/ε.
  return { mean, sd: sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1 };
}

function targetTransform(y: number, log: boolean, what: string): number {
  if (!log) return y;
  if (!(y > -1)) throw new Error(`log targets need values > −1; a ${what} value is ${y}`);
  return Math.log1p(y);
}

/** Fits the scaler on the rows of `trainSubjects` (dataset indices) only. */
export function fitScaler(
  table: FeatureTable,
  trainSubjects: readonly number[],
  logTargets = false,
): Scaler {
  const pk = selectRows(table.pk, trainSubjects);
  const pd = selectRows(table.pd, trainSubjects);
  const w = table.featureNames.length;
  const column = function* (j: number) {
    for (const rows of [pk, pd]) for (let i = 0; i < rows.rows; i++) yield rows.x[i * w + j];
  };
  const target = (rows: RawEndpointRows, what: string) =>
    standardisation(Array.from(rows.y, (y) => targetTransform(y, logTargets, what)));
  return {
    featureNames: table.featureNames,
    features: table.featureNames.map((_, j) => standardisation(column(j))),
    logTargets,
    pk: target(pk, 'concentration'),
    pd: target(pd, 'biomarker'),
  };
}

/** Scaled features (rows × width, Float32 for the network) from raw ones. */
export function scaleFeatures(scaler: Scaler, x: Float64Array, rows: number): Float32Array {
  const w = scaler.features.length;
  if (x.length !== rows * w) {
    throw new Error(`expected ${rows} rows of ${w} features, got ${x.length} values`);
  }
  const out = new Float32Array(rows * w);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < w; j++) {
      const v = x[i * w + j];
      const s = scaler.features[j];
      out[i * w + j] = Number.isFinite(v) ? (v - s.mean) / s.sd : 0;
    }
  }
  return out;
}

export type Endpoint = 'pk' | 'pd';

/** Scaled targets from observed values (mg/L or ng/mL). */
export function scaleTargets(
  scaler: Scaler,
  endpoint: Endpoint,
  y: ArrayLike<number>,
): Float32Array {
  const s = scaler[endpoint];
  const what = endpoint === 'pk' ? 'concentration' : 'biomarker';
  return Float32Array.from(y, (v) => (targetTransform(v, scaler.logTargets, what) - s.mean) / s.sd);
}

/** Predictions back on the original scale (mg/L or ng/mL, floored at 0) from scaled outputs. */
export function unscaleTargets(
  scaler: Scaler,
  endpoint: Endpoint,
  scaled: ArrayLike<number>,
): Float64Array {
  const s = scaler[endpoint];
  return Float64Array.from(scaled, (z) => {
    const v = z * s.sd + s.mean;
    // A concentration or a biomarker level is never negative; a direct network's output is
    // unconstrained, so its answer is floored at 0 (NaN stays NaN, to be reported).
    return Math.max(0, scaler.logTargets ? Math.expm1(v) : v);
  });
}

function scaledRows(scaler: Scaler, rows: RawEndpointRows, endpoint: Endpoint): EndpointRows {
  return {
    x: scaleFeatures(scaler, rows.x, rows.rows),
    y: scaleTargets(scaler, endpoint, rows.y),
    rows: rows.rows,
    width: rows.width,
    subject: rows.subject,
    ...(rows.doses ? { doses: rows.doses } : {}),
  };
}

/** What a network trains (or is scored) on: the scaled rows of `subjects`. */
export function buildTrainingData(
  table: FeatureTable,
  scaler: Scaler,
  subjects: readonly number[],
): TrainingData {
  return {
    pk: scaledRows(scaler, selectRows(table.pk, subjects), 'pk'),
    pd: scaledRows(scaler, selectRows(table.pd, subjects), 'pd'),
    featureNames: table.featureNames,
    targets: { logTargets: scaler.logTargets, pk: scaler.pk, pd: scaler.pd },
  };
}

/**
 * A trained network's predictions for a regimen (dose records) and a patient, at `times` (h):
 * concentration (mg/L) and biomarker (ng/mL) on the original scale. `opts` must be the
 * feature options the network was trained with. With `dropoutSeed`, one Monte Carlo dropout
 * sample instead of the deterministic prediction. A parameter-head network (config.head
 * 'parameters') is given each time's dose history as well.
 */
export function predictRegimen(
  network: Pick<TrainedNetwork, 'predictPk' | 'predictPd'> & {
    readonly config?: Pick<NeuralConfig, 'head'>;
  },
  scaler: Scaler,
  doses: readonly DoseEvent[],
  covariates: FeatureCovariates,
  times: readonly Hours[],
  opts: FeatureOptions = {},
  dropoutSeed?: number,
): { readonly concentration: Float64Array; readonly biomarker: Float64Array } {
  const names = featureNames(opts);
  if (names.join() !== scaler.featureNames.join()) {
    throw new Error(
      `the scaler was fitted on features ${scaler.featureNames.join(', ')}, not ${names.join(', ')}`,
    );
  }
  const x = scaleFeatures(scaler, regimenFeatures(doses, covariates, times, opts), times.length);
  // Only the parameter head reads dose histories; a long regimen's are large (times × doses).
  const history =
    network.config?.head === 'parameters' ? regimenDoseHistory(doses, times) : undefined;
  const n = times.length;
  return {
    concentration: unscaleTargets(scaler, 'pk', network.predictPk(x, n, dropoutSeed, history)),
    biomarker: unscaleTargets(scaler, 'pd', network.predictPd(x, n, dropoutSeed, history)),
  };
}
