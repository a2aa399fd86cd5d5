import type { Hours, MgPerL } from '../units';
import { expConvolution3FromExps, expConvolutionPair } from './linearExpConvolution';
import { AMOUNT_SLOTS, centralAmountAfter, propagateAmounts } from './linearSystem';
import { buildPkSegments, segmentIndex } from './pkSegments';
import type { DoseEvent, PkParameters } from './types';

/**
 * Linear compartmental PK under NONMEM-style dose records, solved exactly: the amounts are
 * carried analytically from event to event (pkSegments), steady states are closed-form
 * geometric series (steadyState), so boluses, infusions, lags, bioavailability, II/ADDL,
 * SS = 1/2 and resets all come out to rounding error. Concentration = central amount / V,
 * mg/L; times in hours; the value at an event time includes that event.
 */

export { expandDoses } from './doseEvents';
export { steadyStateConcentration } from './steadyState';

/** Central concentration (mg/L) at each time (h; ascending is fastest, any order works). */
export function simulatePk(
  pk: PkParameters,
  events: readonly DoseEvent[],
  times: ArrayLike<number>,
): Float64Array {
  const c = concentrationFunction(pk, events);
  const out = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) out[i] = c(times[i]);
  return out;
}

/**
 * C(t) in mg/L for any t (0 before the first record), for solvers that call it many times:
 * the events are solved once; each call finds its segment (O(1) for monotone calls, else a
 * binary search) and evaluates a closed form with two or three exp(). No allocation per call.
 */
export function concentrationFunction(
  pk: PkParameters,
  events: readonly DoseEvent[],
): (t: Hours) => MgPerL {
  const segments = buildPkSegments(pk, events);
  // Closure locals and literal slot offsets (depot +0, central +1, peripheral +2) rather than
  // property and module loads: this runs ~10^4 times per subject.
  const { system, start, amounts, rates, count } = segments;
  const invV = 1 / system.V;
  let s = 0;
  /** Moves s to the segment holding t; false before the first segment. */
  const locate = (t: Hours): boolean => {
    if (s < count && start[s] <= t && (s + 1 === count || t < start[s + 1])) return true;
    const found = segmentIndex(segments, t, s + 1);
    if (found < 0) return false;
    s = found;
    return true;
  };
  const general = (t: Hours): MgPerL => {
    const a = 3 * s;
    const r = 2 * s;
    const dt = t - start[s];
    return (
      centralAmountAfter(
        system,
        amounts[a],
        amounts[a + 1],
        amounts[a + 2],
        rates[r],
        rates[r + 1],
        dt,
      ) * invV
    );
  };
  if (system.twoCompartment) {
    // Two compartments, no infusion running: the three-exponential branch of
    // centralAmountAfter, inlined — same operations, same bits.
    const { alpha, beta, k21, ka } = system;
    const w = k21 - beta;
    return (t: Hours): MgPerL => {
      if (!locate(t)) return 0;
      const r = 2 * s;
      if (rates[r] !== 0 || rates[r + 1] !== 0) return general(t);
      const a = 3 * s;
      const dt = t - start[s];
      const ea = Math.exp(-alpha * dt);
      const eb = Math.exp(-beta * dt);
      const phiAB = expConvolutionPair(alpha, beta, ea, eb, dt);
      const d0 = amounts[a];
      let c = amounts[a + 1] * (ea + w * phiAB) + amounts[a + 2] * k21 * phiAB;
      if (d0 !== 0) {
        const ek = Math.exp(-ka * dt);
        const phiAK = expConvolutionPair(alpha, ka, ea, ek, dt);
        c += ka * d0 * (phiAK + w * expConvolution3FromExps(alpha, beta, ka, ea, eb, ek, dt));
      }
      return c * invV;
    };
  }
  // One compartment, no infusion running (the usual case): the scalar formula of
  // centralAmountAfter, inlined — same operations, same bits.
  const k = system.k10;
  const ka = system.ka;
  return (t: Hours): MgPerL => {
    if (!locate(t)) return 0;
    const r = 2 * s;
    if (rates[r] !== 0 || rates[r + 1] !== 0) return general(t);
    const a = 3 * s;
    const dt = t - start[s];
    const ek = Math.exp(-k * dt);
    const d0 = amounts[a];
    let c = amounts[a + 1] * ek;
    if (d0 !== 0) c += ka * d0 * expConvolutionPair(ka, k, Math.exp(-ka * dt), ek, dt);
    return c * invV;
  };
}

/** Amounts (mg) [depot, central, peripheral] at time t (h); unused compartments are 0. */
export function amountsAt(pk: PkParameters, events: readonly DoseEvent[], t: Hours): Float64Array {
  const segments = buildPkSegments(pk, events);
  const out = new Float64Array(AMOUNT_SLOTS);
  const s = segmentIndex(segments, t);
  if (s < 0) return out;
  const r = 2 * s;
  const from = segments.amounts.subarray(s * AMOUNT_SLOTS, (s + 1) * AMOUNT_SLOTS);
  propagateAmounts(
    segments.system,
    from,
    segments.rates[r],
    segments.rates[r + 1],
    t - segments.start[s],
    out,
  );
  return out;
}
