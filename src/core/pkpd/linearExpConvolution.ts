/**
 * Convolutions of decaying exponentials, the building block of every exact linear PK solution.
 *
 *     Φ(x1, …, xn; t) = (e^{−x1·} ∗ e^{−x2·} ∗ … ∗ e^{−xn·})(t),   x_i ≥ 0 (1/h), t ≥ 0 (h)
 *
 * e.g. Φ(k; t) = e^{−kt}; Φ(ka, k; t) = (e^{−kt} − e^{−ka·t}) / (ka − k) (the Bateman kernel);
 * Φ(0, k; t) = (1 − e^{−kt}) / k (a unit infusion). Φ is (−1)^{n−1} times the divided
 * difference of x ↦ e^{−xt} at the points, so it is symmetric in the points, positive, and
 * has a finite limit when points coincide (ka = k gives t·e^{−kt}). The textbook formulas
 * divide by differences of rates and lose every digit as two rates approach each other; here
 * close points are handled by a series and distant ones by the divided-difference recurrence,
 * so the relative error stays within a few hundred ulps for any set of rates.
 */

/**
 * Above this spread (x_max − x_min)·t the recurrence is used: a level amplifies rounding by
 * about (n − 1)/spread ≤ 60, so four points lose at most ~2,400 ulps (≈ 5e-13). At or below it
 * the series around the midpoint converges fast: every |y_i| ≤ 0.025, and SERIES_TERMS terms
 * leave a remainder below 0.025^9/9! ≈ 1e-20. Small, so that typical PK rates (gaps ≥ 0.01/h)
 * take the cheap recurrence for all but the first hours.
 */
const RECURRENCE_SPREAD = 0.05;
const SERIES_TERMS = 9;

/** 1/m! for m = 0 … SERIES_TERMS + 3. */
const INVERSE_FACTORIAL = (() => {
  const f = new Float64Array(SERIES_TERMS + 4);
  f[0] = 1;
  for (let m = 1; m < f.length; m++) f[m] = f[m - 1] / m;
  return f;
})();

/** Scratch for the sorted points and the series; Φ is never re-entered, so sharing is safe. */
const sorted = new Float64Array(4);
const homogeneous = new Float64Array(SERIES_TERMS);

/**
 * Φ(a, b; t) = (e^{−bt} − e^{−at}) / (a − b), exact in the limit a = b (t·e^{−at}).
 * Written as e^{−min·t}·(−expm1(−|a − b|·t))/|a − b| so that it neither cancels for close rates
 * nor overflows for distant ones.
 */
export function expConvolution2(a: number, b: number, t: number): number {
  const lo = a < b ? a : b;
  const gap = a < b ? b - a : a - b;
  const x = gap * t;
  const base = Math.exp(-lo * t);
  return x === 0 ? base * t : (base * -Math.expm1(-x)) / gap;
}

/**
 * Φ(a, b; t) given expA = e^{−a·t} and expB = e^{−b·t}: the plain difference quotient when the
 * rates are far apart (no further exp), the expm1 form when they are close.
 */
export function expConvolutionPair(
  a: number,
  b: number,
  expA: number,
  expB: number,
  t: number,
): number {
  const gap = a < b ? b - a : a - b;
  const spread = gap * t;
  if (spread > RECURRENCE_SPREAD) return a < b ? (expA - expB) / gap : (expB - expA) / gap;
  const base = a < b ? expA : expB;
  return spread === 0 ? base * t : (base * -Math.expm1(-spread)) / gap;
}

/**
 * Φ(a, b, c; t) given the three exponentials e^{−a·t}, e^{−b·t}, e^{−c·t}: the recurrence over
 * the two pairs next to each other in rate order, or the series when all three are close.
 * The flat form of expConvolutionOrdered for the common three-rate kernel.
 */
export function expConvolution3FromExps(
  a: number,
  b: number,
  c: number,
  expA: number,
  expB: number,
  expC: number,
  t: number,
): number {
  // Sort (rate, exp) pairs so that lo ≤ mid ≤ hi.
  let lo = a;
  let eLo = expA;
  let mid = b;
  let eMid = expB;
  let hi = c;
  let eHi = expC;
  let x: number;
  if (lo > mid) {
    x = lo;
    lo = mid;
    mid = x;
    x = eLo;
    eLo = eMid;
    eMid = x;
  }
  if (mid > hi) {
    x = mid;
    mid = hi;
    hi = x;
    x = eMid;
    eMid = eHi;
    eHi = x;
    if (lo > mid) {
      x = lo;
      lo = mid;
      mid = x;
      x = eLo;
      eLo = eMid;
      eMid = x;
    }
  }
  const gap = hi - lo;
  if (gap * t > RECURRENCE_SPREAD) {
    return (
      (expConvolutionPair(lo, mid, eLo, eMid, t) - expConvolutionPair(mid, hi, eMid, eHi, t)) / gap
    );
  }
  sorted[0] = lo;
  sorted[1] = mid;
  sorted[2] = hi;
  return phiSeries(sorted, 0, 2, t);
}

/** Φ over sorted[lo..hi] (inclusive), by recurrence or series. */
function phiSorted(lo: number, hi: number, t: number): number {
  if (lo === hi) return Math.exp(-sorted[lo] * t);
  if (hi === lo + 1) return expConvolution2(sorted[lo], sorted[hi], t);
  const gap = sorted[hi] - sorted[lo];
  if (gap * t > RECURRENCE_SPREAD) {
    // Φ(x1..xn) = (Φ(x1..x_{n−1}) − Φ(x2..xn)) / (xn − x1): both terms positive, the first larger.
    return (phiSorted(lo, hi - 1, t) - phiSorted(lo + 1, hi, t)) / gap;
  }
  return phiSeries(sorted, lo, hi, t);
}

/**
 * Series for close points x[lo..hi] (spread·t ≤ RECURRENCE_SPREAD): with m the midpoint and
 * y_i = (x_i − m)t,  Φ = t^{n−1} e^{−mt} Σ_j (−1)^j h_j(y) / (j + n − 1)!,
 * h_j the complete homogeneous symmetric polynomials, built one variable at a time.
 */
function phiSeries(x: ArrayLike<number>, lo: number, hi: number, t: number): number {
  const n = hi - lo + 1;
  const mid = 0.5 * (x[lo] + x[hi]);
  homogeneous.fill(0);
  homogeneous[0] = 1;
  for (let i = lo; i <= hi; i++) {
    const y = (x[i] - mid) * t;
    for (let j = 1; j < SERIES_TERMS; j++) homogeneous[j] += y * homogeneous[j - 1];
  }
  let sum = 0;
  for (let j = SERIES_TERMS - 1; j >= 0; j--) {
    const term = homogeneous[j] * INVERSE_FACTORIAL[j + n - 1];
    sum += j % 2 === 0 ? term : -term;
  }
  let scale = Math.exp(-mid * t);
  for (let i = 1; i < n; i++) scale *= t;
  return scale * sum;
}

/**
 * Φ over the points `order[lo..hi]` of `rates` (the order sorts them ascending), with
 * exps[i] = e^{−rates[i]·t} already computed: several convolutions over the same few rates then
 * cost one exp() per rate, and only close points (spread·t ≤ RECURRENCE_SPREAD) pay for
 * expm1 or the series. Same accuracy as expConvolution.
 */
export function expConvolutionOrdered(
  rates: ArrayLike<number>,
  exps: ArrayLike<number>,
  order: ArrayLike<number>,
  lo: number,
  hi: number,
  t: number,
): number {
  const a = order[lo];
  if (lo === hi) return exps[a];
  const b = order[hi];
  const gap = rates[b] - rates[a];
  const spread = gap * t;
  if (spread > RECURRENCE_SPREAD) {
    if (hi === lo + 1) return (exps[a] - exps[b]) / gap;
    return (
      (expConvolutionOrdered(rates, exps, order, lo, hi - 1, t) -
        expConvolutionOrdered(rates, exps, order, lo + 1, hi, t)) /
      gap
    );
  }
  if (hi === lo + 1) return spread === 0 ? exps[a] * t : (exps[a] * -Math.expm1(-spread)) / gap;
  for (let i = lo; i <= hi; i++) sorted[i - lo] = rates[order[i]];
  return phiSeries(sorted, 0, hi - lo, t);
}

/**
 * Φ(x1, …, xn; t) for 1 ≤ n ≤ 4 rates (1/h, ≥ 0, any may coincide) at t ≥ 0 (h). No allocation.
 */
export function expConvolution(rates: ArrayLike<number>, count: number, t: number): number {
  if (count < 1 || count > 4) throw new Error(`expConvolution takes 1 to 4 rates, got ${count}`);
  if (count === 1) return Math.exp(-rates[0] * t);
  if (count === 2) return expConvolution2(rates[0], rates[1], t);
  // Insertion sort: the recurrence needs the extreme points at the ends.
  for (let i = 0; i < count; i++) {
    const v = rates[i];
    let j = i - 1;
    while (j >= 0 && sorted[j] > v) {
      sorted[j + 1] = sorted[j];
      j--;
    }
    sorted[j + 1] = v;
  }
  return phiSorted(0, count - 1, t);
}

/** Φ(a, b, c; t) without building an array. */
export function expConvolution3(a: number, b: number, c: number, t: number): number {
  scratch3[0] = a;
  scratch3[1] = b;
  scratch3[2] = c;
  return expConvolution(scratch3, 3, t);
}

/** Φ(a, b, c, d; t) without building an array. */
export function expConvolution4(a: number, b: number, c: number, d: number, t: number): number {
  scratch4[0] = a;
  scratch4[1] = b;
  scratch4[2] = c;
  scratch4[3] = d;
  return expConvolution(scratch4, 4, t);
}

const scratch3 = new Float64Array(3);
const scratch4 = new Float64Array(4);
