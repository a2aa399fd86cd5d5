import { expandDoses } from '../pkpd/doseEvents';
import { simulatePkPd } from '../pkpd/pd';
import { splitParameters, typicalParameters, type PopulationModel } from '../pkpd/population';
import type { DoseEvent, PkPdParameters, SimulationResult } from '../pkpd/types';
import type { Hours } from '../units';
import type { FitSubjectResult } from './types';

/**
 * Smooth model curves for one fitted subject: the population curve (typical parameters for the
 * subject's covariates, η = 0) and the individual curve (the subject's empirical Bayes
 * parameters), on a time grid dense enough to show each dose's peak.
 */

/** Evenly spaced points over the subject's whole time range. */
export const CURVE_GRID_POINTS = 300;
/**
 * Extra points after each dose, as fractions of the time to the next dose (or to the end): dense
 * early so absorption peaks and IV spikes are drawn, sparser later. 0 is the dose time itself
 * (outputs at a dose time include the dose).
 */
const AFTER_DOSE_FRACTIONS = [0, 0.005, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.25, 0.4, 0.6, 0.8];
/** Just before each dose, as a fraction of the preceding gap: draws the trough of a sawtooth. */
const BEFORE_DOSE_FRACTION = 1e-3;
/** Doses beyond this many get no extra points (a long record still plots in bounded time). */
const MAX_REFINED_DOSES = 400;
/** Times closer than this are merged, h. */
const TIME_RESOLUTION = 1e-9;
/** A subject with a single time point is drawn over this span, h. */
const MIN_SPAN: Hours = 24;

/**
 * Times for a subject's curves, ascending and distinct: an even grid from the earliest record
 * (or 0) to the latest, the observation times themselves, and points clustered after every
 * dose (ADDL expanded).
 */
export function curveTimes(
  doses: readonly DoseEvent[],
  observationTimes: readonly Hours[],
  points: number = CURVE_GRID_POINTS,
): Float64Array {
  const doseTimes = expandDoses(doses)
    .filter((d) => d.evid !== 3 && Number.isFinite(d.time))
    .map((d) => d.time);
  const obs = observationTimes.filter(Number.isFinite);
  const all = [...doseTimes, ...obs];
  const start = Math.min(0, ...all);
  let end = all.length ? Math.max(...all) : start;
  if (!(end - start > 0)) end = start + MIN_SPAN;
  const out: number[] = [...obs];
  const n = Math.max(2, Math.floor(points));
  for (let i = 0; i < n; i++) out.push(start + ((end - start) * i) / (n - 1));
  const refined = doseTimes.slice(0, MAX_REFINED_DOSES);
  refined.forEach((t, i) => {
    const next = doseTimes.find((u, j) => j > i && u > t + TIME_RESOLUTION) ?? end;
    const gap = next - t;
    if (!(gap > 0)) return;
    for (const f of AFTER_DOSE_FRACTIONS) out.push(t + f * gap);
    const prev = i > 0 ? t - doseTimes[i - 1] : 0;
    if (prev > 0) out.push(t - BEFORE_DOSE_FRACTION * prev);
  });
  out.sort((a, b) => a - b);
  const times: number[] = [];
  for (const t of out) {
    if (t < start - TIME_RESOLUTION || t > end + TIME_RESOLUTION) continue;
    if (times.length === 0 || t - times[times.length - 1] > TIME_RESOLUTION) times.push(t);
  }
  return Float64Array.from(times);
}

/**
 * A subject's structural parameters from a fit: the flat record of individual values (CL, V,
 * ka, Q, V2 → PK; baseline, kout, Imax, IC50… → PD) over the typical values for the subject's
 * covariates, so a parameter the fit held fixed and did not report still has its value.
 */
export function individualPkPdParameters(
  model: PopulationModel,
  subject: Pick<FitSubjectResult, 'parameters' | 'covariates'>,
): PkPdParameters {
  let base: PkPdParameters | null = null;
  try {
    base = typicalParameters(model, subject.covariates);
  } catch {
    // A covariate the typical value needs is missing: the subject's own values must do.
  }
  const values: Record<string, number> = {};
  for (const record of [base?.pk, base?.pd, subject.parameters]) {
    for (const [name, value] of Object.entries(record ?? {})) {
      if (typeof value === 'number' && Number.isFinite(value)) values[name] = value;
    }
  }
  return splitParameters(model.pk, model.pd, values);
}

export interface SubjectCurves {
  readonly times: Float64Array;
  /** Typical subject with these covariates (PRED); null when it cannot be simulated. */
  readonly population: SimulationResult | null;
  /** The subject's own parameters (IPRED); null when it cannot be simulated. */
  readonly individual: SimulationResult | null;
  /** Why a curve is missing, one sentence each. */
  readonly problems: readonly string[];
}

/** Population and individual curves of one fitted subject under its own dose records. */
export function subjectCurves(
  model: PopulationModel,
  subject: Pick<FitSubjectResult, 'id' | 'parameters' | 'covariates' | 'observations'>,
  doses: readonly DoseEvent[],
  times: ArrayLike<number> = curveTimes(
    doses,
    subject.observations.map((o) => o.time),
  ),
): SubjectCurves {
  const problems: string[] = [];
  const grid = Float64Array.from(times);
  const simulate = (what: string, params: () => PkPdParameters): SimulationResult | null => {
    try {
      return simulatePkPd(params(), doses, grid);
    } catch (err) {
      problems.push(
        `Subject ${subject.id}: the ${what} curve cannot be drawn (${err instanceof Error ? err.message : String(err)}).`,
      );
      return null;
    }
  };
  const population = simulate('population', () => typicalParameters(model, subject.covariates));
  const individual = simulate('individual', () => individualPkPdParameters(model, subject));
  return { times: grid, population, individual, problems };
}
