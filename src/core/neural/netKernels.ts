/**
 * Fused Linear, GELU and LayerNorm for tfjs's CPU backend: each is one tf.customGrad op whose
 * forward and backward passes are single JavaScript loops over the tensors' arrays, instead of
 * the 5–20 generic elementwise/broadcast kernels (and gradient kernels) that the composite tf
 * versions cost. On the CPU backend that is most of a training step's time. Other backends
 * (WebGL, WebGPU) use the composite tf ops, which run on the device; `useFusedCpuKernels`
 * decides per call.
 */
import * as tf from '@tensorflow/tfjs';

/** Switch for tests and benchmarks: false forces the composite tf ops on every backend. */
export const kernelOptions = { fusedCpu: true };

export function useFusedCpuKernels(): boolean {
  return kernelOptions.fusedCpu && tf.getBackend() === 'cpu';
}

function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/**
 * out[n, m] = a[n, k]·b[k, m] (+ bias[m]). Four rows at a time, so that each b value loaded
 * serves four multiply-adds (about twice as fast in V8 as the plain i-k-j loop).
 */
function matMulBias(
  a: Float32Array,
  b: Float32Array,
  bias: Float32Array | null,
  n: number,
  k: number,
  m: number,
): Float32Array {
  const out = new Float32Array(n * m);
  if (bias) for (let r = 0; r < n; r++) out.set(bias, r * m);
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const o0 = r * m;
    const o1 = o0 + m;
    const o2 = o1 + m;
    const o3 = o2 + m;
    for (let p = 0; p < k; p++) {
      const a0 = a[r * k + p];
      const a1 = a[(r + 1) * k + p];
      const a2 = a[(r + 2) * k + p];
      const a3 = a[(r + 3) * k + p];
      const bo = p * m;
      for (let j = 0; j < m; j++) {
        const bv = b[bo + j];
        out[o0 + j] += a0 * bv;
        out[o1 + j] += a1 * bv;
        out[o2 + j] += a2 * bv;
        out[o3 + j] += a3 * bv;
      }
    }
  }
  for (; r < n; r++) {
    const o = r * m;
    for (let p = 0; p < k; p++) {
      const av = a[r * k + p];
      const bo = p * m;
      for (let j = 0; j < m; j++) out[o + j] += av * b[bo + j];
    }
  }
  return out;
}

/** out[n, k] = dy[n, m]·w[k, m]ᵀ, four rows at a time. */
function matMulTransB(dy: Float32Array, w: Float32Array, n: number, k: number, m: number) {
  const out = new Float32Array(n * k);
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const d0 = r * m;
    const d1 = d0 + m;
    const d2 = d1 + m;
    const d3 = d2 + m;
    for (let p = 0; p < k; p++) {
      const wo = p * m;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < m; j++) {
        const wv = w[wo + j];
        s0 += dy[d0 + j] * wv;
        s1 += dy[d1 + j] * wv;
        s2 += dy[d2 + j] * wv;
        s3 += dy[d3 + j] * wv;
      }
      out[r * k + p] = s0;
      out[(r + 1) * k + p] = s1;
      out[(r + 2) * k + p] = s2;
      out[(r + 3) * k + p] = s3;
    }
  }
  for (; r < n; r++) {
    for (let p = 0; p < k; p++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += dy[r * m + j] * w[p * m + j];
      out[r * k + p] = s;
    }
  }
  return out;
}

/** out[k, m] = x[n, k]ᵀ·dy[n, m], four rows of x and dy at a time. */
function matMulTransA(x: Float32Array, dy: Float32Array, n: number, k: number, m: number) {
  const out = new Float32Array(k * m);
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const d0 = r * m;
    const d1 = d0 + m;
    const d2 = d1 + m;
    const d3 = d2 + m;
    for (let p = 0; p < k; p++) {
      const a0 = x[r * k + p];
      const a1 = x[(r + 1) * k + p];
      const a2 = x[(r + 2) * k + p];
      const a3 = x[(r + 3) * k + p];
      const o = p * m;
      for (let j = 0; j < m; j++)
        out[o + j] += a0 * dy[d0 + j] + a1 * dy[d1 + j] + a2 * dy[d2 + j] + a3 * dy[d3 + j];
    }
  }
  for (; r < n; r++) {
    for (let p = 0; p < k; p++) {
      const a = x[r * k + p];
      const o = p * m;
      for (let j = 0; j < m; j++) out[o + j] += a * dy[r * m + j];
    }
  }
  return out;
}

/** x·W + b for x [n, k], W [k, m], b [m]; gradients dx = dy·Wᵀ, dW = xᵀ·dy, db = Σ_rows dy. */
export const linearCpu = tf.customGrad((...args) => {
  const [x, w, b] = args as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  save([x, w]);
  const n = x.shape[0] as number;
  const k = x.shape[1] as number;
  const m = w.shape[1] as number;
  const out = matMulBias(values(x), values(w), values(b), n, k, m);
  return {
    value: tf.tensor2d(out, [n, m]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const dyv = values(dy);
      const db = new Float32Array(m);
      for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) db[j] += dyv[r * m + j];
      const dx = matMulTransB(dyv, values(saved[1]), n, k, m);
      const dw = matMulTransA(values(saved[0]), dyv, n, k, m);
      return [tf.tensor2d(dx, [n, k]), tf.tensor2d(dw, [k, m]), tf.tensor1d(db)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** erf, Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, the formula tfjs's Erf kernel uses). */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-a * a);
  return s * y;
}

const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** GELU x·Φ(x); gradient Φ(x) + x·φ(x). */
export const geluCpu = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor;
  const save = args[1] as tf.GradSaveFunc;
  save([x]);
  const xv = values(x);
  const out = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    out[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
  }
  return {
    value: tf.tensor(out, x.shape, 'float32'),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const sx = values(saved[0]);
      const dyv = values(dy);
      const dx = new Float32Array(sx.length);
      for (let i = 0; i < sx.length; i++) {
        const v = sx[i];
        const cdf = 0.5 * (1 + erf(v * Math.SQRT1_2));
        dx[i] = dyv[i] * (cdf + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v));
      }
      return tf.tensor(dx, saved[0].shape, 'float32');
    },
  };
}) as <T extends tf.Tensor>(x: T) => T;

export const LAYER_NORM_EPS = 1e-5;

/** LayerNorm over the last axis of x [n, h] with gain g [h] and bias b [h]. */
export const layerNormCpu = tf.customGrad((...args) => {
  const [x, g, b] = args as tf.Tensor[];
  const save = args[3] as tf.GradSaveFunc;
  save([x, g]);
  const n = x.shape[0] as number;
  const h = x.shape[1] as number;
  const xv = values(x);
  const gv = values(g);
  const bv = values(b);
  const out = new Float32Array(n * h);
  for (let r = 0; r < n; r++) {
    const o = r * h;
    let mean = 0;
    for (let j = 0; j < h; j++) mean += xv[o + j];
    mean /= h;
    let variance = 0;
    for (let j = 0; j < h; j++) variance += (xv[o + j] - mean) ** 2;
    const inv = 1 / Math.sqrt(variance / h + LAYER_NORM_EPS);
    for (let j = 0; j < h; j++) out[o + j] = (xv[o + j] - mean) * inv * gv[j] + bv[j];
  }
  return {
    value: tf.tensor2d(out, [n, h]),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const sx = values(saved[0]);
      const sg = values(saved[1]);
      const dyv = values(dy);
      const dx = new Float32Array(n * h);
      const dg = new Float32Array(h);
      const db = new Float32Array(h);
      const xhat = new Float64Array(h);
      for (let r = 0; r < n; r++) {
        const o = r * h;
        let mean = 0;
        for (let j = 0; j < h; j++) mean += sx[o + j];
        mean /= h;
        let variance = 0;
        for (let j = 0; j < h; j++) variance += (sx[o + j] - mean) ** 2;
        const inv = 1 / Math.sqrt(variance / h + LAYER_NORM_EPS);
        let sumD = 0;
        let sumDX = 0;
        for (let j = 0; j < h; j++) {
          const xh = (sx[o + j] - mean) * inv;
          xhat[j] = xh;
          const d = dyv[o + j] * sg[j];
          sumD += d;
          sumDX += d * xh;
          dg[j] += dyv[o + j] * xh;
          db[j] += dyv[o + j];
        }
        sumD /= h;
        sumDX /= h;
        for (let j = 0; j < h; j++) dx[o + j] = inv * (dyv[o + j] * sg[j] - sumD - xhat[j] * sumDX);
      }
      return [tf.tensor2d(dx, [n, h]), tf.tensor1d(dg), tf.tensor1d(db)];
    },
  };
}) as (x: tf.Tensor2D, g: tf.Tensor1D, b: tf.Tensor1D) => tf.Tensor2D;

/**
 * The experts of a mixture-of-experts block, sparsely: for each row only the experts with a
 * non-zero routing weight run. out_r = Σ_e w_re·(z_re·W2_e + b2_e), z_re = GELU(x_r·W1_e + b1_e)
 * (times the dropout mask, when given). W1 [h, E·h] holds expert e's first layer in columns
 * [e·h, (e+1)·h), W2 [E·h, h] its second layer in rows [e·h, (e+1)·h), b2 is [E, h].
 * Gradients flow to x, the routing weights (so the gate learns) and every parameter.
 */
export function moeExpertsCpu(
  x: tf.Tensor2D,
  weights: tf.Tensor2D,
  w1: tf.Tensor2D,
  b1: tf.Tensor1D,
  w2: tf.Tensor2D,
  b2: tf.Tensor2D,
  dropoutMask: Float32Array | null,
): tf.Tensor2D {
  const op = tf.customGrad((...args) => {
    const [xt, wt, w1t, b1t, w2t, b2t] = args as tf.Tensor[];
    const n = xt.shape[0] as number;
    const h = xt.shape[1] as number;
    const e = wt.shape[1] as number;
    const eh = e * h;
    const xv = values(xt);
    const wv = values(wt);
    const w1v = values(w1t);
    const b1v = values(b1t);
    const w2v = values(w2t);
    const b2v = values(b2t);
    const out = new Float32Array(n * h);
    // Per expert: its rows, their inputs, pre-activations, hidden values and outputs.
    const experts: {
      rows: Int32Array;
      xe: Float32Array;
      w1e: Float32Array;
      pre: Float32Array;
      z: Float32Array;
      mask: Float32Array | null;
      o: Float32Array;
    }[] = [];
    for (let ex = 0; ex < e; ex++) {
      let count = 0;
      for (let r = 0; r < n; r++) if (wv[r * e + ex] !== 0) count++;
      const rows = new Int32Array(count);
      for (let r = 0, i = 0; r < n; r++) if (wv[r * e + ex] !== 0) rows[i++] = r;
      const xe = new Float32Array(count * h);
      for (let i = 0; i < count; i++) xe.set(xv.subarray(rows[i] * h, rows[i] * h + h), i * h);
      const w1e = new Float32Array(h * h); // columns [ex·h, (ex+1)·h) of W1, contiguous
      for (let p = 0; p < h; p++)
        w1e.set(w1v.subarray(p * eh + ex * h, p * eh + ex * h + h), p * h);
      const pre = matMulBias(xe, w1e, b1v.subarray(ex * h, ex * h + h), count, h, h);
      const z = new Float32Array(count * h);
      let mask: Float32Array | null = null;
      if (dropoutMask) {
        mask = new Float32Array(count * h);
        for (let i = 0; i < count; i++)
          mask.set(dropoutMask.subarray(rows[i] * eh + ex * h, rows[i] * eh + ex * h + h), i * h);
      }
      for (let i = 0; i < z.length; i++) {
        const v = pre[i];
        const g = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
        z[i] = mask ? g * mask[i] : g;
      }
      const w2e = w2v.subarray(ex * h * h, (ex + 1) * h * h);
      const o = matMulBias(z, w2e, b2v.subarray(ex * h, ex * h + h), count, h, h);
      for (let i = 0; i < count; i++) {
        const r = rows[i];
        const wre = wv[r * e + ex];
        for (let j = 0; j < h; j++) out[r * h + j] += wre * o[i * h + j];
      }
      experts.push({ rows, xe, w1e, pre, z, mask, o });
    }
    return {
      value: tf.tensor2d(out, [n, h]),
      gradFunc: (dy: tf.Tensor) => {
        const dyv = values(dy);
        const dx = new Float32Array(n * h);
        const dw = new Float32Array(n * e);
        const dw1 = new Float32Array(h * eh);
        const db1 = new Float32Array(eh);
        const dw2 = new Float32Array(eh * h);
        const db2 = new Float32Array(e * h);
        for (let ex = 0; ex < e; ex++) {
          const { rows, xe, w1e, pre, z, mask, o } = experts[ex];
          const count = rows.length;
          if (count === 0) continue;
          // Output mix: d(weight) = dy·o, d(o) = weight·dy.
          const dO = new Float32Array(count * h);
          for (let i = 0; i < count; i++) {
            const r = rows[i];
            const wre = wv[r * e + ex];
            let dot = 0;
            for (let j = 0; j < h; j++) {
              const g = dyv[r * h + j];
              dot += g * o[i * h + j];
              dO[i * h + j] = wre * g;
              db2[ex * h + j] += wre * g;
            }
            dw[r * e + ex] = dot;
          }
          // Second layer.
          dw2.set(matMulTransA(z, dO, count, h, h), ex * h * h);
          const dz = matMulTransB(dO, w2v.subarray(ex * h * h, (ex + 1) * h * h), count, h, h);
          // Dropout mask and GELU.
          for (let i = 0; i < dz.length; i++) {
            const v = pre[i];
            const dgelu =
              0.5 * (1 + erf(v * Math.SQRT1_2)) + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v);
            dz[i] *= dgelu * (mask ? mask[i] : 1);
            db1[ex * h + (i % h)] += dz[i];
          }
          // First layer.
          const dw1e = matMulTransA(xe, dz, count, h, h);
          for (let p = 0; p < h; p++) dw1.set(dw1e.subarray(p * h, p * h + h), p * eh + ex * h);
          const dxe = matMulTransB(dz, w1e, count, h, h);
          for (let i = 0; i < count; i++) {
            const r = rows[i];
            for (let j = 0; j < h; j++) dx[r * h + j] += dxe[i * h + j];
          }
        }
        return [
          tf.tensor2d(dx, [n, h]),
          tf.tensor2d(dw, [n, e]),
          tf.tensor2d(dw1, [h, eh]),
          tf.tensor1d(db1),
          tf.tensor2d(dw2, [eh, h]),
          tf.tensor2d(db2, [e, h]),
        ];
      },
    };
  }) as (...t: tf.Tensor[]) => tf.Tensor2D;
  return op(x, weights, w1, b1, w2, b2);
}

/** Row-wise softmax of logits [n, e] and each row's top-k mask (ties: lower index first). */
function softmaxTopK(lv: Float32Array, n: number, e: number, k: number) {
  const probs = new Float64Array(n * e);
  const chosen = new Uint8Array(n * e);
  for (let r = 0; r < n; r++) {
    const o = r * e;
    let max = -Infinity;
    for (let i = 0; i < e; i++) max = Math.max(max, lv[o + i]);
    let sum = 0;
    for (let i = 0; i < e; i++) {
      const v = Math.exp(lv[o + i] - max);
      probs[o + i] = v;
      sum += v;
    }
    for (let i = 0; i < e; i++) probs[o + i] /= sum;
    for (let c = 0; c < k; c++) {
      let best = -1;
      for (let i = 0; i < e; i++)
        if (!chosen[o + i] && (best < 0 || probs[o + i] > probs[o + best])) best = i;
      chosen[o + best] = 1;
    }
  }
  return { probs, chosen };
}

/** Backward through a row-wise softmax: dlogit_j = p_j·(dp_j − Σ_i dp_i·p_i). */
function softmaxBackward(probs: Float64Array, dp: Float64Array, n: number, e: number) {
  const dl = new Float32Array(n * e);
  for (let r = 0; r < n; r++) {
    const o = r * e;
    let dot = 0;
    for (let i = 0; i < e; i++) dot += dp[o + i] * probs[o + i];
    for (let i = 0; i < e; i++) dl[o + i] = probs[o + i] * (dp[o + i] - dot);
  }
  return dl;
}

/**
 * MoE routing weights from gate logits [n, e]: softmax, keep each row's top-k, renormalise
 * them to sum to 1 (zeros elsewhere). The choice itself carries no gradient; the kept weights
 * do: d p_c = (g_c − Σ_e g_e·w_e)/S for chosen c, S the chosen probabilities' sum.
 */
export function moeGateCpu(logits: tf.Tensor2D, k: number): tf.Tensor2D {
  const op = tf.customGrad((...args) => {
    const lt = args[0] as tf.Tensor;
    const n = lt.shape[0] as number;
    const e = lt.shape[1] as number;
    const { probs, chosen } = softmaxTopK(values(lt), n, e, k);
    const w = new Float32Array(n * e);
    const sums = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let i = 0; i < e; i++) if (chosen[r * e + i]) s += probs[r * e + i];
      sums[r] = s;
      for (let i = 0; i < e; i++) if (chosen[r * e + i]) w[r * e + i] = probs[r * e + i] / s;
    }
    return {
      value: tf.tensor2d(w, [n, e]),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy);
        const dp = new Float64Array(n * e);
        for (let r = 0; r < n; r++) {
          let gw = 0;
          for (let i = 0; i < e; i++) gw += g[r * e + i] * w[r * e + i];
          for (let i = 0; i < e; i++)
            if (chosen[r * e + i]) dp[r * e + i] = (g[r * e + i] - gw) / sums[r];
        }
        return tf.tensor2d(softmaxBackward(probs, dp, n, e), [n, e]);
      },
    };
  }) as (l: tf.Tensor2D) => tf.Tensor2D;
  return op(logits);
}

/**
 * The load-balancing loss e·Σ_i f_i·P_i from gate logits [n, e]: f_i the fraction of the
 * n·k routing slots given to expert i (no gradient), P_i the mean softmax probability of
 * expert i (gradient e·f_i/n on each row's p_i, then through the softmax).
 */
export function moeBalanceCpu(logits: tf.Tensor2D, k: number): tf.Scalar {
  const op = tf.customGrad((...args) => {
    const lt = args[0] as tf.Tensor;
    const n = lt.shape[0] as number;
    const e = lt.shape[1] as number;
    const { probs, chosen } = softmaxTopK(values(lt), n, e, k);
    const f = new Float64Array(e);
    const p = new Float64Array(e);
    for (let r = 0; r < n; r++)
      for (let i = 0; i < e; i++) {
        f[i] += chosen[r * e + i] / (n * k);
        p[i] += probs[r * e + i] / n;
      }
    let loss = 0;
    for (let i = 0; i < e; i++) loss += e * f[i] * p[i];
    return {
      value: tf.scalar(loss),
      gradFunc: (dy: tf.Tensor) => {
        const g = values(dy)[0];
        const dp = new Float64Array(n * e);
        for (let r = 0; r < n; r++) for (let i = 0; i < e; i++) dp[r * e + i] = (g * e * f[i]) / n;
        return tf.tensor2d(softmaxBackward(probs, dp, n, e), [n, e]);
      },
    };
  }) as (l: tf.Tensor2D) => tf.Scalar;
  return op(logits);
}
