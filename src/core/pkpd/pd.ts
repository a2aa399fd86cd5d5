import type { MgPerL, NgPerMl } from '../units';
import { DormandPrince, type OdeOptions, type OdeRhs } from './ode';
import { concentrationFunction, simulatePk } from './pk';
import { expandDoses, resolveDose } from './doseEvents';
import type {
  DoseEvent,
  PdParameters,
  PkParameters,
  PkPdParameters,
  SimulationResult,
} from './types';
import { validatePdParameters, validatePkParameters } from './validate';

export { validatePdParameters, validatePkParameters } from './validate';

/**
 * Pharmacodynamic models driven by the central concentration C (mg/L) of the PK engine.
 *
 * Direct models map C(t) to the biomarker instantly. The effect-compartment and the four
 * indirect-response models are one-state ODEs, all of the linear form
 *
 *     y′ = p(C) − q(C) · y,   q(C) > 0,
 *
 * (effect compartment: p = ke0·C, q = ke0; indirect I/III: p = kin·(1 ∓ drug), q = kout;
 * II/IV: p = kin, q = kout·(1 ∓ drug)), integrated by Dormand–Prince piecewise between dose
 * times. The linear form gives bounded, non-negative solutions for C ≥ 0 and lets a
 * steady-state dose (SS = 1) put the PD state at its exact periodic steady state.
 */

export type DirectPdParameters = Extract<PdParameters, { type: 'direct-imax' | 'direct-emax' }>;

export function isDirectPd(pd: PdParameters): pd is DirectPdParameters {
  return pd.type === 'direct-imax' || pd.type === 'direct-emax';
}

/**
 * Hill fraction C^h / (C50^h + C^h) in [0, 1], written as 1 / (1 + (C50/C)^h) so that it
 * neither overflows for large C nor goes NaN for C ≤ 0 (a tiny negative C from rounding in
 * the PK engine counts as 0).
 */
export function hillFraction(c: MgPerL, c50: MgPerL, hill = 1): number {
  if (!(c > 0)) return 0;
  if (hill === 1) return c / (c50 + c);
  return 1 / (1 + (c50 / c) ** hill);
}

/** Biomarker of a direct model at concentration c. */
export function directEffect(pd: DirectPdParameters, c: MgPerL): NgPerMl {
  const h = hillFraction(c, pd.type === 'direct-imax' ? pd.IC50 : pd.EC50, pd.hill ?? 1);
  return pd.type === 'direct-imax' ? pd.baseline * (1 - pd.Imax * h) : pd.baseline + pd.Emax * h;
}

/** The PD state equation y′ = p(C) − q(C)·y of one ODE model, with its start and read-out. */
export interface LinearResponse {
  /** State before any drug: the baseline R0 (indirect) or Ce = 0 (effect compartment). */
  readonly y0: number;
  /** Writes p(c) into pq[0] and q(c) into pq[1]; c ≥ 0. */
  readonly coefficients: (c: MgPerL, pq: Float64Array) => void;
  /** Biomarker (ng/mL) from the state. */
  readonly readout: (y: number) => NgPerMl;
  /**
   * p at the first `n` concentrations of `conc` (negative ones read as 0) into `out`: what
   * `coefficients` gives, for a whole time grid in one call (the fit's fixed-grid integrator
   * spends most of its time here).
   */
  readonly productionAt: (conc: Float64Array, n: number, out: Float64Array) => void;
}

/** out[i] = a · (1 + s · H(conc[i])), H the Hill fraction: p of the indirect responses. */
function fillHillProduction(
  conc: Float64Array,
  n: number,
  out: Float64Array,
  a: number,
  s: number,
  c50: number,
  hill: number,
): void {
  if (s === 0) {
    out.fill(a, 0, n);
    return;
  }
  if (hill !== 1) {
    for (let i = 0; i < n; i++) out[i] = a * (1 + s * hillFraction(conc[i], c50, hill));
    return;
  }
  // hillFraction for hill = 1, written out: this loop is the hot path of a fit.
  for (let i = 0; i < n; i++) {
    const c = conc[i];
    out[i] = a * (1 + s * (c > 0 ? c / (c50 + c) : 0));
  }
}

export function linearResponse(pd: Exclude<PdParameters, DirectPdParameters>): LinearResponse {
  const hill = pd.hill ?? 1;
  if (pd.type === 'effect-compartment') {
    const { ke0, EC50, Emax, baseline } = pd;
    return {
      y0: 0,
      coefficients: (c, pq) => {
        pq[0] = ke0 * c;
        pq[1] = ke0;
      },
      readout: (ce) => baseline + Emax * hillFraction(ce, EC50, hill),
      productionAt: (conc, n, out) => {
        for (let i = 0; i < n; i++) out[i] = ke0 * (conc[i] > 0 ? conc[i] : 0);
      },
    };
  }
  const { kout, baseline } = pd;
  // kin (ng/mL/h) is fixed by R(0) = baseline being the drug-free steady state.
  const kin = kout * baseline;
  const identity = (r: number) => r;
  switch (pd.type) {
    case 'indirect-inhibit-production': {
      const Imax = pd.Imax ?? 1;
      const IC50 = pd.IC50 as number;
      return {
        y0: baseline,
        coefficients: (c, pq) => {
          pq[0] = kin * (1 - Imax * hillFraction(c, IC50, hill));
          pq[1] = kout;
        },
        readout: identity,
        productionAt: (conc, n, out) => fillHillProduction(conc, n, out, kin, -Imax, IC50, hill),
      };
    }
    case 'indirect-inhibit-loss': {
      const Imax = pd.Imax ?? 1;
      const IC50 = pd.IC50 as number;
      return {
        y0: baseline,
        coefficients: (c, pq) => {
          pq[0] = kin;
          pq[1] = kout * (1 - Imax * hillFraction(c, IC50, hill));
        },
        readout: identity,
        productionAt: (conc, n, out) => fillHillProduction(conc, n, out, kin, 0, IC50, hill),
      };
    }
    case 'indirect-stimulate-production': {
      const Emax = pd.Emax as number;
      const EC50 = pd.EC50 as number;
      return {
        y0: baseline,
        coefficients: (c, pq) => {
          pq[0] = kin * (1 + Emax * hillFraction(c, EC50, hill));
          pq[1] = kout;
        },
        readout: identity,
        productionAt: (conc, n, out) => fillHillProduction(conc, n, out, kin, Emax, EC50, hill),
      };
    }
    case 'indirect-stimulate-loss': {
      const Emax = pd.Emax as number;
      const EC50 = pd.EC50 as number;
      return {
        y0: baseline,
        coefficients: (c, pq) => {
          pq[0] = kin;
          pq[1] = kout * (1 + Emax * hillFraction(c, EC50, hill));
        },
        readout: identity,
        productionAt: (conc, n, out) => fillHillProduction(conc, n, out, kin, 0, EC50, hill),
      };
    }
  }
}

export interface PkPdOptions extends OdeOptions {
  /**
   * A solver to reuse across subjects (its size must be 1; its tolerances win over rtol/atol
   * here). Saves the work-array allocation in population loops.
   */
  readonly solver?: DormandPrince;
}

/** A change of the PD state at a time, applied before outputs at that time. */
interface StateEvent {
  readonly time: number;
  readonly apply: (y: number) => number;
}

/** Concentration read from a function of time, with NaN reported by time. */
function finiteConcentration(c: number, t: number): number {
  if (Number.isNaN(c))
    throw new Error(`PK engine returned a non-finite concentration at t = ${t} h`);
  return c > 0 ? c : 0;
}

/** Ascending copy of `times` and, for each sorted position, the caller's index. */
function sortTimes(times: ArrayLike<number>): { sorted: Float64Array; order: Int32Array | null } {
  const n = times.length;
  let ascending = true;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(times[i]))
      throw new Error(`Output time at index ${i} must be finite, got ${times[i]}`);
    if (i > 0 && times[i] < times[i - 1]) ascending = false;
  }
  if (ascending) return { sorted: Float64Array.from(times), order: null };
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => times[a] - times[b]);
  return { sorted: Float64Array.from(order, (i) => times[i]), order };
}

/**
 * Integrates one linear-response PD state driven by `conc` (mg/L, right-continuous) and returns
 * the biomarker at `times`. `breakpoints` are where conc or its derivative may jump; `events`
 * change the state at given times (resets, steady states).
 */
function integrateResponse(
  model: LinearResponse,
  conc: (t: number) => number,
  times: ArrayLike<number>,
  breakpoints: readonly number[],
  events: readonly StateEvent[],
  startTime: number | undefined,
  opts: PkPdOptions,
): Float64Array {
  const n = times.length;
  const result = new Float64Array(n);
  if (n === 0) return result;
  const { sorted, order } = sortTimes(times);
  const tEnd = sorted[n - 1];
  const t0 = Math.min(sorted[0], startTime ?? sorted[0]);
  const solver = opts.solver ?? new DormandPrince(1, opts);
  if (solver.dim !== 1) throw new Error(`PD solver must have size 1, got ${solver.dim}`);

  const pq = new Float64Array(2);
  const rhs: OdeRhs = (t, y, dydt) => {
    model.coefficients(finiteConcentration(conc(t), t), pq);
    dydt[0] = pq[0] - pq[1] * y[0];
  };

  // Segment ends: breakpoints and state events inside (t0, tEnd], ascending, unique.
  const cuts = [...breakpoints, ...events.map((e) => e.time)]
    .filter((b) => b > t0 && b <= tEnd)
    .sort((a, b) => a - b)
    .filter((b, k, arr) => k === 0 || b !== arr[k - 1]);

  const y = Float64Array.of(model.y0);
  const out = new Float64Array(n);
  const applyAt = (t: number) => {
    for (const e of events) if (e.time === t) y[0] = e.apply(y[0]);
  };
  // Events at or before the start (e.g. an SS dose at time 0) set the state first.
  for (const e of events) if (e.time <= t0) y[0] = e.apply(y[0]);
  let a = t0;
  let i = 0;
  for (const b of cuts) {
    i = solver.integrate(rhs, y, a, b, sorted, i, out, false);
    applyAt(b);
    a = b;
  }
  solver.integrate(rhs, y, a, tEnd, sorted, i, out, true);

  for (let k = 0; k < n; k++) {
    const value = model.readout(out[k]);
    if (!Number.isFinite(value))
      throw new Error(`PD simulation produced ${value} at t = ${sorted[k]} h`);
    result[order ? order[k] : k] = value;
  }
  return result;
}

/**
 * Biomarker (ng/mL) at `times` for a PD model driven by any concentration function C(t)
 * (mg/L). The state starts drug-free at `opts.startTime` (default: the first output time).
 * Pass the dose times as `breakpoints` when C or its slope jumps there.
 */
export function simulateBiomarker(
  pd: PdParameters,
  conc: (t: number) => MgPerL,
  times: ArrayLike<number>,
  opts: PkPdOptions & { breakpoints?: readonly number[]; startTime?: number } = {},
): Float64Array {
  validatePdParameters(pd);
  if (isDirectPd(pd)) {
    return Float64Array.from({ length: times.length }, (_, i) =>
      directEffect(pd, finiteConcentration(conc(times[i]), times[i])),
    );
  }
  return integrateResponse(
    linearResponse(pd),
    conc,
    times,
    opts.breakpoints ?? [],
    [],
    opts.startTime,
    opts,
  );
}

/**
 * Times where C or dC/dt may jump: dose times, dose times plus lag, and infusion ends, with
 * F, lag and modelled rate/duration resolved exactly as the PK engine resolves them. For
 * steady-state infusions longer than the interval, the end of the infusion started one or more
 * intervals earlier is included too.
 */
function doseBreakpoints(pk: PkParameters, events: readonly DoseEvent[]): number[] {
  const points: number[] = [];
  for (const d of expandDoses(events)) {
    if (d.evid === 3) {
      points.push(d.time);
      continue;
    }
    const { lag, duration } = resolveDose(pk, d);
    const start = d.time + lag;
    points.push(d.time, start);
    if (duration > 0 && Number.isFinite(duration)) {
      points.push(start + duration);
      const ii = d.ii ?? 0;
      if ((d.ss ?? 0) > 0 && ii > 0 && duration > ii) points.push(start + (duration % ii));
    }
  }
  return points.filter((p) => Number.isFinite(p));
}

/**
 * The periodic steady state of the PD state at the time of a steady-state dose record: the
 * fixed point y* of the one-interval map y(ii) = a·y(0) + b. The map is affine because the
 * state equation is linear in y; a = exp(−∫q dt) and b = y(ii) from y(0) = 0 are integrated
 * together (state [y, ∫q]) so that 1 − a = −expm1(−∫q) keeps full precision when the response
 * is slow compared with the interval.
 */
function periodicSteadyState(
  model: LinearResponse,
  pk: PkParameters,
  dose: DoseEvent,
  opts: PkPdOptions,
): number {
  const single: DoseEvent = { ...dose, time: 0, addl: 0, evid: 1, ss: 1 };
  const cSs = concentrationFunction(pk, [single]);
  const pq = new Float64Array(2);
  const ii = dose.ii ?? 0;
  if (!(ii > 0)) {
    // A steady-state constant infusion: C is constant, the state sits at p/q.
    model.coefficients(finiteConcentration(cSs(0), 0), pq);
    return pq[0] / pq[1];
  }
  const rhs: OdeRhs = (t, y, dydt) => {
    model.coefficients(finiteConcentration(cSs(t), t), pq);
    dydt[0] = pq[0] - pq[1] * y[0];
    dydt[1] = pq[1];
  };
  const cuts = doseBreakpoints(pk, [single])
    .filter((b) => b > 0 && b < ii)
    .sort((a, b) => a - b);
  // Tighter than the main integration: the fixed point divides by 1 − a.
  const solver = new DormandPrince(2, {
    rtol: Math.min(opts.rtol ?? 1e-6, 1e-9),
    atol: Math.min(opts.atol ?? 1e-9, 1e-12),
  });
  const y = new Float64Array(2);
  const none = new Float64Array(0);
  let a = 0;
  for (const b of cuts) {
    solver.integrate(rhs, y, a, b, none, 0, none);
    a = b;
  }
  solver.integrate(rhs, y, a, ii, none, 0, none);
  const oneMinusA = -Math.expm1(-y[1]);
  return oneMinusA > 0 ? y[0] / oneMinusA : y[0];
}

/**
 * Concentration (mg/L) and, with a PD model, biomarker (ng/mL) at `times` for one subject
 * under NONMEM-style dose records.
 *
 * PD event semantics: the PD state is drug-free (baseline, or Ce = 0) before the first record
 * and after a reset (EVID 3 or 4); an SS = 1 record puts it at the periodic steady state of that
 * dose, as NONMEM does for all compartments; SS = 2 leaves it unchanged. Events at a time act
 * before outputs at that time.
 */
export function simulatePkPd(
  model: PkPdParameters,
  events: readonly DoseEvent[],
  times: ArrayLike<number>,
  opts: PkPdOptions = {},
): SimulationResult {
  validatePkParameters(model.pk);
  if (model.pd) validatePdParameters(model.pd);
  const concentration = simulatePk(model.pk, events, times);
  const outTimes = Float64Array.from(times);
  const pd = model.pd;
  if (!pd) return { times: outTimes, concentration };
  if (isDirectPd(pd)) {
    const biomarker = concentration.map((c: number, i: number) =>
      directEffect(pd, finiteConcentration(c, outTimes[i])),
    );
    return { times: outTimes, concentration, biomarker };
  }
  const response = linearResponse(pd);
  const stateEvents: StateEvent[] = [];
  for (const e of events) {
    if (e.evid === 3 || e.evid === 4) stateEvents.push({ time: e.time, apply: () => response.y0 });
    if (e.ss === 1 && e.evid !== 3) {
      const yss = periodicSteadyState(response, model.pk, e, opts);
      stateEvents.push({ time: e.time, apply: () => yss });
    }
  }
  const firstEvent = events.reduce((m, e) => Math.min(m, e.time), Infinity);
  const biomarker = integrateResponse(
    response,
    concentrationFunction(model.pk, events),
    times,
    doseBreakpoints(model.pk, events),
    stateEvents,
    Number.isFinite(firstEvent) ? firstEvent : undefined,
    opts,
  );
  return { times: outTimes, concentration, biomarker };
}
