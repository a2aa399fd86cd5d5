import { resolveDose, isInfusion } from '../pkpd/doseEvents';
import {
  AMOUNT_SLOTS,
  linearPkSystem,
  propagateAmounts,
  type LinearPkSystem,
} from '../pkpd/linearSystem';
import { steadyStateAmounts, steadyStateConcentration } from '../pkpd/steadyState';
import type { PkParameters } from '../pkpd/types';
import type { Hours } from '../units';

/**
 * Concentration (mg/L) per mg of dose over one dosing interval at steady state, dosing
 * continuing. PK is linear, so the concentration under dose D is D times this profile: one
 * profile per subject serves every dose of a dose search.
 *
 * The profile is sampled on a grid of 2n + 1 points t_i = τ·i/(2n) from the dose (t = 0, just
 * after a bolus) to the trough just before the next dose (t = τ): the n steps of the scoring
 * grid (step ≤ `step`) and their midpoints, which the PD integrator needs.
 */
export interface SteadyStateProfile {
  readonly interval: Hours;
  /** Steps of the scoring grid; the profile has 2·steps + 1 points. */
  readonly steps: number;
  /**
   * Concentration per mg of dose at t_i = interval·i/(2·steps), mg/L per mg (the first
   * 2·steps + 1 entries; a reused buffer may be longer).
   */
  readonly perMg: Float64Array;
}

/** Number of scoring steps for an interval with at most `step` hours between points. */
export function scoringSteps(interval: Hours, step: Hours): number {
  return Math.max(1, Math.ceil(interval / step - 1e-9));
}

const unitVectors = [0, 1, 2].map((i) => {
  const v = new Float64Array(AMOUNT_SLOTS);
  v[i] = 1;
  return v;
});

/** The 3×3 matrix e^{K·dt} (row-major: out[r·3 + c] = amount r after dt from a unit in c). */
function stepMatrix(sys: LinearPkSystem, dt: Hours): Float64Array {
  const m = new Float64Array(9);
  const col = new Float64Array(AMOUNT_SLOTS);
  for (let c = 0; c < AMOUNT_SLOTS; c++) {
    propagateAmounts(sys, unitVectors[c], 0, 0, dt, col);
    for (let r = 0; r < AMOUNT_SLOTS; r++) m[r * 3 + c] = col[r];
  }
  return m;
}

/**
 * Steady-state concentration per mg over one interval for a dose into `cmt` (1 depot, 2
 * central) every `interval` hours. A bolus without lag is stepped exactly with e^{K·dt} from
 * the analytic steady state just after the dose; lagged doses and infusions take the analytic
 * steady state at every point.
 */
export function steadyStateProfile(
  pk: PkParameters,
  interval: Hours,
  step: Hours,
  cmt = 1,
  /** A buffer to write into when it is long enough (reused across subjects). */
  into?: Float64Array,
): SteadyStateProfile {
  if (!(interval > 0)) throw new Error(`Dosing interval must be > 0 h, got ${interval}`);
  if (!(step > 0)) throw new Error(`Scoring step must be > 0 h, got ${step}`);
  const steps = scoringSteps(interval, step);
  const points = 2 * steps + 1;
  const perMg = into && into.length >= points ? into : new Float64Array(points);
  const dt = interval / (2 * steps);
  const record = { time: 0, amt: 1, cmt, evid: 1 as const, ii: interval, ss: 1 as const };
  const dose = resolveDose(pk, record);
  if (dose.lag > 0 || isInfusion(dose)) {
    const ssDose = { amt: 1, cmt, ii: interval };
    for (let i = 0; i < points; i++) {
      perMg[i] = steadyStateConcentration(pk, ssDose, Math.min(interval, i * dt));
    }
    return { interval, steps, perMg };
  }
  const sys = linearPkSystem(pk);
  const m = stepMatrix(sys, dt);
  const a = new Float64Array(AMOUNT_SLOTS);
  steadyStateAmounts(sys, dose, interval, 0, a);
  let a0 = a[0];
  let a1 = a[1];
  let a2 = a[2];
  perMg[0] = a1 / sys.V;
  for (let i = 1; i < points; i++) {
    const n0 = m[0] * a0 + m[1] * a1 + m[2] * a2;
    const n1 = m[3] * a0 + m[4] * a1 + m[5] * a2;
    const n2 = m[6] * a0 + m[7] * a1 + m[8] * a2;
    a0 = n0;
    a1 = n1;
    a2 = n2;
    perMg[i] = a1 / sys.V;
  }
  return { interval, steps, perMg };
}
