/**
 * Adaptive Dormand–Prince 5(4) ODE solver with dense output (Hairer, Nørsett & Wanner,
 * "Solving ODEs I", §II.4–II.6, code DOPRI5).
 *
 * Built for the small systems of PD models (1–3 states) integrated many thousand times in a
 * virtual population: one solver owns its work arrays, the step loop allocates nothing, and
 * output is interpolated (4th-order continuous extension) so an hourly output grid does not
 * force hourly steps.
 *
 * Discontinuities: the right-hand side of a PD model jumps where a dose is given (an IV bolus
 * makes C jump; an oral dose makes dC/dt jump). Integrating across such a point would make the
 * error estimate collapse the step size; instead callers integrate piecewise between
 * breakpoints. On a segment [a, b) the right-hand side is called only with a ≤ t < b — the
 * stages that would land on b are evaluated at `leftOf(b)` — so f sees the left limit of a
 * right-continuous input there, and the value at b belongs to the next segment.
 */

/** dy/dt = f(t, y), written into `dydt` (length = system size). Must not keep references. */
export type OdeRhs = (t: number, y: Float64Array, dydt: Float64Array) => void;

export interface OdeOptions {
  /** Relative tolerance per component. */
  readonly rtol?: number;
  /** Absolute tolerance per component, in the state's units. */
  readonly atol?: number;
  /** Largest step, in the time unit of the problem (hours for PK/PD). */
  readonly maxStep?: number;
  /** Accepted + rejected steps allowed in one `integrate` call before it throws. */
  readonly maxSteps?: number;
}

/**
 * Defaults: rtol 1e-6, atol 1e-9. For a biomarker in ng/mL or a concentration in mg/L these
 * give about six significant digits, well below assay noise (~10%), and keep the population
 * benchmark fast. Tests of the solver itself use tighter values.
 */
export const ODE_DEFAULTS = {
  rtol: 1e-6,
  atol: 1e-9,
  maxStep: Infinity,
  maxSteps: 100_000,
} as const;

/** Relative distance before a breakpoint at which its left limit is evaluated. */
const LEFT_LIMIT_REL = 1e-10;

/** The time just before `b` at which a segment ending at b evaluates the right-hand side. */
export function leftOf(b: number): number {
  return b - LEFT_LIMIT_REL * Math.max(1, Math.abs(b));
}

// Dormand–Prince 5(4) tableau (DOPRI5). c7 = 1 and the 7th stage is the FSAL stage.
const C2 = 1 / 5;
const C3 = 3 / 10;
const C4 = 4 / 5;
const C5 = 8 / 9;
const A21 = 1 / 5;
const A31 = 3 / 40;
const A32 = 9 / 40;
const A41 = 44 / 45;
const A42 = -56 / 15;
const A43 = 32 / 9;
const A51 = 19372 / 6561;
const A52 = -25360 / 2187;
const A53 = 64448 / 6561;
const A54 = -212 / 729;
const A61 = 9017 / 3168;
const A62 = -355 / 33;
const A63 = 46732 / 5247;
const A64 = 49 / 176;
const A65 = -5103 / 18656;
const A71 = 35 / 384;
const A73 = 500 / 1113;
const A74 = 125 / 192;
const A75 = -2187 / 6784;
const A76 = 11 / 84;
// Error weights: 5th-order minus embedded 4th-order solution.
const E1 = 71 / 57600;
const E3 = -71 / 16695;
const E4 = 71 / 1920;
const E5 = -17253 / 339200;
const E6 = 22 / 525;
const E7 = -1 / 40;
// Dense output (Hairer's contd5).
const D1 = -12715105075 / 11282082432;
const D3 = 87487479700 / 32700410799;
const D4 = -10690763975 / 1880347072;
const D5 = 701980252875 / 199316789632;
const D6 = -1453857185 / 822651844;
const D7 = 69997945 / 29380423;

// Step-size controller (Hairer's defaults): safety factor and bounds on the change per step.
const SAFETY = 0.9;
const FAC_MIN = 0.2;
const FAC_MAX = 10;

/** Counters since construction, for tests and benchmarks. */
export interface OdeStats {
  accepted: number;
  rejected: number;
  evaluations: number;
}

/**
 * A reusable DOPRI5 integrator for systems of a fixed size. Not re-entrant: one instance per
 * concurrent integration.
 */
export class DormandPrince {
  readonly dim: number;
  readonly rtol: number;
  readonly atol: number;
  readonly maxStep: number;
  readonly maxSteps: number;
  readonly stats: OdeStats = { accepted: 0, rejected: 0, evaluations: 0 };

  private readonly k1: Float64Array;
  private readonly k2: Float64Array;
  private readonly k3: Float64Array;
  private readonly k4: Float64Array;
  private readonly k5: Float64Array;
  private readonly k6: Float64Array;
  private readonly k7: Float64Array;
  private readonly yStage: Float64Array;
  private readonly yNew: Float64Array;
  // Dense-output coefficients of the last accepted step.
  private readonly r1: Float64Array;
  private readonly r2: Float64Array;
  private readonly r3: Float64Array;
  private readonly r4: Float64Array;
  private readonly r5: Float64Array;

  constructor(dim: number, opts: OdeOptions = {}) {
    if (!Number.isInteger(dim) || dim < 1) throw new Error(`ODE dimension must be ≥ 1, got ${dim}`);
    this.dim = dim;
    this.rtol = opts.rtol ?? ODE_DEFAULTS.rtol;
    this.atol = opts.atol ?? ODE_DEFAULTS.atol;
    this.maxStep = opts.maxStep ?? ODE_DEFAULTS.maxStep;
    this.maxSteps = opts.maxSteps ?? ODE_DEFAULTS.maxSteps;
    if (!(this.rtol > 0) || !(this.atol > 0)) {
      throw new Error(`ODE tolerances must be > 0, got rtol ${this.rtol}, atol ${this.atol}`);
    }
    if (!(this.maxStep > 0)) throw new Error(`ODE maxStep must be > 0, got ${this.maxStep}`);
    const a = () => new Float64Array(dim);
    this.k1 = a();
    this.k2 = a();
    this.k3 = a();
    this.k4 = a();
    this.k5 = a();
    this.k6 = a();
    this.k7 = a();
    this.yStage = a();
    this.yNew = a();
    this.r1 = a();
    this.r2 = a();
    this.r3 = a();
    this.r4 = a();
    this.r5 = a();
  }

  /**
   * Advances `y` (in place) from time `a` to time `b` ≥ a over one smooth segment, and writes
   * the solution at every output time `times[i]` with a ≤ times[i] < b — or ≤ b when
   * `includeEnd` — into `out[i * dim + j]`, starting at index `from`. `times` must be sorted
   * ascending. Returns the index of the first output time not written.
   */
  integrate(
    f: OdeRhs,
    y: Float64Array,
    a: number,
    b: number,
    times: ArrayLike<number>,
    from: number,
    out: Float64Array,
    includeEnd = false,
  ): number {
    const n = this.dim;
    const nOut = times.length;
    let i = from;
    // Outputs before the segment start cannot be served; the caller's bookkeeping is wrong.
    if (i < nOut && times[i] < a) {
      throw new Error(`ODE output time ${times[i]} lies before the segment start ${a}`);
    }
    if (!(b > a)) {
      // An empty segment: only outputs exactly at a (when the end is included) are due.
      while (i < nOut && times[i] === a && includeEnd) {
        for (let j = 0; j < n; j++) out[i * n + j] = y[j];
        i++;
      }
      return i;
    }
    const { k1, k2, k3, k4, k5, k6, k7, yStage: ys, yNew } = this;
    const bLeft = leftOf(b);
    let t = a;
    // The derivative may jump at a segment start: never reuse the previous segment's FSAL.
    f(t, y, k1);
    this.stats.evaluations++;
    let h = this.initialStep(f, t, y, b - a);
    let rejectedLast = false;
    let steps = 0;

    while (t < b) {
      if (++steps > this.maxSteps) {
        throw new Error(`ODE solver exceeded ${this.maxSteps} steps on [${a}, ${b}] at t = ${t}`);
      }
      let last = false;
      // Finish the segment exactly rather than leave a sliver shorter than rounding.
      if (t + h >= b || b - (t + h) < 1e-12 * Math.max(1, Math.abs(b))) {
        h = b - t;
        last = true;
      }
      const tEnd = last ? bLeft : t + h;

      for (let j = 0; j < n; j++) ys[j] = y[j] + h * A21 * k1[j];
      f(t + C2 * h, ys, k2);
      for (let j = 0; j < n; j++) ys[j] = y[j] + h * (A31 * k1[j] + A32 * k2[j]);
      f(t + C3 * h, ys, k3);
      for (let j = 0; j < n; j++) ys[j] = y[j] + h * (A41 * k1[j] + A42 * k2[j] + A43 * k3[j]);
      f(t + C4 * h, ys, k4);
      for (let j = 0; j < n; j++) {
        ys[j] = y[j] + h * (A51 * k1[j] + A52 * k2[j] + A53 * k3[j] + A54 * k4[j]);
      }
      f(t + C5 * h, ys, k5);
      for (let j = 0; j < n; j++) {
        ys[j] = y[j] + h * (A61 * k1[j] + A62 * k2[j] + A63 * k3[j] + A64 * k4[j] + A65 * k5[j]);
      }
      f(tEnd, ys, k6);
      for (let j = 0; j < n; j++) {
        yNew[j] = y[j] + h * (A71 * k1[j] + A73 * k3[j] + A74 * k4[j] + A75 * k5[j] + A76 * k6[j]);
      }
      f(tEnd, yNew, k7);
      this.stats.evaluations += 6;

      // RMS of the scaled local error estimate.
      let errSq = 0;
      for (let j = 0; j < n; j++) {
        const e = h * (E1 * k1[j] + E3 * k3[j] + E4 * k4[j] + E5 * k5[j] + E6 * k6[j] + E7 * k7[j]);
        const sc = this.atol + this.rtol * Math.max(Math.abs(y[j]), Math.abs(yNew[j]));
        errSq += (e / sc) * (e / sc);
      }
      const err = Math.sqrt(errSq / n);

      if (err <= 1) {
        this.stats.accepted++;
        const tNext = last ? b : t + h;
        // Dense output for every output time in [t, tNext) (or ≤ b at the very end).
        if (i < nOut && (times[i] < tNext || (last && includeEnd && times[i] <= b))) {
          this.prepareDense(y, h);
          while (i < nOut && (times[i] < tNext || (last && includeEnd && times[i] <= b))) {
            const theta = last && times[i] >= b ? 1 : (times[i] - t) / h;
            const theta1 = 1 - theta;
            for (let j = 0; j < n; j++) {
              out[i * n + j] =
                this.r1[j] +
                theta *
                  (this.r2[j] + theta1 * (this.r3[j] + theta * (this.r4[j] + theta1 * this.r5[j])));
            }
            i++;
          }
        }
        for (let j = 0; j < n; j++) {
          y[j] = yNew[j];
          k1[j] = k7[j];
        }
        t = tNext;
        let fac = err === 0 ? FAC_MAX : Math.min(FAC_MAX, Math.max(FAC_MIN, SAFETY * err ** -0.2));
        if (rejectedLast) fac = Math.min(fac, 1);
        h = Math.min(this.maxStep, h * fac);
        rejectedLast = false;
      } else {
        this.stats.rejected++;
        // NaN error (a non-finite derivative) shrinks the step as hard as allowed.
        const fac = Number.isFinite(err) ? Math.max(FAC_MIN, SAFETY * err ** -0.2) : FAC_MIN;
        h *= fac;
        rejectedLast = true;
        if (!(h > 1e-14 * Math.max(1, Math.abs(t)))) {
          throw new Error(
            `ODE step size underflow at t = ${t} (non-finite or stiff right-hand side)`,
          );
        }
      }
    }
    return i;
  }

  /** Hairer's dense-output coefficients for the step from y (time t) of size h. */
  private prepareDense(y: Float64Array, h: number): void {
    const { k1, k3, k4, k5, k6, k7, yNew, r1, r2, r3, r4, r5 } = this;
    for (let j = 0; j < this.dim; j++) {
      const dy = yNew[j] - y[j];
      const bspl = h * k1[j] - dy;
      r1[j] = y[j];
      r2[j] = dy;
      r3[j] = bspl;
      r4[j] = dy - h * k7[j] - bspl;
      r5[j] = h * (D1 * k1[j] + D3 * k3[j] + D4 * k4[j] + D5 * k5[j] + D6 * k6[j] + D7 * k7[j]);
    }
  }

  /**
   * Hairer's starting-step heuristic (HINIT): a step whose explicit Euler error would be about
   * 1% of the tolerance, refined by an estimate of the second derivative. k1 holds f(t, y).
   */
  private initialStep(f: OdeRhs, t: number, y: Float64Array, span: number): number {
    const { k1, k2, yStage, dim: n } = this;
    let dnf = 0;
    let dny = 0;
    for (let j = 0; j < n; j++) {
      const sk = this.atol + this.rtol * Math.abs(y[j]);
      dnf += (k1[j] / sk) ** 2;
      dny += (y[j] / sk) ** 2;
    }
    let h = dnf <= 1e-10 || dny <= 1e-10 ? 1e-6 : 0.01 * Math.sqrt(dny / dnf);
    h = Math.min(h, this.maxStep, span);
    for (let j = 0; j < n; j++) yStage[j] = y[j] + h * k1[j];
    f(Math.min(t + h, leftOf(t + span)), yStage, k2);
    this.stats.evaluations++;
    let der2 = 0;
    for (let j = 0; j < n; j++) {
      const sk = this.atol + this.rtol * Math.abs(y[j]);
      der2 += ((k2[j] - k1[j]) / sk) ** 2;
    }
    der2 = Math.sqrt(der2) / h;
    const der12 = Math.max(Math.abs(der2), Math.sqrt(dnf));
    const h1 = der12 <= 1e-15 ? Math.max(1e-6, h * 1e-3) : (0.01 / der12) ** 0.2;
    const h0 = Math.min(100 * h, h1, this.maxStep, span);
    return Number.isFinite(h0) && h0 > 0 ? h0 : Math.min(1e-6, span);
  }
}

export interface SolveOdeOptions extends OdeOptions {
  /** Times where f may jump (doses), in any order; those outside (t0, last time) are ignored. */
  readonly breakpoints?: ArrayLike<number>;
}

/**
 * Solves y' = f(t, y), y(t0) = y0, and returns y at each of `times` (ascending, ≥ t0) as a
 * row-major array: out[i * dim + j] is component j at times[i]. Integrates piecewise between
 * the breakpoints so jumps in f cost no accuracy.
 */
export function solveOde(
  f: OdeRhs,
  t0: number,
  y0: ArrayLike<number>,
  times: ArrayLike<number>,
  opts: SolveOdeOptions = {},
): Float64Array {
  const dim = y0.length;
  const nOut = times.length;
  for (let i = 1; i < nOut; i++) {
    if (!(times[i] >= times[i - 1]))
      throw new Error(`ODE output times must be ascending at index ${i}`);
  }
  const out = new Float64Array(nOut * dim);
  if (nOut === 0) return out;
  const tEnd = times[nOut - 1];
  const cuts = Array.from(opts.breakpoints ?? [], Number)
    .filter((x) => x > t0 && x < tEnd)
    .sort((p, q) => p - q);
  const solver = new DormandPrince(dim, opts);
  const y = Float64Array.from(y0);
  let i = 0;
  let a = t0;
  for (const b of cuts) {
    if (b <= a) continue;
    i = solver.integrate(f, y, a, b, times, i, out, false);
    a = b;
  }
  solver.integrate(f, y, a, tEnd, times, i, out, true);
  return out;
}
