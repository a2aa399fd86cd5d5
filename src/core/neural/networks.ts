/**
 * The seed's neural PK/PD frameworks and encoders, in tfjs, with a custom training loop.
 *
 * Encoders (input width d → hidden h):
 * - mlp: `blocks` (at least 1) × [Linear, GELU, dropout].
 * - resmlp: Linear d→h, `blocks` pre-LayerNorm residual blocks
 *   x + Linear(dropout(GELU(Linear(LN(x))))), final LayerNorm.
 * - moe: Linear d→h, GELU, then one mixture-of-experts block: softmax gate over `experts`,
 *   top-k routing with the chosen experts' gate weights renormalised to sum to 1, each expert a
 *   2-layer MLP h→h; plus the load-balancing loss N·Σ_i f_i·P_i (netLayers.ts).
 * - resmlp_moe: Linear d→h, `blocks` (at least 1) × [residual block, residual MoE block
 *   x + MoE(LN(x))], final LayerNorm.
 *
 * Frameworks:
 * - independent: a PK network and a PD network (each encoder + linear head).
 * - cascade: the PK network as in independent; the PD network's input is [x, PK prediction for
 *   the same row], the PK network's prediction (no dropout) for the PD row's own features,
 *   computed by the same function (`pdInput`) in training and in prediction. It is recomputed
 *   from the current PK weights at every step, never zeros or observed values; the PD loss does
 *   not train the PK network through that input (the PK network stays a PK model).
 * - multitask: one shared encoder (PK and PD rows in one pass), a PK head and a PD head.
 *
 * Loss for every framework: MSE on the step's PK rows + MSE on its PD rows, + balanceWeight ×
 * the sum of the MoE blocks' balance losses. Reported trainLoss: the mean over the epoch's
 * steps of the two MSEs (dropout on, balance term excluded). valLoss (early stopping): PK MSE +
 * PD MSE on the validation rows without dropout (the train loss when there are none).
 *
 * Training: AdamW (decay on weight matrices only), cosine learning-rate decay per step from
 * learningRate to learningRate/100 over maxEpochs, mini-batches from a seeded shuffle (each
 * epoch visits every PK and every PD row once in ceil(max(PK rows, PD rows)/batchSize) steps,
 * each with a share of both), early stopping after `patience` epochs without a lower valLoss,
 * and the best epoch's weights restored. Same seed → same weights, losses and predictions
 * (initial values, shuffles and dropout masks all come from createRng(seed)).
 *
 * Speed: on tfjs's CPU backend, Linear, GELU, LayerNorm and the MoE experts run as fused
 * JavaScript ops (netKernels.ts, sparse top-k experts) and AdamW as one loop per parameter;
 * other backends use the equivalent composite tf ops (tests check that both agree).
 *
 * Targets are used as given (already scaled); `logTargets` is applied by the data side
 * (features.ts). Epochs are numbered from 1; bestEpoch 0 means no epoch ran.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../util/rng';
import type { Rng } from '../util/rng';
import {
  type Forward,
  type ForwardContext,
  type NamedWeight,
  ParamSet,
  dropout,
  gelu,
  layerNorm,
  linear,
  mixtureOfExperts,
  residualBlock,
  residualMoeBlock,
  sequence,
} from './netLayers';
import { AdamW, cosineLearningRate } from './netOptim';
import type {
  EndpointRows,
  EpochProgress,
  NeuralConfig,
  TrainedNetwork,
  TrainingData,
} from './types';
import { ENCODERS, FRAMEWORKS, HEADS } from './types';

export interface TrainOptions {
  readonly onEpoch?: (p: EpochProgress) => void;
  readonly shouldStop?: () => boolean;
}

// ---- definition ----------------------------------------------------------------------------

function defineEncoder(ps: ParamSet, name: string, config: NeuralConfig, d: number): Forward {
  const h = config.hidden;
  const blocks = config.blocks;
  switch (config.encoder) {
    case 'mlp': {
      const layers: Forward[] = [];
      for (let i = 0; i < Math.max(1, blocks); i++) {
        const fc = linear(ps, `${name}/fc${i}`, i === 0 ? d : h, h);
        layers.push((x, ctx) => dropout(gelu(fc(x, ctx)), ctx));
      }
      return sequence(...layers);
    }
    case 'resmlp': {
      const layers: Forward[] = [linear(ps, `${name}/in`, d, h)];
      for (let i = 0; i < blocks; i++) layers.push(residualBlock(ps, `${name}/block${i}`, h));
      layers.push(layerNorm(ps, `${name}/ln`, h));
      return sequence(...layers);
    }
    case 'moe': {
      const input = linear(ps, `${name}/in`, d, h);
      const moe = mixtureOfExperts(ps, `${name}/moe`, h, config.experts, config.topK);
      return (x, ctx) => moe(gelu(input(x, ctx)), ctx);
    }
    case 'resmlp_moe': {
      const layers: Forward[] = [linear(ps, `${name}/in`, d, h)];
      for (let i = 0; i < Math.max(1, blocks); i++) {
        layers.push(residualBlock(ps, `${name}/block${i}`, h));
        layers.push(residualMoeBlock(ps, `${name}/moe${i}`, h, config.experts, config.topK));
      }
      layers.push(layerNorm(ps, `${name}/ln`, h));
      return sequence(...layers);
    }
  }
}

/** A network's parameters and forward passes (exported for tests and benchmarks). */
export interface NetworkModel {
  readonly config: NeuralConfig;
  readonly inputWidth: number;
  readonly params: ParamSet;
  /**
   * The PD network's input for PD feature rows: x itself, or for the cascade [x, PK prediction
   * of x] (no dropout, no gradient). Used identically by training and prediction.
   */
  pdInput(x: tf.Tensor2D): tf.Tensor2D;
  /** PK predictions for PK rows and PD predictions for PD inputs (from pdInput), [B, 1]. */
  forward(
    xPk: tf.Tensor2D | null,
    pdIn: tf.Tensor2D | null,
    ctx: ForwardContext,
  ): { pk: tf.Tensor2D | null; pd: tf.Tensor2D | null };
}

function checkConfig(config: NeuralConfig, inputWidth: number): void {
  const positiveInt = (v: number) => Number.isInteger(v) && v >= 1;
  if (!FRAMEWORKS.includes(config.framework))
    throw new Error(`Unknown framework "${config.framework}"`);
  if (!ENCODERS.includes(config.encoder)) throw new Error(`Unknown encoder "${config.encoder}"`);
  if (!HEADS.includes(config.head)) throw new Error(`Unknown head "${config.head}"`);
  if (config.head !== 'direct')
    throw new Error(`The "${config.head}" head is not built by this network (use "direct")`);
  if (!positiveInt(inputWidth)) throw new Error(`Input width must be ≥ 1, got ${inputWidth}`);
  if (!positiveInt(config.hidden)) throw new Error(`hidden must be ≥ 1, got ${config.hidden}`);
  if (!Number.isInteger(config.blocks) || config.blocks < 0)
    throw new Error(`blocks must be an integer ≥ 0, got ${config.blocks}`);
  if (!positiveInt(config.experts)) throw new Error(`experts must be ≥ 1, got ${config.experts}`);
  if (!positiveInt(config.topK)) throw new Error(`topK must be ≥ 1, got ${config.topK}`);
  if (!(config.dropout >= 0 && config.dropout < 1))
    throw new Error(`dropout must be in [0, 1), got ${config.dropout}`);
  if (!(config.learningRate > 0)) throw new Error('learningRate must be > 0');
  if (!(config.weightDecay >= 0)) throw new Error('weightDecay must be ≥ 0');
  if (!(config.balanceWeight >= 0)) throw new Error('balanceWeight must be ≥ 0');
  if (!positiveInt(config.batchSize)) throw new Error('batchSize must be an integer ≥ 1');
  if (!Number.isInteger(config.maxEpochs) || config.maxEpochs < 0)
    throw new Error('maxEpochs must be an integer ≥ 0');
  if (!Number.isInteger(config.patience) || config.patience < 1)
    throw new Error('patience must be an integer ≥ 1');
}

/** Defines the network for `config` on a fresh ParamSet (not yet materialised). */
function defineNetwork(config: NeuralConfig, inputWidth: number): NetworkModel {
  checkConfig(config, inputWidth);
  const ps = new ParamSet();
  const d = inputWidth;
  const h = config.hidden;
  const evalCtx: ForwardContext = {
    training: false,
    dropout: 0,
    rng: null,
    aux: [],
  };

  if (config.framework === 'multitask') {
    const encoder = defineEncoder(ps, 'shared', config, d);
    const headPk = linear(ps, 'pk/head', h, 1);
    const headPd = linear(ps, 'pd/head', h, 1);
    return {
      config,
      inputWidth,
      params: ps,
      pdInput: (x) => x,
      forward(xPk, pdIn, ctx) {
        // One encoder pass over the PK and PD rows together.
        const parts = [xPk, pdIn].filter((t): t is tf.Tensor2D => t !== null);
        if (parts.length === 0) return { pk: null, pd: null };
        const hidden = encoder(parts.length === 1 ? parts[0] : tf.concat(parts, 0), ctx);
        const nPk = xPk ? xPk.shape[0] : 0;
        const pk = xPk ? headPk(tf.slice(hidden, [0, 0], [nPk, h]), ctx) : null;
        const pd = pdIn ? headPd(tf.slice(hidden, [nPk, 0], [pdIn.shape[0], h]), ctx) : null;
        return { pk, pd };
      },
    };
  }

  const pkEncoder = defineEncoder(ps, 'pk', config, d);
  const pkHead = linear(ps, 'pk/head', h, 1);
  const cascade = config.framework === 'cascade';
  const pdEncoder = defineEncoder(ps, 'pd', config, cascade ? d + 1 : d);
  const pdHead = linear(ps, 'pd/head', h, 1);
  const pkNet: Forward = (x, ctx) => pkHead(pkEncoder(x, ctx), ctx);
  const pdNet: Forward = (x, ctx) => pdHead(pdEncoder(x, ctx), ctx);
  return {
    config,
    inputWidth,
    params: ps,
    pdInput: cascade ? (x) => tf.concat([x, pkNet(x, { ...evalCtx, aux: [] })], 1) : (x) => x,
    forward(xPk, pdIn, ctx) {
      return { pk: xPk ? pkNet(xPk, ctx) : null, pd: pdIn ? pdNet(pdIn, ctx) : null };
    },
  };
}

/** The network for `config`, its variables initialised from `rng`. */
export function buildNetwork(config: NeuralConfig, inputWidth: number, rng: Rng): NetworkModel {
  const model = defineNetwork(config, inputWidth);
  model.params.materialise(rng);
  return model;
}

/** Trainable parameters of the network trainNetwork builds for `config` and `inputWidth`. */
export function countParameters(config: NeuralConfig, inputWidth: number): number {
  return defineNetwork(config, inputWidth).params.size;
}

// ---- training ------------------------------------------------------------------------------

interface EndpointTensors {
  readonly x: tf.Tensor2D;
  readonly y: tf.Tensor2D;
  readonly rows: number;
}

function endpointTensors(rows: EndpointRows, width: number, what: string): EndpointTensors {
  if (rows.rows > 0 && rows.width !== width)
    throw new Error(`${what}: width ${rows.width}, expected ${width}`);
  if (rows.x.length !== rows.rows * rows.width)
    throw new Error(`${what}: x has ${rows.x.length} values, expected ${rows.rows}×${rows.width}`);
  if (rows.y.length !== rows.rows)
    throw new Error(`${what}: y has ${rows.y.length} values, expected ${rows.rows}`);
  return {
    x: tf.tensor2d(rows.x, [rows.rows, width], 'float32'),
    y: tf.tensor2d(rows.y, [rows.rows, 1], 'float32'),
    rows: rows.rows,
  };
}

function shuffled(n: number, rng: Rng): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

function mse(pred: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  return tf.mean(tf.squaredDifference(pred, y));
}

/** Validation loss (PK MSE + PD MSE, no dropout) as a number; NaN when there are no rows. */
function evaluate(model: NetworkModel, pk: EndpointTensors, pd: EndpointTensors): number {
  if (pk.rows === 0 && pd.rows === 0) return NaN;
  return tf.tidy(() => {
    const ctx: ForwardContext = { training: false, dropout: 0, rng: null, aux: [] };
    const out = model.forward(
      pk.rows > 0 ? pk.x : null,
      pd.rows > 0 ? model.pdInput(pd.x) : null,
      ctx,
    );
    let loss = 0;
    if (out.pk) loss += mse(out.pk, pk.y).dataSync()[0];
    if (out.pd) loss += mse(out.pd, pd.y).dataSync()[0];
    return loss;
  });
}

/** Yields to the event loop so a worker can receive a stop message between epochs. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Wraps a trained model as a TrainedNetwork (predictions in one batched call each). */
function trainedNetwork(model: NetworkModel, bestEpoch: number, epochs: number): TrainedNetwork {
  let disposed = false;
  // Deterministic predictions: dropout off. With a seed: one MC-dropout sample.
  const ctxFor = (dropoutSeed: number | undefined): ForwardContext =>
    dropoutSeed === undefined || model.config.dropout <= 0
      ? { training: false, dropout: 0, rng: null, aux: [] }
      : { training: true, dropout: model.config.dropout, rng: createRng(dropoutSeed), aux: [] };
  const input = (x: Float32Array, rows: number): tf.Tensor2D => {
    if (disposed) throw new Error('TrainedNetwork: used after dispose()');
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * model.inputWidth)
      throw new Error(
        `TrainedNetwork: ${x.length} values for ${rows} rows of width ${model.inputWidth}`,
      );
    return tf.tensor2d(x, [rows, model.inputWidth], 'float32');
  };
  return {
    config: model.config,
    parameters: model.params.size,
    bestEpoch,
    epochs,
    predictPk(x, rows, dropoutSeed) {
      if (rows === 0) return new Float32Array(0);
      return tf.tidy(() => {
        const out = model.forward(input(x, rows), null, ctxFor(dropoutSeed)).pk as tf.Tensor2D;
        return new Float32Array(out.dataSync());
      });
    },
    predictPd(x, rows, dropoutSeed) {
      if (rows === 0) return new Float32Array(0);
      return tf.tidy(() => {
        // The cascade's PK input stays deterministic; dropout samples the PD network.
        const out = model.forward(null, model.pdInput(input(x, rows)), ctxFor(dropoutSeed)).pd;
        return new Float32Array((out as tf.Tensor2D).dataSync());
      });
    },
    exportWeights() {
      if (disposed) throw new Error('TrainedNetwork: used after dispose()');
      return model.params.export();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.params.dispose();
    },
  };
}

/**
 * A trained network read back from its config, input width and saved weights (as
 * exportWeights gave them). Throws a plain message when they do not fit each other.
 */
export function restoreNetwork(
  config: NeuralConfig,
  inputWidth: number,
  weights: readonly NamedWeight[],
  info: { bestEpoch: number; epochs: number } = { bestEpoch: 0, epochs: 0 },
): TrainedNetwork {
  const model = defineNetwork(config, inputWidth);
  model.params.load(weights);
  return trainedNetwork(model, info.bestEpoch, info.epochs);
}

/**
 * Trains the network for `config` on `train`, early-stopping on `validation` (both already
 * scaled, same feature width), and returns it with the best epoch's weights. The caller owns
 * the result and must dispose() it.
 */
export async function trainNetwork(
  train: TrainingData,
  validation: TrainingData,
  config: NeuralConfig,
  opts: TrainOptions = {},
): Promise<TrainedNetwork> {
  const width = train.pk.rows > 0 ? train.pk.width : train.pd.width;
  checkConfig(config, width);
  if (train.pk.rows === 0 && train.pd.rows === 0) throw new Error('No training rows');
  await tf.ready();

  const rng = createRng(config.seed);
  const initRng = rng.fork();
  const shuffleRng = rng.fork();
  const dropoutRng = rng.fork();

  const model = buildNetwork(config, width, initRng);
  const variables = model.params.variables;
  const decay = model.params.specs.map((s) => s.decay);
  const optimizer = new AdamW(variables, decay);
  let best: tf.Tensor[] | null = null;
  const tensors: EndpointTensors[] = [];
  try {
    const trPk = endpointTensors(train.pk, width, 'train PK');
    tensors.push(trPk);
    const trPd = endpointTensors(train.pd, width, 'train PD');
    tensors.push(trPd);
    const vaPk = endpointTensors(validation.pk, width, 'validation PK');
    tensors.push(vaPk);
    const vaPd = endpointTensors(validation.pd, width, 'validation PD');
    tensors.push(vaPd);

    const stepsPerEpoch = Math.max(1, Math.ceil(Math.max(trPk.rows, trPd.rows) / config.batchSize));
    const totalSteps = stepsPerEpoch * config.maxEpochs;
    let step = 0;
    let bestLoss = Infinity;
    let bestEpoch = 0;
    let epoch = 0;

    const batchIndices = (perm: Int32Array, s: number): tf.Tensor1D | null => {
      const from = Math.floor((s * perm.length) / stepsPerEpoch);
      const to = Math.floor(((s + 1) * perm.length) / stepsPerEpoch);
      return to > from ? tf.tensor1d(perm.subarray(from, to), 'int32') : null;
    };

    while (epoch < config.maxEpochs) {
      if (opts.shouldStop?.()) break;
      epoch += 1;
      const permPk = shuffled(trPk.rows, shuffleRng);
      const permPd = shuffled(trPd.rows, shuffleRng);
      let lossSum: tf.Scalar = tf.scalar(0);
      for (let s = 0; s < stepsPerEpoch; s++) {
        const lr = cosineLearningRate(config.learningRate, step, totalSteps);
        step += 1;
        const next = tf.tidy(() => {
          const iPk = batchIndices(permPk, s);
          const iPd = batchIndices(permPd, s);
          const xPk = iPk ? tf.gather(trPk.x, iPk) : null;
          const yPk = iPk ? tf.gather(trPk.y, iPk) : null;
          // The cascade's PK input is computed here, outside the gradient tape.
          const pdIn = iPd ? model.pdInput(tf.gather(trPd.x, iPd)) : null;
          const yPd = iPd ? tf.gather(trPd.y, iPd) : null;
          const kept: { loss?: tf.Scalar } = {};
          const { grads } = tf.variableGrads(() => {
            const ctx: ForwardContext = {
              training: true,
              dropout: config.dropout,
              rng: dropoutRng,
              aux: [],
            };
            const out = model.forward(xPk, pdIn, ctx);
            const terms: tf.Scalar[] = [];
            if (out.pk && yPk) terms.push(mse(out.pk, yPk));
            if (out.pd && yPd) terms.push(mse(out.pd, yPd));
            const data = terms.length === 1 ? terms[0] : tf.addN(terms);
            kept.loss = tf.keep(data);
            if (ctx.aux.length === 0 || config.balanceWeight === 0) return data;
            return tf.add(data, tf.mul(tf.addN(ctx.aux), config.balanceWeight));
          }, variables as tf.Variable[]);
          optimizer.step(
            variables.map((v) => grads[v.name]),
            lr,
            config.weightDecay,
          );
          const sum = tf.add(lossSum, kept.loss as tf.Scalar);
          kept.loss?.dispose();
          return sum;
        });
        lossSum.dispose();
        lossSum = next as tf.Scalar;
      }
      const trainLoss = lossSum.dataSync()[0] / stepsPerEpoch;
      lossSum.dispose();

      let valLoss = evaluate(model, vaPk, vaPd);
      if (vaPk.rows === 0 && vaPd.rows === 0) valLoss = trainLoss;
      if (valLoss < bestLoss) {
        bestLoss = valLoss;
        bestEpoch = epoch;
        if (best) for (const t of best) t.dispose();
        best = variables.map((v) => tf.clone(v));
      }
      opts.onEpoch?.({ epoch, trainLoss, valLoss, bestEpoch });
      if (epoch - bestEpoch >= config.patience) break;
      if (opts.shouldStop?.()) break;
      await yieldToEventLoop();
    }

    if (best) {
      const snapshot = best;
      variables.forEach((v, i) => v.assign(snapshot[i]));
    }
    return trainedNetwork(model, bestEpoch, epoch);
  } catch (err) {
    model.params.dispose();
    throw err;
  } finally {
    if (best) for (const t of best) t.dispose();
    optimizer.dispose();
    for (const t of tensors) {
      t.x.dispose();
      t.y.dispose();
    }
  }
}
