/**
 * AdamW (Loshchilov & Hutter): Adam with weight decay decoupled from the gradient, applied to
 * weight matrices only, and the learning-rate schedule used by training.
 */
import * as tf from '@tensorflow/tfjs';

export class AdamW {
  /** Moments as tf variables (GPU backends) or plain arrays (the CPU backend). */
  private readonly m: tf.Variable[] = [];
  private readonly v: tf.Variable[] = [];
  private readonly mArr: Float32Array[] = [];
  private readonly vArr: Float32Array[] = [];
  private readonly onCpu: boolean;
  private t = 0;

  /**
   * `useJs` (default: when the active backend is 'cpu') runs the update as one JavaScript loop
   * per parameter instead of ~13 elementwise tf ops, which on tfjs's CPU backend is most of a
   * training step's time. Both give the same numbers up to float rounding.
   */
  constructor(
    private readonly params: readonly tf.Variable[],
    private readonly decay: readonly boolean[],
    useJs = tf.getBackend() === 'cpu',
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {
    this.onCpu = useJs;
    for (const p of params) {
      if (this.onCpu) {
        this.mArr.push(new Float32Array(p.size));
        this.vArr.push(new Float32Array(p.size));
      } else {
        this.m.push(tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
        this.v.push(tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      }
    }
  }

  /**
   * One step: m, v moving averages with bias correction, p ← p·(1 − lr·wd) for decayed
   * parameters, then p ← p − lr·m̂/(√v̂ + ε). `grads[i]` belongs to `params[i]`; a parameter
   * without a gradient (not used by this step's loss) is left as it is, moments included.
   */
  step(grads: readonly (tf.Tensor | undefined)[], learningRate: number, weightDecay: number): void {
    this.t += 1;
    const b1 = this.beta1;
    const b2 = this.beta2;
    const bc1 = 1 - Math.pow(b1, this.t);
    const bc2 = 1 - Math.pow(b2, this.t);
    // lr·m̂/(√v̂ + ε) = (lr·√bc2/bc1)·m/(√v + ε·√bc2)
    const stepSize = (learningRate * Math.sqrt(bc2)) / bc1;
    const eps = this.epsilon * Math.sqrt(bc2);
    const shrink = 1 - learningRate * weightDecay;
    tf.tidy(() => {
      for (let i = 0; i < this.params.length; i++) {
        const g = grads[i];
        if (!g) continue;
        const p = this.params[i];
        const s = this.decay[i] ? shrink : 1;
        if (this.onCpu) {
          const gv = g.dataSync() as Float32Array;
          const pv = p.dataSync() as Float32Array;
          const m = this.mArr[i];
          const v = this.vArr[i];
          const out = new Float32Array(pv.length);
          for (let j = 0; j < out.length; j++) {
            const gj = gv[j];
            const mj = b1 * m[j] + (1 - b1) * gj;
            const vj = b2 * v[j] + (1 - b2) * gj * gj;
            m[j] = mj;
            v[j] = vj;
            out[j] = pv[j] * s - (stepSize * mj) / (Math.sqrt(vj) + eps);
          }
          p.assign(tf.tensor(out, p.shape, 'float32'));
        } else {
          const m = tf.add(tf.mul(this.m[i], b1), tf.mul(g, 1 - b1));
          const v = tf.add(tf.mul(this.v[i], b2), tf.mul(tf.square(g), 1 - b2));
          this.m[i].assign(m);
          this.v[i].assign(v);
          const base = s !== 1 ? tf.mul(p, s) : p;
          p.assign(tf.sub(base, tf.mul(tf.div(m, tf.add(tf.sqrt(v), eps)), stepSize)));
        }
      }
    });
  }

  dispose(): void {
    for (const t of this.m) t.dispose();
    for (const t of this.v) t.dispose();
  }
}

/**
 * Cosine decay from `base` to 1% of it over `totalSteps` (PyTorch's CosineAnnealingLR with
 * eta_min = base/100), evaluated at step `step` (0-based).
 */
export function cosineLearningRate(base: number, step: number, totalSteps: number): number {
  const floor = base / 100;
  const progress = Math.min(1, Math.max(0, step / Math.max(1, totalSteps)));
  return floor + (base - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
