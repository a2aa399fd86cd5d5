import {
  attainsThreshold,
  intervalMetrics,
  timeGrid,
  type IntervalMetrics,
  type Threshold,
} from '../pkpd/metrics';
import { lastDoseTime, regimenToEvents, type Regimen } from '../pkpd/regimen';
import type { SimulationResult } from '../pkpd/types';
import type { Hours } from '../units';
import { extrapolationWarnings, type Covariates, type PkPdPredictor } from './types';

/** Relative change between successive dosing intervals below which steady state is declared. */
export const STEADY_STATE_TOLERANCE = 1e-3;
/** Give up looking for steady state beyond this many doses (and say so). */
export const MAX_STEADY_STATE_DOSES = 2000;
/** Points on the plotted curve over the whole regimen. */
const PLOT_POINTS = 1500;

/** Grid step for scoring one interval: ≤ 0.25 h for a daily interval, ≤ 1 h for weekly. */
export function scoringStep(interval: Hours): Hours {
  return Math.min(1, 0.25 * Math.max(1, interval / 24));
}

export interface SteadyStateMetrics extends IntervalMetrics {
  /** Doses given before the scored interval's dose reached steady state within tolerance. */
  readonly doses: number;
  readonly reached: boolean;
  /** Set when the model's horizon ended the search before steady state was reached. */
  readonly horizonDoses?: number;
}

export interface RegimenPrediction {
  /** The whole regimen on a plotting grid, through the end of the last interval. */
  readonly curve: SimulationResult;
  readonly doseTimes: readonly Hours[];
  /** The last dosing interval of the regimen as given. */
  readonly lastInterval: IntervalMetrics;
  readonly lastIntervalAttains: boolean;
  /** The interval at steady state, dosing continuing. */
  readonly steadyState: SteadyStateMetrics;
  readonly steadyStateAttains: boolean;
  /** True when the regimen's last interval is already at steady state (within 2%). */
  readonly lastIntervalAtSteadyState: boolean;
  readonly warnings: readonly string[];
}

function relChange(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return 0;
  const scale = Math.max(Math.abs(a), Math.abs(b), 1e-12);
  return Math.abs(a - b) / scale;
}

function maxRelChange(a: IntervalMetrics, b: IntervalMetrics): number {
  return Math.max(
    relChange(a.cmax, b.cmax),
    relChange(a.cmin, b.cmin),
    relChange(a.biomarkerMax, b.biomarkerMax),
    relChange(a.biomarkerMin, b.biomarkerMin),
  );
}

/** Metrics over the last interval after `doses` doses of the regimen, dosing continuing. */
function lastIntervalAfter(
  predictor: PkPdPredictor,
  covariates: Covariates,
  regimen: Regimen,
  doses: number,
): IntervalMetrics {
  // The next dose (at `end`) is left out: it changes nothing before `end`, and an IV bolus
  // given at `end` belongs to the next interval.
  const r = { ...regimen, doses };
  const start = lastDoseTime(r);
  const end = start + regimen.interval;
  const times = timeGrid(start, end, scoringStep(regimen.interval));
  return intervalMetrics(predictor.predict(covariates, regimenToEvents(r), times), start, end);
}

/**
 * Steady state for any model, without knowing its half-life: double the number of doses until
 * the scored interval changes by less than STEADY_STATE_TOLERANCE from one interval to the next.
 */
export function steadyStateMetrics(
  predictor: PkPdPredictor,
  covariates: Covariates,
  regimen: Regimen,
): SteadyStateMetrics {
  // Within the model's horizon: the doses whose interval ends by then (at least two, to compare).
  const cap =
    predictor.horizon !== undefined
      ? Math.max(2, Math.floor(predictor.horizon / regimen.interval))
      : Infinity;
  let n = Math.min(Math.max(8, Math.floor(regimen.doses)), cap - 1);
  for (;;) {
    const a = lastIntervalAfter(predictor, covariates, regimen, n);
    const b = lastIntervalAfter(predictor, covariates, regimen, n + 1);
    if (maxRelChange(a, b) < STEADY_STATE_TOLERANCE) return { ...b, doses: n + 1, reached: true };
    if (n + 1 >= cap) return { ...b, doses: n + 1, reached: false, horizonDoses: n + 1 };
    if (n * 2 > MAX_STEADY_STATE_DOSES) return { ...b, doses: n + 1, reached: false };
    n = Math.min(n * 2, cap - 1);
  }
}

/** Hours as "504 h", or days for long spans ("1,344 h (56 days)"). */
function formatHours(h: Hours): string {
  const hours = `${Math.round(h).toLocaleString('en-US')} h`;
  return h >= 96 ? `${hours} (${Math.round(h / 24)} days)` : hours;
}

/** Everything the Regimen explorer shows for one regimen, patient and threshold. */
export function predictRegimen(
  predictor: PkPdPredictor,
  regimen: Regimen,
  covariates: Covariates,
  threshold: Threshold,
): RegimenPrediction {
  if (!(regimen.interval > 0))
    throw new Error(`Dosing interval must be > 0 h, got ${regimen.interval}`);
  if (!(regimen.dose >= 0)) throw new Error(`Dose must be ≥ 0 mg, got ${regimen.dose}`);
  const doses = Math.max(1, Math.floor(regimen.doses));
  const r: Regimen = { ...regimen, doses };
  const events = regimenToEvents(r);
  const lastStart = lastDoseTime(r);
  const end = lastStart + r.interval;
  const plotTimes = timeGrid(0, end, end / PLOT_POINTS);
  const curve = predictor.predict(covariates, events, plotTimes);
  const fine = timeGrid(lastStart, end, scoringStep(r.interval));
  const lastInterval = intervalMetrics(predictor.predict(covariates, events, fine), lastStart, end);
  const steadyState = steadyStateMetrics(predictor, covariates, r);
  const doseTimes = Array.from({ length: doses }, (_, i) => i * r.interval);
  const warnings = extrapolationWarnings(predictor.domain, {
    dose: Math.max(r.dose, r.loadingDose ?? 0),
    interval: r.interval,
    covariates,
  });
  const horizon = predictor.horizon;
  if (horizon !== undefined && end > horizon) {
    warnings.push(
      `The regimen runs ${formatHours(end)}; the model was trained on at most ${formatHours(horizon)} after the first dose.`,
    );
  }
  if (steadyState.horizonDoses !== undefined) {
    warnings.push(
      `Steady state is not reached within the ${formatHours(horizon ?? 0)} the model was trained on: the "steady state" figures are those of dose ${steadyState.horizonDoses}, the last interval within it.`,
    );
  } else if (!steadyState.reached) {
    warnings.push(`Steady state was not reached within ${MAX_STEADY_STATE_DOSES} doses.`);
  }
  return {
    curve,
    doseTimes,
    lastInterval,
    lastIntervalAttains: attainsThreshold(lastInterval, threshold),
    steadyState,
    steadyStateAttains: attainsThreshold(steadyState, threshold),
    lastIntervalAtSteadyState: maxRelChange(lastInterval, steadyState) < 0.02,
    warnings,
  };
}
