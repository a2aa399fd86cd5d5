/**
 * The compartmental model of the parameter head, in tf so that the loss reaches the encoder:
 * one-compartment oral PK and an effect compartment with a sigmoid Emax/Imax effect, evaluated
 * in closed form by superposition over each row's dose history (DoseHistoryRows: time since
 * each counted dose in h, its amount in mg; padding has amount 0).
 *
 * With ka the absorption rate, ke = CL/V and ke0 (all 1/h), a dose D given Δt hours ago adds
 *
 *     C  = D·ka/V · Φ(ka, ke; Δt)                (mg/L)
 *     Ce = D·ka·ke0/V · Φ(ka, ke, ke0; Δt)       (mg/L, the effect-site concentration)
 *
 * where Φ is the convolution of decaying exponentials of src/core/pkpd/linearExpConvolution.ts
 * (Φ(a, b) = (e^{−bt} − e^{−at})/(a − b), Φ(a, b, c) the same one level deeper). The biomarker
 * is E = E0·(1 + f·Ce^h/(EC50^h + Ce^h)) with f > −1 (f < 0 inhibits; f = −Imax), which is the
 * engine's 'effect-compartment' model with Emax = f·E0. Bioavailability is 1 and every dose
 * enters the depot, as the features assume (the challenge data are oral).
 *
 * float32 loses every digit in e^{−bt} − e^{−at} when the rates are close, and tf's expm1 is
 * exp(x) − 1 on every backend; so, as in the engine, close rates (spread·t ≤ SERIES_SPREAD) take
 * a series, and distant ones a difference quotient that divides by the largest gap. A branch
 * is chosen per element by a 0/1 mask (the comparisons carry no gradient) and each branch is
 * fed only inputs it is meant for (the others get a harmless stand-in), so that an unused
 * branch can never put a NaN or an infinity into a value or a gradient.
 *
 * On tfjs's CPU backend the two concentrations are fused ops instead (one JavaScript loop each,
 * in double precision with the engine's own convolutions; their gradients from the identity
 * ∂Φ(x1, …, xn)/∂x1 = −Φ(x1, x1, …, xn)), which are many times faster than the ~60 broadcast
 * kernels of the composite version; tests check that both agree with each other and with the
 * engine.
 *
 * Shapes: per-row rates and parameters are [B, 1]; times and amounts are [B, S].
 */
import * as tf from '@tensorflow/tfjs';
import {
  expConvolution3FromExps,
  expConvolutionOrdered,
  expConvolutionPair,
} from '../pkpd/linearExpConvolution';
import { useFusedCpuKernels } from './netKernels';
import type { Standardisation } from './types';

/**
 * Spread (rate gap × time) at or below which series replace difference quotients: the quotient
 * amplifies float32 rounding (6e-8) by about 2/spread ≤ 40, and the series' first dropped term
 * is below spread⁵/720 ≈ 4e-10 (pair) or spread⁴/5760 ≈ 1e-9 (triple).
 */
const SERIES_SPREAD = 0.05;

/** Smallest effect-site concentration taken into the log of the Hill term, mg/L. */
const TINY_CONCENTRATION = 1e-30;

/**
 * A 0/1 float mask computed from x with a zero gradient: tf's comparison ops have no gradient
 * function, so they must not sit on the gradient tape.
 */
function maskOf(compute: (x: tf.Tensor) => tf.Tensor): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...inputs) => {
    const x = inputs[0] as tf.Tensor;
    return { value: tf.cast(compute(x), 'float32'), gradFunc: () => tf.zerosLike(x) };
  }) as (x: tf.Tensor) => tf.Tensor;
}

const isSmallSpread = maskOf((x) => tf.lessEqual(x, SERIES_SPREAD));
const isZero = maskOf((x) => tf.equal(x, 0));
/** One-hot [B, 3] of each row's largest entry (the first of equals). */
const isLargest = maskOf((x) => tf.oneHot(tf.argMax(x, 1), 3, 1, 0, 'float32'));

/** m·a + (1 − m)·b for a 0/1 mask m. */
function select(m: tf.Tensor, a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  return tf.add(tf.mul(m, a), tf.mul(tf.sub(1, m), b));
}

/** (1 − e^{−x})/x for x ≥ 0, by its series near 0. */
function oneMinusExpOver(x: tf.Tensor): tf.Tensor {
  const small = isSmallSpread(x);
  // The quotient sees 1 where the series is used, the series 0 where the quotient is.
  const wide = select(small, tf.onesLike(x), x);
  const quotient = tf.div(tf.sub(1, tf.exp(tf.neg(wide))), wide);
  const near = tf.mul(small, x);
  // 1 − x/2 + x²/6 − x³/24 + x⁴/120, by Horner's rule.
  let series: tf.Tensor = tf.scalar(1 / 120);
  for (const c of [-1 / 24, 1 / 6, -1 / 2, 1]) series = tf.add(tf.mul(series, near), c);
  return select(small, series, quotient);
}

/** Φ(a, b; t) = (e^{−bt} − e^{−at})/(a − b) = e^{−min·t}·t·(1 − e^{−gap·t})/(gap·t). */
export function convolution2(a: tf.Tensor, b: tf.Tensor, t: tf.Tensor): tf.Tensor {
  const lo = tf.minimum(a, b);
  const gap = tf.abs(tf.sub(a, b));
  return tf.mul(tf.mul(tf.exp(tf.neg(tf.mul(lo, t))), t), oneMinusExpOver(tf.mul(gap, t)));
}

/**
 * Φ(a, b, c; t). With (p, q) the pair of rates furthest apart and r the third,
 * Φ(a, b, c) = (Φ(p, r) − Φ(q, r))/(q − p): both terms are positive and the division is by the
 * largest gap (the engine's recurrence). When that gap·t is small, the series around the mean
 * rate m with y_i = (x_i − m)·t: t²·e^{−mt}·(1/2 + Σy²/48 − Σy³/360).
 */
export function convolution3(a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, t: tf.Tensor): tf.Tensor {
  const pAB = convolution2(a, b, t);
  const pBC = convolution2(b, c, t);
  const pAC = convolution2(a, c, t);
  const gAC = tf.abs(tf.sub(a, c));
  const gAB = tf.abs(tf.sub(a, b));
  const gBC = tf.abs(tf.sub(b, c));
  // The widest pair of each row, as one-hot columns [B, 1].
  const choice = isLargest(tf.concat([gAC, gAB, gBC], 1));
  const [isAC, isAB, isBC] = tf.split(choice, 3, 1);
  // (a, c) widest: (Φ(a,b) − Φ(b,c))/(c − a); (a, b): (Φ(a,c) − Φ(b,c))/(b − a);
  // (b, c): (Φ(a,b) − Φ(a,c))/(c − b).
  const numerator = tf.addN([
    tf.mul(isAC, tf.sub(pAB, pBC)),
    tf.mul(isAB, tf.sub(pAC, pBC)),
    tf.mul(isBC, tf.sub(pAB, pAC)),
  ]);
  const denominator = tf.addN([
    tf.mul(isAC, tf.sub(c, a)),
    tf.mul(isAB, tf.sub(b, a)),
    tf.mul(isBC, tf.sub(c, b)),
  ]);
  const widest = tf.addN([tf.mul(isAC, gAC), tf.mul(isAB, gAB), tf.mul(isBC, gBC)]);
  // All three rates equal: the quotient is never used, but must not divide by zero.
  const quotient = tf.div(numerator, tf.add(denominator, isZero(widest)));

  const small = isSmallSpread(tf.mul(widest, t));
  // The series sees t = 0 (and gives 0) where the quotient is used.
  const tNear = tf.mul(small, t);
  const m = tf.div(tf.addN([a, b, c]), 3);
  const ya = tf.mul(tf.sub(a, m), tNear);
  const yb = tf.mul(tf.sub(b, m), tNear);
  const yc = tf.mul(tf.sub(c, m), tNear);
  const sum2 = tf.addN([tf.square(ya), tf.square(yb), tf.square(yc)]);
  const sum3 = tf.addN([
    tf.mul(tf.square(ya), ya),
    tf.mul(tf.square(yb), yb),
    tf.mul(tf.square(yc), yc),
  ]);
  const poly = tf.add(0.5, tf.sub(tf.div(sum2, 48), tf.div(sum3, 360)));
  const series = tf.mul(tf.mul(tf.square(tNear), tf.exp(tf.neg(tf.mul(m, tNear)))), poly);
  return select(small, series, quotient);
}

/** Log-parameters of the one-compartment oral model, [B, 1] each (CL L/h, V L, ka 1/h). */
export interface LogPk {
  readonly logCL: tf.Tensor2D;
  readonly logV: tf.Tensor2D;
  readonly logKa: tf.Tensor2D;
}

/** Log-parameters and shape of the effect model, [B, 1] each. */
export interface LogPd {
  /** log E0 (ng/mL). */
  readonly logBaseline: tf.Tensor2D;
  /** log(1 + f): the log of the fully driven biomarker over its baseline (< 0 inhibits). */
  readonly logMaxRatio: tf.Tensor2D;
  /** log EC50 (mg/L). */
  readonly logEC50: tf.Tensor2D;
  /** log ke0 (1/h). */
  readonly logKe0: tf.Tensor2D;
  /** log of the Hill coefficient. */
  readonly logHill: tf.Tensor2D;
}

/** Σ over the slots of amount·kernel, [B, 1]. */
function superpose(amount: tf.Tensor2D, kernel: tf.Tensor): tf.Tensor2D {
  return tf.sum(tf.mul(amount, kernel), 1, true) as tf.Tensor2D;
}

/** Central concentration (mg/L) at each row's time, [B, 1]. */
export function oralConcentration(
  pk: LogPk,
  elapsed: tf.Tensor2D,
  amount: tf.Tensor2D,
): tf.Tensor2D {
  if (useFusedCpuKernels()) return concentrationCpu(pk.logCL, pk.logV, pk.logKa, elapsed, amount);
  const ka = tf.exp(pk.logKa);
  const ke = tf.exp(tf.sub(pk.logCL, pk.logV));
  const scale = tf.exp(tf.sub(pk.logKa, pk.logV)); // ka/V
  return tf.mul(scale, superpose(amount, convolution2(ka, ke, elapsed))) as tf.Tensor2D;
}

/** Effect-site concentration (mg/L) at each row's time, [B, 1]. */
export function effectConcentration(
  pk: LogPk,
  logKe0: tf.Tensor2D,
  elapsed: tf.Tensor2D,
  amount: tf.Tensor2D,
): tf.Tensor2D {
  if (useFusedCpuKernels())
    return effectConcentrationCpu(pk.logCL, pk.logV, pk.logKa, logKe0, elapsed, amount);
  const ka = tf.exp(pk.logKa);
  const ke = tf.exp(tf.sub(pk.logCL, pk.logV));
  const ke0 = tf.exp(logKe0);
  const scale = tf.exp(tf.sub(tf.add(pk.logKa, logKe0), pk.logV)); // ka·ke0/V
  return tf.mul(scale, superpose(amount, convolution3(ka, ke, ke0, elapsed))) as tf.Tensor2D;
}

/**
 * Biomarker (ng/mL) from the effect-site concentration: E0·(1 + f·H), f = e^{logMaxRatio} − 1,
 * H = Ce^h/(EC50^h + Ce^h) written as sigmoid(h·(log Ce − log EC50)) so that it neither
 * overflows nor divides by zero at Ce = 0.
 */
export function effect(ce: tf.Tensor2D, pd: LogPd): tf.Tensor2D {
  const logCe = tf.log(tf.maximum(ce, TINY_CONCENTRATION));
  const hill = tf.sigmoid(tf.mul(tf.exp(pd.logHill), tf.sub(logCe, pd.logEC50)));
  const f = tf.sub(tf.exp(pd.logMaxRatio), 1);
  return tf.mul(tf.exp(pd.logBaseline), tf.add(1, tf.mul(f, hill))) as tf.Tensor2D;
}

/** A prediction (mg/L or ng/mL) on the targets' scale: optionally log(1 + y), then standardised. */
export function toTargetScale(
  y: tf.Tensor2D,
  s: Standardisation,
  logTargets: boolean,
): tf.Tensor2D {
  const v = logTargets ? tf.log1p(y) : y;
  return tf.div(tf.sub(v, s.mean), s.sd) as tf.Tensor2D;
}

// ---- fused CPU kernels -------------------------------------------------------------------

function valuesOf(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** Writes into `order` the indices of `rates` (length 4) sorted ascending. */
function sortOrder4(rates: Float64Array, order: Int32Array): void {
  for (let i = 0; i < 4; i++) order[i] = i;
  for (let i = 1; i < 4; i++) {
    const k = order[i];
    let j = i - 1;
    while (j >= 0 && rates[order[j]] > rates[k]) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = k;
  }
}

/**
 * C = (ka/V)·Σ D·Φ(ka, ke; Δt) per row, and its gradient with respect to log CL, log V and
 * log ka (ke = CL/V):
 *   ∂C/∂log ka = C − (ka²/V)·Σ D·Φ(ka, ka, ke)
 *   ∂C/∂log CL = −(ka·ke/V)·Σ D·Φ(ka, ke, ke) = −(∂C/∂log V + C).
 * Three exponentials per dose; the convolutions reuse them.
 */
const concentrationCpu = tf.customGrad((...inputs) => {
  const [logCL, logV, logKa, elapsed, amount] = inputs as tf.Tensor2D[];
  const [rows, slots] = elapsed.shape;
  const lcl = valuesOf(logCL);
  const lv = valuesOf(logV);
  const lka = valuesOf(logKa);
  const t = valuesOf(elapsed);
  const d = valuesOf(amount);
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const ka = Math.exp(lka[i]);
    const ke = Math.exp(lcl[i] - lv[i]);
    let sum = 0;
    for (let j = i * slots; j < (i + 1) * slots; j++) {
      if (d[j] === 0) continue;
      sum += d[j] * expConvolutionPair(ka, ke, Math.exp(-ka * t[j]), Math.exp(-ke * t[j]), t[j]);
    }
    out[i] = (ka / Math.exp(lv[i])) * sum;
  }
  return {
    value: tf.tensor2d(out, [rows, 1]),
    gradFunc: (dy: tf.Tensor) => {
      const g = valuesOf(dy);
      const gCL = new Float32Array(rows);
      const gV = new Float32Array(rows);
      const gKa = new Float32Array(rows);
      for (let i = 0; i < rows; i++) {
        const ka = Math.exp(lka[i]);
        const ke = Math.exp(lcl[i] - lv[i]);
        const kaOverV = ka / Math.exp(lv[i]);
        let dKa = 0;
        let dKe = 0;
        for (let j = i * slots; j < (i + 1) * slots; j++) {
          if (d[j] === 0) continue;
          const tj = t[j];
          const eKa = Math.exp(-ka * tj);
          const eKe = Math.exp(-ke * tj);
          dKa += d[j] * expConvolution3FromExps(ka, ka, ke, eKa, eKa, eKe, tj);
          dKe += d[j] * expConvolution3FromExps(ka, ke, ke, eKa, eKe, eKe, tj);
        }
        const c = out[i];
        const byCL = -kaOverV * ke * dKe;
        gCL[i] = g[i] * byCL;
        gV[i] = g[i] * (-c - byCL);
        gKa[i] = g[i] * (c - kaOverV * ka * dKa);
      }
      return [
        tf.tensor2d(gCL, [rows, 1]),
        tf.tensor2d(gV, [rows, 1]),
        tf.tensor2d(gKa, [rows, 1]),
        tf.zerosLike(elapsed),
        tf.zerosLike(amount),
      ];
    },
  };
}) as (
  logCL: tf.Tensor2D,
  logV: tf.Tensor2D,
  logKa: tf.Tensor2D,
  elapsed: tf.Tensor2D,
  amount: tf.Tensor2D,
) => tf.Tensor2D;

/**
 * Ce = (ka·ke0/V)·Σ D·Φ(ka, ke, ke0; Δt) per row, and its gradient:
 *   ∂Ce/∂log ka  = Ce − (ka²·ke0/V)·Σ D·Φ(ka, ka, ke, ke0)
 *   ∂Ce/∂log ke0 = Ce − (ka·ke0²/V)·Σ D·Φ(ka, ke, ke0, ke0)
 *   ∂Ce/∂log CL  = −(ka·ke0·ke/V)·Σ D·Φ(ka, ke, ke, ke0) = −(∂Ce/∂log V + Ce).
 */
const effectConcentrationCpu = tf.customGrad((...inputs) => {
  const [logCL, logV, logKa, logKe0, elapsed, amount] = inputs as tf.Tensor2D[];
  const [rows, slots] = elapsed.shape;
  const lcl = valuesOf(logCL);
  const lv = valuesOf(logV);
  const lka = valuesOf(logKa);
  const lke0 = valuesOf(logKe0);
  const t = valuesOf(elapsed);
  const d = valuesOf(amount);
  const out = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const ka = Math.exp(lka[i]);
    const ke = Math.exp(lcl[i] - lv[i]);
    const ke0 = Math.exp(lke0[i]);
    let sum = 0;
    for (let j = i * slots; j < (i + 1) * slots; j++) {
      if (d[j] === 0) continue;
      const tj = t[j];
      const e = expConvolution3FromExps(
        ka,
        ke,
        ke0,
        Math.exp(-ka * tj),
        Math.exp(-ke * tj),
        Math.exp(-ke0 * tj),
        tj,
      );
      sum += d[j] * e;
    }
    out[i] = ((ka * ke0) / Math.exp(lv[i])) * sum;
  }
  return {
    value: tf.tensor2d(out, [rows, 1]),
    gradFunc: (dy: tf.Tensor) => {
      const g = valuesOf(dy);
      const gCL = new Float32Array(rows);
      const gV = new Float32Array(rows);
      const gKa = new Float32Array(rows);
      const gKe0 = new Float32Array(rows);
      // Φ over the multisets {ka, ka, ke, ke0}, {ka, ke, ke, ke0}, {ka, ke, ke0, ke0}: the rates
      // (and their exponentials) in slots, each set's sorting order fixed per row.
      const rates = [new Float64Array(4), new Float64Array(4), new Float64Array(4)];
      const exps = [new Float64Array(4), new Float64Array(4), new Float64Array(4)];
      const orders = [new Int32Array(4), new Int32Array(4), new Int32Array(4)];
      const repeated = [0, 1, 2]; // which of ka, ke, ke0 appears twice in each set
      for (let i = 0; i < rows; i++) {
        const k = [Math.exp(lka[i]), Math.exp(lcl[i] - lv[i]), Math.exp(lke0[i])];
        const [ka, ke, ke0] = k;
        const scale = (ka * ke0) / Math.exp(lv[i]);
        repeated.forEach((r, s) => {
          rates[s].set([k[0], k[1], k[2], k[r]]);
          sortOrder4(rates[s], orders[s]);
        });
        const sums = [0, 0, 0];
        for (let j = i * slots; j < (i + 1) * slots; j++) {
          if (d[j] === 0) continue;
          const tj = t[j];
          const e = [Math.exp(-ka * tj), Math.exp(-ke * tj), Math.exp(-ke0 * tj)];
          for (let s = 0; s < 3; s++) {
            exps[s].set([e[0], e[1], e[2], e[repeated[s]]]);
            sums[s] += d[j] * expConvolutionOrdered(rates[s], exps[s], orders[s], 0, 3, tj);
          }
        }
        const ce = out[i];
        const byCL = -scale * ke * sums[1];
        gCL[i] = g[i] * byCL;
        gV[i] = g[i] * (-ce - byCL);
        gKa[i] = g[i] * (ce - scale * ka * sums[0]);
        gKe0[i] = g[i] * (ce - scale * ke0 * sums[2]);
      }
      return [
        tf.tensor2d(gCL, [rows, 1]),
        tf.tensor2d(gV, [rows, 1]),
        tf.tensor2d(gKa, [rows, 1]),
        tf.tensor2d(gKe0, [rows, 1]),
        tf.zerosLike(elapsed),
        tf.zerosLike(amount),
      ];
    },
  };
}) as (
  logCL: tf.Tensor2D,
  logV: tf.Tensor2D,
  logKa: tf.Tensor2D,
  logKe0: tf.Tensor2D,
  elapsed: tf.Tensor2D,
  amount: tf.Tensor2D,
) => tf.Tensor2D;
