import type { Litres, PerHour } from '../units';
import {
  expConvolution2,
  expConvolution3,
  expConvolution3FromExps,
  expConvolutionOrdered,
  expConvolutionPair,
} from './linearExpConvolution';
import type { PkParameters } from './types';

/**
 * The linear compartmental system dA/dt = K·A + r of the four PK models, solved exactly.
 *
 * Amounts (mg) live in a vector of length 3 for every model, [depot, central, peripheral];
 * unused slots stay 0. Zero-order inputs r (mg/h) enter the depot or the central compartment:
 *
 *     depot′      = −ka·d + r_d
 *     central′    =  ka·d − (k10 + k12)·c + k21·p + r_c
 *     peripheral′ =  k12·c − k21·p
 *
 * The disposition part (central, peripheral) has decay rates α ≥ β > 0 (one rate k10 for one
 * compartment). Its matrix exponential in Newton form is e^{Mt} = e^{−αt}·I + Φ(α, β; t)·(M + αI),
 * and every input reaching the central compartment through a chain of first-order steps
 * (depot: rate ka; infusion: rate 0) adds those rates to the convolution Φ. So each entry of
 * the solution is a short combination of Φ's with non-negative coefficients, exact also when
 * ka equals α, β or k10 (see linearExpConvolution).
 */

export const DEPOT = 0;
export const CENTRAL = 1;
export const PERIPHERAL = 2;
/** Length of every amounts vector. */
export const AMOUNT_SLOTS = 3;

export interface LinearPkSystem {
  readonly oral: boolean;
  readonly twoCompartment: boolean;
  /** Central volume, L: concentration mg/L = central amount / V. */
  readonly V: Litres;
  /** Absorption rate constant, 1/h (0 for IV models). */
  readonly ka: PerHour;
  /** Elimination CL/V, distribution Q/V and return Q/V2, 1/h (k12 = k21 = 0 for one compartment). */
  readonly k10: PerHour;
  readonly k12: PerHour;
  readonly k21: PerHour;
  /** Disposition decay rates α ≥ β > 0, 1/h (both k10 for one compartment). */
  readonly alpha: PerHour;
  readonly beta: PerHour;
  /** Rates [α, β, ka, 0] (1/h) that the two-compartment kernels convolve. */
  readonly kernelRates: Float64Array;
  /**
   * For each subset mask (bit 1: β, bit 2: ka, bit 4: 0; α always in), the indices into
   * kernelRates of α and the subset, sorted by rate (what expConvolutionOrdered needs): entries
   * 4·mask … 4·mask + size − 1, size = 1 + the number of bits in the mask.
   */
  readonly kernelOrder: Int8Array;
}

const WITH_BETA = 1;
const WITH_KA = 2;
const WITH_ZERO = 4;

/** Entries of kernelOrder per subset mask. */
const ORDER_SLOTS = 4;

/** Subset size (α plus one per bit) of each mask. */
function subsetSize(mask: number): number {
  return 1 + (mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1);
}

function kernelOrders(rates: Float64Array): Int8Array {
  const orders = new Int8Array(8 * ORDER_SLOTS);
  for (let mask = 0; mask < 8; mask++) {
    const at = mask * ORDER_SLOTS;
    let n = 0;
    for (let i = 0; i < ORDER_SLOTS; i++) {
      if (i > 0 && !(mask & (1 << (i - 1)))) continue;
      // Insertion by rate (stable: equal rates keep index order).
      let j = n;
      while (j > 0 && rates[orders[at + j - 1]] > rates[i]) {
        orders[at + j] = orders[at + j - 1];
        j--;
      }
      orders[at + j] = i;
      n++;
    }
  }
  return orders;
}

/**
 * The rate constants as a class: a fit builds one for every new set of PK parameters, so the
 * kernel tables that only the convolution kernels read are made on first use (the fit's
 * spectral projectors never need them), and the getters live on the prototype.
 */
class RateConstants implements LinearPkSystem {
  private rates: Float64Array | undefined;
  private order: Int8Array | undefined;
  constructor(
    readonly oral: boolean,
    readonly twoCompartment: boolean,
    readonly V: Litres,
    readonly ka: PerHour,
    readonly k10: PerHour,
    readonly k12: PerHour,
    readonly k21: PerHour,
    readonly alpha: PerHour,
    readonly beta: PerHour,
  ) {}
  get kernelRates(): Float64Array {
    return (this.rates ??= Float64Array.of(this.alpha, this.beta, this.ka, 0));
  }
  get kernelOrder(): Int8Array {
    return (this.order ??= kernelOrders(this.kernelRates));
  }
}

/** Rate constants of a PK model. Parameters are assumed valid (see validatePkParameters). */
export function linearPkSystem(pk: PkParameters): LinearPkSystem {
  const oral = pk.type === 'oral1' || pk.type === 'oral2';
  const twoCompartment = pk.type === 'oral2' || pk.type === 'iv2';
  const k10 = pk.CL / pk.V;
  const ka = oral ? (pk.ka as number) : 0;
  let k12 = 0;
  let k21 = 0;
  let alpha = k10;
  let beta = k10;
  if (twoCompartment) {
    k12 = (pk.Q as number) / pk.V;
    k21 = (pk.Q as number) / (pk.V2 as number);
    // α, β are the roots of λ² − (k10 + k12 + k21)λ + k10·k21; the discriminant is written as
    // a sum of squares so it never cancels, and β = k10·k21/α avoids the small-root cancellation.
    const sum = k10 + k12 + k21;
    const disc = (k10 + k12 - k21) ** 2 + 4 * k12 * k21;
    alpha = 0.5 * (sum + Math.sqrt(disc));
    beta = (k10 * k21) / alpha;
  }
  return new RateConstants(oral, twoCompartment, pk.V, ka, k10, k12, k21, alpha, beta);
}

/** e^{−x·t} for each of kernelRates at the t of the current evaluation (no re-entrance). */
const kernelExps = new Float64Array(4);

/** Fills kernelExps for time t; e^{−ka·t} only when an input passes the depot. */
function fillKernelExps(sys: LinearPkSystem, t: number, withDepot: boolean): void {
  kernelExps[0] = Math.exp(-sys.alpha * t);
  kernelExps[1] = Math.exp(-sys.beta * t);
  kernelExps[2] = withDepot ? Math.exp(-sys.ka * t) : 0;
  kernelExps[3] = 1;
}

/** Φ(α, subset; t) from kernelExps (filled for this t). */
function phi(sys: LinearPkSystem, mask: number, t: number): number {
  const at = mask * ORDER_SLOTS;
  return expConvolutionOrdered(
    sys.kernelRates,
    kernelExps,
    sys.kernelOrder,
    at,
    at + subsetSize(mask) - 1,
    t,
  );
}

/**
 * Two-compartment central kernel of an input passed through the steps in `mask` (ka, 0): the
 * central amount at t from a unit impulse, Φ(α, …) + (k21 − β)·Φ(α, β, …)
 * (k21 − β = α − k10 − k12 ≥ 0 by interlacing, so no cancellation).
 */
function centralKernel2(sys: LinearPkSystem, mask: number, t: number): number {
  return phi(sys, mask, t) + (sys.k21 - sys.beta) * phi(sys, mask | WITH_BETA, t);
}

/**
 * Central amount (mg) after `dt` h from amounts d0, c0, p0 (mg) under constant inputs rd, rc
 * (mg/h into depot, central). Allocation-free; the hot path of concentration look-ups.
 */
export function centralAmountAfter(
  sys: LinearPkSystem,
  d0: number,
  c0: number,
  p0: number,
  rd: number,
  rc: number,
  dt: number,
): number {
  const { ka } = sys;
  if (!sys.twoCompartment) {
    // One compartment: direct scalar formulas; expConvolution2 carries the ka = k limit.
    const k = sys.k10;
    const ek = Math.exp(-k * dt);
    let c = c0 * ek;
    if (d0 !== 0) c += ka * d0 * expConvolutionPair(ka, k, Math.exp(-ka * dt), ek, dt);
    if (rc !== 0) c += (rc * -Math.expm1(-k * dt)) / k;
    if (rd !== 0) c += ka * rd * expConvolution3(0, ka, k, dt);
    return c;
  }
  const w = sys.k21 - sys.beta;
  if (rc === 0 && rd === 0) {
    // No input running (the usual case between doses): three exponentials and arithmetic.
    const { alpha, beta } = sys;
    const ea = Math.exp(-alpha * dt);
    const eb = Math.exp(-beta * dt);
    const phiAB = expConvolutionPair(alpha, beta, ea, eb, dt);
    let c = c0 * (ea + w * phiAB) + p0 * sys.k21 * phiAB;
    if (d0 !== 0) {
      const ek = Math.exp(-ka * dt);
      const phiAK = expConvolutionPair(alpha, ka, ea, ek, dt);
      c += ka * d0 * (phiAK + w * expConvolution3FromExps(alpha, beta, ka, ea, eb, ek, dt));
    }
    return c;
  }
  fillKernelExps(sys, dt, d0 !== 0 || rd !== 0);
  const phiAB = phi(sys, WITH_BETA, dt);
  let c = c0 * (kernelExps[0] + w * phiAB) + p0 * sys.k21 * phiAB;
  if (d0 !== 0) c += ka * d0 * centralKernel2(sys, WITH_KA, dt);
  if (rc !== 0) c += rc * centralKernel2(sys, WITH_ZERO, dt);
  if (rd !== 0) c += ka * rd * centralKernel2(sys, WITH_KA | WITH_ZERO, dt);
  return c;
}

/**
 * Amounts after `dt` h from `from` under constant inputs rd, rc (mg/h), written to `out`
 * (which may be `from`). Exact for every model and every dt ≥ 0.
 */
export function propagateAmounts(
  sys: LinearPkSystem,
  from: ArrayLike<number>,
  rd: number,
  rc: number,
  dt: number,
  out: Float64Array,
): void {
  const d0 = from[DEPOT];
  const c0 = from[CENTRAL];
  const p0 = from[PERIPHERAL];
  const { ka } = sys;
  const c = centralAmountAfter(sys, d0, c0, p0, rd, rc, dt);
  let d = 0;
  if (sys.oral) {
    d = d0 * Math.exp(-ka * dt);
    if (rd !== 0) d += (rd * -Math.expm1(-ka * dt)) / ka;
  }
  let p = 0;
  if (sys.twoCompartment) {
    // Peripheral from itself: e^{−αt} + (α − k21)·Φ(α, β) (α ≥ k21); from inputs reaching the
    // central compartment: k12·Φ(α, β, …).
    const { alpha, k12, k21 } = sys;
    fillKernelExps(sys, dt, d0 !== 0 || rd !== 0);
    const phiAB = phi(sys, WITH_BETA, dt);
    p = p0 * (kernelExps[0] + (alpha - k21) * phiAB) + c0 * k12 * phiAB;
    if (d0 !== 0) p += ka * d0 * k12 * phi(sys, WITH_BETA | WITH_KA, dt);
    if (rc !== 0) p += rc * k12 * phi(sys, WITH_BETA | WITH_ZERO, dt);
    if (rd !== 0) p += ka * rd * k12 * phi(sys, WITH_BETA | WITH_KA | WITH_ZERO, dt);
  }
  out[DEPOT] = d;
  out[CENTRAL] = c;
  out[PERIPHERAL] = p;
}

/**
 * Equilibrium amounts under constant inputs rd, rc (mg/h): −K⁻¹·r, i.e. d = rd/ka,
 * c = (rd + rc)/k10, p = c·k12/k21 (all input is eventually eliminated from the central
 * compartment). Written to `out`.
 */
export function equilibriumAmounts(
  sys: LinearPkSystem,
  rd: number,
  rc: number,
  out: Float64Array,
): void {
  const c = (rd + rc) / sys.k10;
  out[DEPOT] = sys.oral ? rd / sys.ka : 0;
  out[CENTRAL] = c;
  out[PERIPHERAL] = sys.twoCompartment ? (c * sys.k12) / sys.k21 : 0;
}

/**
 * x = (I − e^{K·ii})⁻¹·v, the sum Σ_{j≥0} e^{K·j·ii}·v of a dose response repeated every ii h:
 * the geometric series behind every steady state. `out` may be `v`.
 *
 * The matrix is block triangular (the depot feeds the disposition block and nothing feeds the
 * depot), so the depot is solved first and the 2×2 disposition block by Cramer's rule with its
 * determinant written analytically, det(I − e^{M·ii}) = (1 − e^{−α·ii})(1 − e^{−β·ii}); every
 * 1 − e^{−x} is −expm1(−x) so slow elimination over a short interval keeps full precision.
 */
export function solvePeriodic(
  sys: LinearPkSystem,
  ii: number,
  v: ArrayLike<number>,
  out: Float64Array,
): void {
  const { ka, alpha, beta } = sys;
  const xd = sys.oral ? v[DEPOT] / -Math.expm1(-ka * ii) : 0;
  // Right-hand side of the disposition block: v plus what one interval carries over from the depot.
  let wc = v[CENTRAL];
  let wp = v[PERIPHERAL];
  if (xd !== 0) {
    if (!sys.twoCompartment) wc += ka * xd * expConvolution2(ka, alpha, ii);
    else {
      fillKernelExps(sys, ii, true);
      wc += ka * xd * centralKernel2(sys, WITH_KA, ii);
      wp += ka * xd * sys.k12 * phi(sys, WITH_BETA | WITH_KA, ii);
    }
  }
  const oneMinusEa = -Math.expm1(-alpha * ii);
  if (!sys.twoCompartment) {
    out[DEPOT] = xd;
    out[CENTRAL] = wc / oneMinusEa;
    out[PERIPHERAL] = 0;
    return;
  }
  const phiAB = expConvolution2(alpha, beta, ii);
  const det = oneMinusEa * -Math.expm1(-beta * ii);
  const oneMinusEcc = oneMinusEa - (alpha - sys.k10 - sys.k12) * phiAB;
  const oneMinusEpp = oneMinusEa - (alpha - sys.k21) * phiAB;
  const ecp = sys.k21 * phiAB; // central from peripheral
  const epc = sys.k12 * phiAB; // peripheral from central
  out[DEPOT] = xd;
  out[CENTRAL] = (oneMinusEpp * wc + ecp * wp) / det;
  out[PERIPHERAL] = (epc * wc + oneMinusEcc * wp) / det;
}
