/**
 * Building blocks of the neural PK/PD networks (tfjs, functional style). A network is first
 * *defined* against a ParamSet, which records the shape of every parameter and returns
 * forward functions; the same definition counts parameters (no tensors) or, once the set is
 * materialised, runs on tf variables. So countParameters and the trained network can never
 * disagree.
 */
import * as tf from '@tensorflow/tfjs';
import type { PkPdParameters } from '../pkpd/types';
import type { Rng } from '../util/rng';
import type { NeuralConfig } from './types';
import {
  geluCpu,
  LAYER_NORM_EPS,
  layerNormCpu,
  linearCpu,
  moeBalanceCpu,
  moeExpertsCpu,
  moeGateCpu,
  useFusedCpuKernels,
} from './netKernels';

/**
 * How a parameter starts: Glorot-uniform weights, zero biases, unit LayerNorm gains, given
 * values (the parameter head's biases start at the typical values of its model's parameters),
 * or rotation angles uniform on [0, 2π) (a quantum circuit's trainable gates).
 */
export type ParamInit = 'glorot' | 'zeros' | 'ones' | 'values' | 'angles';

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParamInit;
  /** Fan-in and fan-out for the Glorot limit (per expert for stacked expert weights). */
  readonly fanIn: number;
  readonly fanOut: number;
  /** AdamW's decoupled weight decay applies (weight matrices only). */
  readonly decay: boolean;
  /** Multiplies the Glorot limit (default 1): a small gain starts a layer near zero. */
  readonly gain?: number;
  /** The initial values, row-major, when init is 'values'. */
  readonly values?: readonly number[];
  /** A quantum circuit's gate angle (counted apart from the classical parameters). */
  readonly quantum?: boolean;
}

export function specSize(spec: ParamSpec): number {
  return spec.shape.reduce((a, b) => a * b, 1);
}

/** One parameter's saved values (row-major), as kept in a model file. */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Per-call settings of a forward pass. */
export interface ForwardContext {
  /** Dropout on (training) or off (validation, prediction). */
  readonly training: boolean;
  readonly dropout: number;
  /** Draws dropout masks (the run's seeded RNG); null when not training. */
  readonly rng: Rng | null;
  /** MoE load-balancing losses of this pass, one scalar per MoE block call. */
  readonly aux: tf.Scalar[];
  /**
   * One dropout mask for every row (one thinned network): a Monte Carlo dropout sample of a
   * whole curve, not independent noise at each time. Training draws a mask per row.
   */
  readonly shareMaskAcrossRows?: boolean;
}

export type Forward = (x: tf.Tensor2D, ctx: ForwardContext) => tf.Tensor2D;

/** The parameters of one network: shapes while defining, tf variables once materialised. */
export class ParamSet {
  readonly specs: ParamSpec[] = [];
  private vars: tf.Variable[] | null = null;
  private readonly constants = new Map<string, tf.Tensor>();

  add(spec: ParamSpec): number {
    if (this.vars) throw new Error('ParamSet: cannot add parameters after materialising');
    this.specs.push(spec);
    return this.specs.length - 1;
  }

  /** The parameter's current value (only inside a forward pass of a materialised set). */
  get(index: number): tf.Tensor {
    if (!this.vars) throw new Error('ParamSet: parameters are not materialised');
    return this.vars[index];
  }

  get size(): number {
    return this.specs.reduce((s, spec) => s + specSize(spec), 0);
  }

  /** How many of the parameters are quantum gate angles. */
  get quantumSize(): number {
    return this.specs.reduce((s, spec) => s + (spec.quantum ? specSize(spec) : 0), 0);
  }

  get variables(): readonly tf.Variable[] {
    if (!this.vars) throw new Error('ParamSet: parameters are not materialised');
    return this.vars;
  }

  /** Creates the tf variables, drawing initial values from `rng` (reproducible per seed). */
  materialise(rng: Rng): void {
    if (this.vars) throw new Error('ParamSet: already materialised');
    this.vars = this.specs.map((spec) => {
      const n = specSize(spec);
      const values = new Float32Array(n);
      if (spec.init === 'ones') values.fill(1);
      else if (spec.init === 'glorot') {
        const limit = (spec.gain ?? 1) * Math.sqrt(6 / (spec.fanIn + spec.fanOut));
        for (let i = 0; i < n; i++) values[i] = (2 * rng.uniform() - 1) * limit;
      } else if (spec.init === 'angles') {
        for (let i = 0; i < n; i++) values[i] = 2 * Math.PI * rng.uniform();
      } else if (spec.init === 'values') {
        if (spec.values?.length !== n)
          throw new Error(`ParamSet: "${spec.name}" needs ${n} initial values`);
        values.set(spec.values);
      }
      return tf.tidy(() => tf.variable(tf.tensor(values, [...spec.shape], 'float32'), true));
    });
  }

  /**
   * Creates the tf variables from saved values (a trained network read back): every parameter
   * by name, with its shape; anything missing, extra or misshapen is an error.
   */
  load(weights: readonly NamedWeight[]): void {
    if (this.vars) throw new Error('ParamSet: already materialised');
    const byName = new Map(weights.map((w) => [w.name, w]));
    if (byName.size !== weights.length) throw new Error('Saved weights repeat a name');
    for (const w of weights) {
      if (!this.specs.some((s) => s.name === w.name))
        throw new Error(`Saved weight "${w.name}" is not a parameter of this network`);
    }
    const values = this.specs.map((spec) => {
      const w = byName.get(spec.name);
      if (!w) throw new Error(`Saved weights lack "${spec.name}"`);
      if (w.shape.join('x') !== spec.shape.join('x'))
        throw new Error(
          `Saved weight "${spec.name}" has shape [${w.shape.join(', ')}], expected [${spec.shape.join(', ')}]`,
        );
      if (w.values.length !== specSize(spec))
        throw new Error(`Saved weight "${spec.name}" has ${w.values.length} values`);
      for (let i = 0; i < w.values.length; i++) {
        if (!Number.isFinite(w.values[i]))
          throw new Error(`Saved weight "${spec.name}" has a non-finite value`);
      }
      return Float32Array.from(w.values);
    });
    this.vars = this.specs.map((spec, i) =>
      tf.tidy(() => tf.variable(tf.tensor(values[i], [...spec.shape], 'float32'), true)),
    );
  }

  /** The current values of every parameter, by name (for saving a trained network). */
  export(): NamedWeight[] {
    const vars = this.variables;
    return this.specs.map((spec, i) => ({
      name: spec.name,
      shape: [...spec.shape],
      values: new Float32Array(vars[i].dataSync()),
    }));
  }

  /** The same as export(), read asynchronously (what the GPU backends want). */
  async read(): Promise<NamedWeight[]> {
    const vars = this.variables;
    const values = await Promise.all(vars.map((v) => v.data()));
    return this.specs.map((spec, i) => ({
      name: spec.name,
      shape: [...spec.shape],
      values: new Float32Array(values[i] as Float32Array),
    }));
  }

  /**
   * A constant tensor shared by the forward passes (created on first use, kept outside any
   * tidy, disposed with the parameters).
   */
  constant(key: string, make: () => tf.Tensor): tf.Tensor {
    let t = this.constants.get(key);
    if (!t) {
      t = tf.keep(make());
      this.constants.set(key, t);
    }
    return t;
  }

  dispose(): void {
    if (this.vars) for (const v of this.vars) v.dispose();
    this.vars = null;
    for (const t of this.constants.values()) t.dispose();
    this.constants.clear();
  }
}

// ---- layers ------------------------------------------------------------------------------

/** How a linear layer starts, when not Glorot weights and zero biases. */
export interface LinearInit {
  /** Multiplies the weights' Glorot limit. */
  readonly gain?: number;
  /** Initial biases (outWidth values). */
  readonly bias?: readonly number[];
}

/** Linear layer x·W + b (one fused kernel). */
export function linear(
  ps: ParamSet,
  name: string,
  inWidth: number,
  outWidth: number,
  init: LinearInit = {},
): Forward {
  const w = ps.add({
    name: `${name}/w`,
    shape: [inWidth, outWidth],
    init: 'glorot',
    fanIn: inWidth,
    fanOut: outWidth,
    decay: true,
    ...(init.gain !== undefined ? { gain: init.gain } : {}),
  });
  const b = ps.add({
    name: `${name}/b`,
    shape: [outWidth],
    init: init.bias ? 'values' : 'zeros',
    fanIn: inWidth,
    fanOut: outWidth,
    decay: false,
    ...(init.bias ? { values: init.bias } : {}),
  });
  return (x) => affine(x, ps.get(w) as tf.Tensor2D, ps.get(b) as tf.Tensor1D);
}

/** x·W + b: a fused JavaScript op on the CPU backend, tfjs's fused matMul elsewhere. */
function affine(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (useFusedCpuKernels()) return linearCpu(x, w, b);
  return tf.fused.matMul({ a: x, b: w, bias: b }) as tf.Tensor2D;
}

/** LayerNorm over the feature axis with a learned gain and bias. */
export function layerNorm(ps: ParamSet, name: string, width: number): Forward {
  const g = ps.add({
    name: `${name}/gain`,
    shape: [width],
    init: 'ones',
    fanIn: width,
    fanOut: width,
    decay: false,
  });
  const b = ps.add({
    name: `${name}/bias`,
    shape: [width],
    init: 'zeros',
    fanIn: width,
    fanOut: width,
    decay: false,
  });
  // Row statistics and their broadcasts as thin matMuls: tfjs's CPU backend runs [B, h] ∘ [B, 1]
  // broadcasts (and the gradients of row reductions) through a slow per-element index path.
  return (x) => {
    if (useFusedCpuKernels())
      return layerNormCpu(x, ps.get(g) as tf.Tensor1D, ps.get(b) as tf.Tensor1D);
    const colMean = ps.constant(`colMean${width}`, () =>
      tf.fill([width, 1], 1 / width),
    ) as tf.Tensor2D;
    const onesRow = ps.constant(`onesRow${width}`, () => tf.ones([1, width])) as tf.Tensor2D;
    const mean = tf.matMul(x, colMean);
    const centered = tf.sub(x, tf.matMul(mean, onesRow));
    const variance = tf.matMul(tf.square(centered), colMean);
    const inv = tf.matMul(tf.rsqrt(tf.add(variance, LAYER_NORM_EPS)), onesRow);
    return tf.add(tf.mul(tf.mul(centered, inv), ps.get(g)), ps.get(b)) as tf.Tensor2D;
  };
}

/** Exact GELU, x·Φ(x) = 0.5·x·(1 + erf(x/√2)). */
export function gelu<T extends tf.Tensor>(x: T): T {
  if (useFusedCpuKernels()) return geluCpu(x);
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T;
}

/** Inverted dropout in training; the identity otherwise. */
export function dropout<T extends tf.Tensor>(x: T, ctx: ForwardContext): T {
  if (!ctx.training || ctx.dropout <= 0 || !ctx.rng) return x;
  return tf.mul(
    x,
    tf.tensor(rowMasks(x.shape[0] ?? 1, x.size / (x.shape[0] || 1), ctx), x.shape, 'float32'),
  ) as T;
}

/** Dropout masks for `rows` rows of `perRow` values: one per row, or one shared by all. */
function rowMasks(rows: number, perRow: number, ctx: ForwardContext): Float32Array {
  if (!ctx.shareMaskAcrossRows) return dropoutMask(rows * perRow, ctx);
  const one = dropoutMask(perRow, ctx);
  const out = new Float32Array(rows * perRow);
  for (let r = 0; r < rows; r++) out.set(one, r * perRow);
  return out;
}

/** An inverted-dropout mask: 1/(1 − rate) with probability 1 − rate, else 0. */
function dropoutMask(size: number, ctx: ForwardContext): Float32Array {
  const keep = 1 - ctx.dropout;
  const mask = new Float32Array(size);
  const rng = ctx.rng as Rng;
  for (let i = 0; i < size; i++) mask[i] = rng.uniform() < keep ? 1 / keep : 0;
  return mask;
}

/**
 * A 0/1 mask of each row's top-k entries, with a zero gradient: routing is a discrete choice
 * (tfjs has no TopK gradient; the weights of the chosen experts carry the gate's gradient).
 */
function topKMask(k: number, n: number): (p: tf.Tensor2D) => tf.Tensor2D {
  return tf.customGrad((...inputs) => {
    const p = inputs[0] as tf.Tensor2D;
    return {
      value: tf.sum(tf.oneHot(tf.topk(p, k).indices, n, 1, 0, 'float32'), 1) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor2D) => tf.zerosLike(dy),
    };
  }) as (p: tf.Tensor2D) => tf.Tensor2D;
}

/**
 * Mixture of experts on width h: a softmax gate over `experts` experts, top-k routing with the
 * chosen experts' gate weights renormalised to sum to 1, each expert a 2-layer MLP
 * (Linear h→h, GELU, dropout, Linear h→h). On tfjs's CPU backend the routing, the balance
 * loss and the experts are fused JavaScript ops that run only each row's k chosen experts. On
 * other backends the experts run densely as two matMuls (all rows through all experts) and the
 * routing weights zero the unchosen ones; both give the same outputs and gradients.
 *
 * Pushes the load-balancing loss N·Σ_i f_i·P_i onto ctx.aux: f_i is the fraction of routing
 * slots (rows × k) that went to expert i (no gradient), P_i the mean gate probability of
 * expert i (with a gradient, so the gate learns to spread the load). It is 1 when balanced.
 */
export function mixtureOfExperts(
  ps: ParamSet,
  name: string,
  width: number,
  experts: number,
  topK: number,
): Forward {
  const e = Math.max(1, Math.floor(experts));
  const k = Math.min(e, Math.max(1, Math.floor(topK)));
  const gate = linear(ps, `${name}/gate`, width, e);
  // Expert i's first layer is columns [i·h, (i+1)·h) of w1, its second rows [i·h, (i+1)·h) of w2.
  const w1 = ps.add({
    name: `${name}/experts/w1`,
    shape: [width, e * width],
    init: 'glorot',
    fanIn: width,
    fanOut: width,
    decay: true,
  });
  const b1 = ps.add({
    name: `${name}/experts/b1`,
    shape: [e * width],
    init: 'zeros',
    fanIn: width,
    fanOut: width,
    decay: false,
  });
  const w2 = ps.add({
    name: `${name}/experts/w2`,
    shape: [e * width, width],
    init: 'glorot',
    fanIn: width,
    fanOut: width,
    decay: true,
  });
  const b2 = ps.add({
    name: `${name}/experts/b2`,
    shape: [e, width],
    init: 'zeros',
    fanIn: width,
    fanOut: width,
    decay: false,
  });
  const mask = topKMask(k, e);
  return (x, ctx) => {
    const rows = x.shape[0];
    const logits = gate(x, ctx); // [B, E]
    if (useFusedCpuKernels()) {
      // Fused routing and balance loss; sparse experts: only each row's k chosen experts run.
      const weights = moeGateCpu(logits, k);
      ctx.aux.push(moeBalanceCpu(logits, k));
      const drop =
        ctx.training && ctx.dropout > 0 && ctx.rng ? rowMasks(rows, e * width, ctx) : null;
      return moeExpertsCpu(
        x,
        weights,
        ps.get(w1) as tf.Tensor2D,
        ps.get(b1) as tf.Tensor1D,
        ps.get(w2) as tf.Tensor2D,
        ps.get(b2) as tf.Tensor2D,
        drop,
      );
    }
    // [E, E] ones (row sums broadcast back) and [E, E·h] block ones (expert weight → its columns).
    const onesEE = ps.constant(`onesEE${e}`, () => tf.ones([e, e])) as tf.Tensor2D;
    const spread = ps.constant(`spread${e}x${width}`, () => {
      const v = new Float32Array(e * e * width);
      for (let i = 0; i < e; i++)
        v.fill(1, i * e * width + i * width, i * e * width + (i + 1) * width);
      return tf.tensor2d(v, [e, e * width]);
    }) as tf.Tensor2D;
    const probs = tf.softmax(logits);
    const chosen = mask(probs); // [B, E], 0/1, no gradient
    const picked = tf.mul(probs, chosen);
    const weights = tf.div(picked, tf.matMul(picked, onesEE)); // renormalised over the k chosen
    // Load balance: f (routing fractions, constant) · P (mean gate probabilities).
    const f = tf.div(tf.mean(chosen, 0), k);
    const p = tf.mean(probs, 0);
    ctx.aux.push(tf.mul(tf.sum(tf.mul(f, p)), e) as tf.Scalar);
    // Σ_i w_i·(GELU(x·W1_i + b1_i)·W2_i + b2_i) = [w_1·H_1, …, w_E·H_E]·W2 + w·B2.
    const hidden = dropout(
      gelu(affine(x, ps.get(w1) as tf.Tensor2D, ps.get(b1) as tf.Tensor1D)),
      ctx,
    );
    const weighted = tf.mul(hidden, tf.matMul(weights, spread));
    const mixed = tf.add(
      tf.matMul(weighted, ps.get(w2) as tf.Tensor2D),
      tf.matMul(weights, ps.get(b2) as tf.Tensor2D),
    );
    return mixed as tf.Tensor2D;
  };
}

/** Pre-LayerNorm residual block x + Linear(dropout(GELU(Linear(LN(x))))). */
export function residualBlock(ps: ParamSet, name: string, width: number): Forward {
  const norm = layerNorm(ps, `${name}/ln`, width);
  const fc1 = linear(ps, `${name}/fc1`, width, width);
  const fc2 = linear(ps, `${name}/fc2`, width, width);
  return (x, ctx) => tf.add(x, fc2(dropout(gelu(fc1(norm(x, ctx), ctx)), ctx), ctx));
}

/** Pre-LayerNorm residual MoE block x + MoE(LN(x)). */
export function residualMoeBlock(
  ps: ParamSet,
  name: string,
  width: number,
  experts: number,
  topK: number,
): Forward {
  const norm = layerNorm(ps, `${name}/ln`, width);
  const moe = mixtureOfExperts(ps, `${name}/moe`, width, experts, topK);
  return (x, ctx) => tf.add(x, moe(norm(x, ctx), ctx));
}

/** Runs forward functions one after another. */
export function sequence(...layers: Forward[]): Forward {
  return (x, ctx) => layers.reduce((h, layer) => layer(h, ctx), x);
}

// ---- what training and prediction need of a network --------------------------------------

/** Rows of one endpoint as tensors: scaled features and, for the parameter head, dose history. */
export interface RowTensors {
  /** [B, width] scaled features (for PD rows after pdRows: with what it appended). */
  readonly x: tf.Tensor2D;
  /** [B, slots] time since each counted dose (h) and its amount (mg); null when not needed. */
  readonly elapsed: tf.Tensor2D | null;
  readonly amount: tf.Tensor2D | null;
}

/**
 * A network of either head, as the training loop and the trained network drive it. The same
 * functions run in training and in prediction, so the two can never disagree.
 */
export interface NetworkGraph {
  readonly config: NeuralConfig;
  readonly inputWidth: number;
  readonly params: ParamSet;
  /** Rows must come with their dose histories (the parameter head). */
  readonly needsDoses: boolean;
  /**
   * PD rows with what the PD network receives from the PK network (the cascade's PK
   * prediction or parameters), computed without dropout and outside the gradient tape: the
   * PD loss never trains the PK network through it. The identity where nothing is received.
   */
  pdRows(rows: RowTensors): RowTensors;
  /** Scaled PK predictions for PK rows and PD predictions for rows from pdRows, [B, 1]. */
  forward(
    pk: RowTensors | null,
    pd: RowTensors | null,
    ctx: ForwardContext,
  ): { pk: tf.Tensor2D | null; pd: tf.Tensor2D | null };
  /** Values that are saved with the weights but not trained (restore reads them back). */
  savedConstants(): NamedWeight[];
  /** The parameter head's model parameters for one scaled feature row. */
  individualParameters?(x: Float32Array): PkPdParameters;
}
