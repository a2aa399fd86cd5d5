/**
 * The seed's neural PK/PD frameworks and encoders, in tfjs, with a custom training loop.
 *
 * Encoders (input width d → hidden h; defineEncoder in netEncoders.ts):
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
 *
 * Heads: everything above is the `direct` head (the networks output the scaled concentration
 * and biomarker). With config.head 'parameters' the same encoders output the parameters of a
 * compartmental model whose predictions are simulated from each row's dose history
 * (parameterHead.ts); trainNetwork, the trained network and restoreNetwork dispatch on the head,
 * and both heads share the training loop below through the NetworkGraph interface (netLayers.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../util/rng';
import type { Rng } from '../util/rng';
import {
  type Forward,
  type ForwardContext,
  type NamedWeight,
  type NetworkGraph,
  type RowTensors,
  ParamSet,
  linear,
} from './netLayers';
import { defineEncoder } from './netEncoders';
import { AdamW, cosineLearningRate } from './netOptim';
import { defineParameterNetwork, featureNamesForWidth, splitSavedConstants } from './parameterHead';
import { fitTypicalParameters, FALLBACK_PARAMETERS } from './parameterHeadInit';
import type { HeadParameters } from './parameterHeadModel';
import type {
  DoseHistoryRows,
  EndpointRows,
  EpochProgress,
  NeuralConfig,
  TargetScaling,
  TrainedNetwork,
  TrainingData,
} from './types';
import { ENCODERS, FRAMEWORKS, HEADS } from './types';

export interface TrainOptions {
  readonly onEpoch?: (p: EpochProgress) => void;
  readonly shouldStop?: () => boolean;
}

// ---- definition ----------------------------------------------------------------------------

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

/** Defines the direct-head network for `config` on a fresh ParamSet (not yet materialised). */
function defineNetwork(config: NeuralConfig, inputWidth: number): NetworkModel {
  checkConfig(config, inputWidth);
  if (config.head !== 'direct')
    throw new Error(`This is the direct head's network; config.head is "${config.head}"`);
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

/** The direct-head network for `config`, its variables initialised from `rng`. */
export function buildNetwork(config: NeuralConfig, inputWidth: number, rng: Rng): NetworkModel {
  const model = defineNetwork(config, inputWidth);
  model.params.materialise(rng);
  return model;
}

/** The direct head's network as the training loop drives it. */
function directGraph(model: NetworkModel): NetworkGraph {
  return {
    config: model.config,
    inputWidth: model.inputWidth,
    params: model.params,
    needsDoses: false,
    pdRows: (rows) => ({ ...rows, x: model.pdInput(rows.x) }),
    forward: (pk, pd, ctx) => model.forward(pk ? pk.x : null, pd ? pd.x : null, ctx),
    savedConstants: () => [],
  };
}

/** Target scaling for counting parameters, where no data say what it is. */
const UNIT_TARGETS = (logTargets: boolean): TargetScaling => ({
  logTargets,
  pk: { mean: 0, sd: 1 },
  pd: { mean: 0, sd: 1 },
});

/**
 * The network graph of either head, not yet materialised. The parameter head finds its
 * covariates by `featureNames` (default: the workbench's features for `inputWidth`).
 */
function defineGraph(
  config: NeuralConfig,
  inputWidth: number,
  featureNames: readonly string[] | undefined,
  parameterHead: { typical: HeadParameters; targets: TargetScaling } | null,
): NetworkGraph {
  if (config.head === 'direct') return directGraph(defineNetwork(config, inputWidth));
  checkConfig(config, inputWidth);
  return defineParameterNetwork(config, inputWidth, {
    featureNames: featureNames ?? featureNamesForWidth(inputWidth),
    typical: parameterHead?.typical ?? FALLBACK_PARAMETERS,
    targets: parameterHead?.targets ?? UNIT_TARGETS(config.logTargets),
  });
}

/**
 * Trainable parameters of the network trainNetwork builds for `config` and `inputWidth`. The
 * parameter head reads only the covariate columns: pass `featureNames` unless the inputs are
 * the workbench's features.
 */
export function countParameters(
  config: NeuralConfig,
  inputWidth: number,
  featureNames?: readonly string[],
): number {
  return defineGraph(config, inputWidth, featureNames, null).params.size;
}

/** The same count, and how many of the parameters are quantum gate angles. */
export function countParameterKinds(
  config: NeuralConfig,
  inputWidth: number,
  featureNames?: readonly string[],
): { readonly total: number; readonly quantum: number } {
  const params = defineGraph(config, inputWidth, featureNames, null).params;
  return { total: params.size, quantum: params.quantumSize };
}

// ---- training ------------------------------------------------------------------------------

interface EndpointTensors extends RowTensors {
  readonly y: tf.Tensor2D;
  readonly rows: number;
}

/** [rows, slots] tensors of dose histories, checked against the row count. */
function doseTensors(
  doses: DoseHistoryRows | undefined,
  rows: number,
  what: string,
): { elapsed: tf.Tensor2D; amount: tf.Tensor2D } {
  if (!doses)
    throw new Error(
      `${what}: the parameter head needs each row's dose history (buildTrainingData and regimenDoseHistory give it)`,
    );
  const { slots, elapsed, amount } = doses;
  if (!(Number.isInteger(slots) && slots >= 1))
    throw new Error(`${what}: dose histories need at least one slot, got ${slots}`);
  if (elapsed.length !== rows * slots || amount.length !== rows * slots)
    throw new Error(`${what}: dose histories are not ${rows} rows of ${slots} doses`);
  return {
    elapsed: tf.tensor2d(elapsed, [rows, slots], 'float32'),
    amount: tf.tensor2d(amount, [rows, slots], 'float32'),
  };
}

function endpointTensors(
  rows: EndpointRows,
  width: number,
  what: string,
  needsDoses: boolean,
): EndpointTensors {
  if (rows.rows > 0 && rows.width !== width)
    throw new Error(`${what}: width ${rows.width}, expected ${width}`);
  if (rows.x.length !== rows.rows * rows.width)
    throw new Error(`${what}: x has ${rows.x.length} values, expected ${rows.rows}×${rows.width}`);
  if (rows.y.length !== rows.rows)
    throw new Error(`${what}: y has ${rows.y.length} values, expected ${rows.rows}`);
  const doses = needsDoses && rows.rows > 0 ? doseTensors(rows.doses, rows.rows, what) : null;
  return {
    x: tf.tensor2d(rows.x, [rows.rows, width], 'float32'),
    y: tf.tensor2d(rows.y, [rows.rows, 1], 'float32'),
    rows: rows.rows,
    elapsed: doses ? doses.elapsed : null,
    amount: doses ? doses.amount : null,
  };
}

function disposeRows(t: EndpointTensors): void {
  const optional = [t.elapsed, t.amount].filter((x) => x !== null);
  tf.dispose([t.x, t.y, ...optional]);
}

/** The rows `index` of endpoint tensors. */
function gatherRows(t: EndpointTensors, index: tf.Tensor1D): RowTensors {
  return {
    x: tf.gather(t.x, index),
    elapsed: t.elapsed ? tf.gather(t.elapsed, index) : null,
    amount: t.amount ? tf.gather(t.amount, index) : null,
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

/** Validation loss (PK MSE + PD MSE, no dropout); NaN when there are no rows. */
async function evaluate(
  graph: NetworkGraph,
  pk: EndpointTensors,
  pd: EndpointTensors,
): Promise<number> {
  if (pk.rows === 0 && pd.rows === 0) return NaN;
  const loss = tf.tidy(() => {
    const ctx: ForwardContext = { training: false, dropout: 0, rng: null, aux: [] };
    const out = graph.forward(pk.rows > 0 ? pk : null, pd.rows > 0 ? graph.pdRows(pd) : null, ctx);
    const terms: tf.Scalar[] = [];
    if (out.pk) terms.push(mse(out.pk, pk.y));
    if (out.pd) terms.push(mse(out.pd, pd.y));
    return terms.length === 1 ? terms[0] : tf.addN(terms);
  });
  try {
    return await readScalar(loss);
  } finally {
    loss.dispose();
  }
}

/**
 * A scalar's value, read asynchronously: on the GPU backends a synchronous read stalls the
 * device queue, and tfjs's WebGPU backend reads synchronously through a canvas that some
 * browsers (headless Chromium on SwiftShader) answer with zeros.
 */
async function readScalar(t: tf.Tensor): Promise<number> {
  return (await t.data())[0];
}

/** Yields to the event loop so a worker can receive a stop message between epochs. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * Rows × dose slots per prediction call of the parameter head: long regimens (thousands of
 * doses at thousands of times) are predicted in chunks of rows so that the intermediate
 * tensors stay a few MB.
 */
const PREDICT_CHUNK_ELEMENTS = 1 << 18;

/**
 * Wraps a trained graph as a TrainedNetwork (predictions in one batched call each; the
 * parameter head's in chunks of rows when the dose histories are long).
 */
function trainedNetwork(graph: NetworkGraph, bestEpoch: number, epochs: number): TrainedNetwork {
  let disposed = false;
  const width = graph.inputWidth;
  // Deterministic predictions: dropout off. With a seed: one MC-dropout sample.
  const ctxFor = (dropoutSeed: number | undefined): ForwardContext =>
    dropoutSeed === undefined || graph.config.dropout <= 0
      ? { training: false, dropout: 0, rng: null, aux: [] }
      : {
          training: true,
          dropout: graph.config.dropout,
          rng: createRng(dropoutSeed),
          aux: [],
          shareMaskAcrossRows: true,
        };
  const checkInput = (x: Float32Array, rows: number) => {
    if (disposed) throw new Error('TrainedNetwork: used after dispose()');
    if (!Number.isInteger(rows) || rows < 0 || x.length !== rows * width)
      throw new Error(`TrainedNetwork: ${x.length} values for ${rows} rows of width ${width}`);
  };
  const predict = (
    endpoint: 'pk' | 'pd',
    x: Float32Array,
    rows: number,
    dropoutSeed: number | undefined,
    doses: DoseHistoryRows | undefined,
  ): Float32Array => {
    checkInput(x, rows);
    const out = new Float32Array(rows);
    if (rows === 0) return out;
    const slots = graph.needsDoses ? (doses?.slots ?? 1) : 1;
    const chunk = graph.needsDoses ? Math.max(1, Math.floor(PREDICT_CHUNK_ELEMENTS / slots)) : rows;
    for (let from = 0; from < rows; from += chunk) {
      // A fresh context per chunk from the same seed: every chunk draws the same masks.
      const ctx = ctxFor(dropoutSeed);
      const to = Math.min(rows, from + chunk);
      tf.tidy(() => {
        const part = doses && graph.needsDoses ? sliceDoses(doses, from, to) : undefined;
        const d = graph.needsDoses ? doseTensors(part, to - from, 'TrainedNetwork') : null;
        const input: RowTensors = {
          x: tf.tensor2d(x.subarray(from * width, to * width), [to - from, width], 'float32'),
          elapsed: d ? d.elapsed : null,
          amount: d ? d.amount : null,
        };
        // The cascade's PK input stays deterministic; dropout samples the PD network.
        const result =
          endpoint === 'pk'
            ? graph.forward(input, null, ctx).pk
            : graph.forward(null, graph.pdRows(input), ctx).pd;
        out.set((result as tf.Tensor2D).dataSync(), from);
      });
    }
    return out;
  };
  const network: TrainedNetwork = {
    config: graph.config,
    parameters: graph.params.size,
    quantumParameters: graph.params.quantumSize,
    bestEpoch,
    epochs,
    predictPk: (x, rows, dropoutSeed, doses) => predict('pk', x, rows, dropoutSeed, doses),
    predictPd: (x, rows, dropoutSeed, doses) => predict('pd', x, rows, dropoutSeed, doses),
    exportWeights() {
      if (disposed) throw new Error('TrainedNetwork: used after dispose()');
      return [...graph.params.export(), ...graph.savedConstants()];
    },
    async readWeights() {
      if (disposed) throw new Error('TrainedNetwork: used after dispose()');
      return [...(await graph.params.read()), ...graph.savedConstants()];
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      graph.params.dispose();
    },
  };
  const individual = graph.individualParameters;
  if (individual) {
    network.individualParameters = (x) => {
      if (disposed) throw new Error('TrainedNetwork: used after dispose()');
      return individual(x);
    };
  }
  return network;
}

/** Rows [from, to) of dose histories (their own slot count kept). */
function sliceDoses(doses: DoseHistoryRows, from: number, to: number): DoseHistoryRows {
  const s = doses.slots;
  return {
    slots: s,
    elapsed: doses.elapsed.subarray(from * s, to * s),
    amount: doses.amount.subarray(from * s, to * s),
  };
}

/**
 * A trained network read back from its config, input width and saved weights (as
 * exportWeights gave them). Throws a plain message when they do not fit each other. A
 * parameter-head network finds its covariate columns by `featureNames`, by default the
 * workbench's features for `inputWidth` (with or without the baseline input).
 */
export function restoreNetwork(
  config: NeuralConfig,
  inputWidth: number,
  weights: readonly NamedWeight[],
  info: { bestEpoch: number; epochs: number } = { bestEpoch: 0, epochs: 0 },
  featureNames?: readonly string[],
): TrainedNetwork {
  if (config.head === 'direct') {
    const model = defineNetwork(config, inputWidth);
    model.params.load(weights);
    return trainedNetwork(directGraph(model), info.bestEpoch, info.epochs);
  }
  const saved = splitSavedConstants(weights, config.logTargets);
  const graph = defineGraph(config, inputWidth, featureNames, {
    typical: FALLBACK_PARAMETERS,
    targets: saved.targets,
  });
  graph.params.load(saved.weights);
  return trainedNetwork(graph, info.bestEpoch, info.epochs);
}

/**
 * Trains the network for `config` on `train`, early-stopping on `validation` (both already
 * scaled, same feature width), and returns it with the best epoch's weights. The caller owns
 * the result and must dispose() it. The parameter head also needs the rows' dose histories and
 * the target scaling (buildTrainingData gives both); its model starts from the typical values
 * fitted to `train` (parameterHeadInit.ts).
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

  let parameterHead: { typical: HeadParameters; targets: TargetScaling } | null = null;
  if (config.head === 'parameters') {
    if (!train.targets)
      throw new Error(
        'The parameter head needs the target scaling of the training rows (buildTrainingData gives it)',
      );
    parameterHead = { typical: fitTypicalParameters(train), targets: train.targets };
  }
  const graph = defineGraph(config, width, train.featureNames, parameterHead);
  graph.params.materialise(initRng);
  const variables = graph.params.variables;
  const decay = graph.params.specs.map((s) => s.decay);
  const optimizer = new AdamW(variables, decay);
  let best: tf.Tensor[] | null = null;
  const tensors: EndpointTensors[] = [];
  try {
    const load = (rows: EndpointRows, what: string) => {
      const t = endpointTensors(rows, width, what, graph.needsDoses);
      tensors.push(t);
      return t;
    };
    const trPk = load(train.pk, 'train PK');
    const trPd = load(train.pd, 'train PD');
    const vaPk = load(validation.pk, 'validation PK');
    const vaPd = load(validation.pd, 'validation PD');

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
          const pk = iPk ? gatherRows(trPk, iPk) : null;
          const yPk = iPk ? tf.gather(trPk.y, iPk) : null;
          // The PD rows' input from the PK network is computed here, outside the gradient tape.
          const pd = iPd ? graph.pdRows(gatherRows(trPd, iPd)) : null;
          const yPd = iPd ? tf.gather(trPd.y, iPd) : null;
          const kept: { loss?: tf.Scalar } = {};
          const { grads } = tf.variableGrads(() => {
            const ctx: ForwardContext = {
              training: true,
              dropout: config.dropout,
              rng: dropoutRng,
              aux: [],
            };
            const out = graph.forward(pk, pd, ctx);
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
      let trainLoss: number;
      try {
        trainLoss = (await readScalar(lossSum)) / stepsPerEpoch;
      } finally {
        // Also when the read fails (a lost GPU device): nothing of the epoch is left behind.
        lossSum.dispose();
      }

      let valLoss = await evaluate(graph, vaPk, vaPd);
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
    return trainedNetwork(graph, bestEpoch, epoch);
  } catch (err) {
    graph.params.dispose();
    throw err;
  } finally {
    if (best) for (const t of best) t.dispose();
    optimizer.dispose();
    for (const t of tensors) disposeRows(t);
  }
}
