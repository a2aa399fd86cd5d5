import type { Hours, Mg, MgPerL } from '../units';
import { isInfusion, resolveDose, validateDoseEvent, type ResolvedDose } from './doseEvents';
import {
  AMOUNT_SLOTS,
  CENTRAL,
  linearPkSystem,
  propagateAmounts,
  solvePeriodic,
  type LinearPkSystem,
} from './linearSystem';
import type { DoseEvent, PkParameters } from './types';
import { validatePkParameters } from './validate';

/**
 * Analytic steady state of a dose repeated every ii hours forever.
 *
 * With y(s) the amounts s hours after the start of one dose given to an empty system, the
 * steady state θ hours after the latest dose start is the sum over all earlier doses,
 *
 *     SS(θ) = Σ_{j≥0} y(θ + j·ii).
 *
 * After an infusion ends (s ≥ T) the response only decays, y(s) = e^{K(s−T)}·y(T), so the
 * doses whose infusion has ended form a geometric series, summed in closed form by
 * (I − e^{K·ii})⁻¹ (solvePeriodic). The J doses whose infusions are still running at θ (J > 1
 * when the infusion is longer than the interval) are added term by term: a finite, exact sum.
 */

const ZERO = new Float64Array(AMOUNT_SLOTS);

/**
 * Where a steady-state record at time t sits in its dose train. The train's doses enter at
 * t + lag − k·ii for all k ≥ 0; those at or after t (k = 0 … pending − 1) are still to come,
 * and the latest one before t started `phase` h before t, 0 < phase ≤ ii. Without lag,
 * pending = 1 (the record's own dose, entering at t) and phase = ii (the trough).
 */
export function steadyStateTrain(lag: Hours, ii: Hours): { pending: number; phase: Hours } {
  const pending = Math.floor(lag / ii) + 1;
  return { pending, phase: pending * ii - lag };
}

/**
 * Number of doses whose infusion still runs `phase` h after the latest dose start: those with
 * phase + j·ii < T.
 */
export function runningInfusionCount(dose: ResolvedDose, ii: Hours, phase: Hours): number {
  if (!isInfusion(dose) || !(dose.duration > phase)) return 0;
  return Math.ceil((dose.duration - phase) / ii);
}

/**
 * Amounts (mg) at steady state `phase` h (0 ≤ phase ≤ ii) after the latest dose start of `dose`
 * repeated every ii h, written to `out`. At phase 0 a bolus is included (amounts just after it).
 */
export function steadyStateAmounts(
  sys: LinearPkSystem,
  dose: ResolvedDose,
  ii: Hours,
  phase: Hours,
  out: Float64Array,
): void {
  out.fill(0);
  if (dose.amount === 0) return;
  if (!isInfusion(dose)) {
    out[dose.slot] = dose.amount;
    solvePeriodic(sys, ii, out, out); // the peak, just after a dose
    propagateAmounts(sys, out, 0, 0, phase, out);
    return;
  }
  const rd = dose.slot === CENTRAL ? 0 : dose.rate;
  const rc = dose.slot === CENTRAL ? dose.rate : 0;
  const running = runningInfusionCount(dose, ii, phase);
  const term = new Float64Array(AMOUNT_SLOTS);
  for (let j = 0; j < running; j++) {
    propagateAmounts(sys, ZERO, rd, rc, phase + j * ii, term);
    for (let i = 0; i < AMOUNT_SLOTS; i++) out[i] += term[i];
  }
  // Completed infusions: y(T) carried over j ≥ running intervals, the first of them
  // phase + running·ii − T (in [0, ii)) after its end.
  propagateAmounts(sys, ZERO, rd, rc, dose.duration, term);
  solvePeriodic(sys, ii, term, term);
  propagateAmounts(sys, term, 0, 0, phase + running * ii - dose.duration, term);
  for (let i = 0; i < AMOUNT_SLOTS; i++) out[i] += term[i];
}

/** A dose as the steady-state helper takes it: amount (mg), compartment, interval (h), rate. */
export interface SteadyStateDose {
  readonly amt: Mg;
  readonly cmt: number;
  readonly ii: Hours;
  /** As on a record: > 0 infusion rate (mg/h), −1 modelled rate, −2 modelled duration. */
  readonly rate?: number;
}

/**
 * Central concentration (mg/L) at steady state `tau` h after a dose record (0 ≤ tau ≤ ii), for
 * `dose` repeated every ii h with dosing continuing, F and lag of the dose's compartment
 * applied: the same value as an SS = 1 record at time 0 observed at tau < ii. At tau = 0 a
 * bolus without lag is included; tau = ii is the trough just before the next record.
 */
export function steadyStateConcentration(
  pk: PkParameters,
  dose: SteadyStateDose,
  tau: Hours,
): MgPerL {
  validatePkParameters(pk);
  const record: DoseEvent = {
    time: 0,
    amt: dose.amt,
    cmt: dose.cmt,
    evid: 1,
    ii: dose.ii,
    ss: 1,
    rate: dose.rate,
  };
  validateDoseEvent(record);
  if (!(tau >= 0 && tau <= dose.ii))
    throw new Error(`steady-state time after dose must be in [0, ${dose.ii}], got ${tau}`);
  const sys = linearPkSystem(pk);
  const resolved = resolveDose(pk, record);
  const ii = dose.ii;
  // Dose starts are at lag + m·ii; the latest at or before tau defines the phase. At tau = ii
  // the next record's dose is not yet given, so the phase is taken just before it.
  let phase = (((tau - resolved.lag) % ii) + ii) % ii;
  if (tau === ii && phase === 0) phase = ii;
  const out = new Float64Array(AMOUNT_SLOTS);
  steadyStateAmounts(sys, resolved, ii, phase, out);
  return out[CENTRAL] / sys.V;
}
