/**
 * The parameter head: encoders map a subject's covariates to the individual parameters of a
 * compartmental PK/PD model (parameterHeadModel.ts), and the predictions are that model's
 * concentration and biomarker at the row's time under the row's dose history
 * (parameterHeadKinetics.ts). Pharmacological structure comes for free: dose proportionality,
 * accumulation, wash-out and the delay of the biomarker hold for any regimen, also far from
 * the trained doses and intervals, and each subject's parameters can go to the engine.
 *
 * Inputs: the covariate columns of the scaled feature rows, by name (HEAD_COVARIATES: BW,
 * COMED, and BASELINE_PD with the baseline input); they are constant per subject, so the dose
 * features are not used: the doses enter through the model.
 *
 * Outputs: unconstrained coordinates (logs; PK_OUTPUTS, PD_OUTPUTS). Each head is a linear
 * layer whose biases start at the typical values fitted to the training rows
 * (parameterHeadInit.ts) and whose weights start small (HEAD_GAIN), so an untrained network
 * predicts the typical subject. Weight decay pulls the weights, not the biases, so it
 * regularises every subject towards the typical one.
 *
 * Frameworks:
 * - multitask: one shared encoder → PK and PD coordinates; the PD loss trains the PK
 *   parameters too (a simultaneous PK/PD fit).
 * - independent: a PK encoder → PK coordinates, a PD encoder → PD coordinates. The PD model
 *   is driven by the PK network's parameters, taken without gradient: the PK network is fitted
 *   to the concentrations only, the PD network to the biomarker only (the sequential approach).
 * - cascade: as independent, and the PD encoder also receives the PK network's coordinates
 *   (as deviations from the PK head's typical values, its biases), so that a subject's PD
 *   parameters can depend on its PK parameters.
 *
 * Losses are on the scaled targets exactly as for the direct head: predictions go through the
 * targets' own scaling (log(1 + y) when logTargets, then standardisation), whose numbers are
 * saved with the weights (TARGET_SCALING_WEIGHT) so that a restored network needs nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import { BASELINE_FEATURE, featureNames as defaultNames } from './features';
import { defineEncoder } from './netEncoders';
import {
  linear,
  ParamSet,
  type Forward,
  type ForwardContext,
  type NamedWeight,
  type NetworkGraph,
  type RowTensors,
} from './netLayers';
import {
  effect,
  effectConcentration,
  oralConcentration,
  toTargetScale,
  type LogPd,
  type LogPk,
} from './parameterHeadKinetics';
import {
  PD_OUTPUTS,
  PK_OUTPUTS,
  engineParameters,
  headCoordinates,
  headParameters,
  type HeadParameters,
} from './parameterHeadModel';
import type { NeuralConfig, TargetScaling } from './types';

/** Feature columns the encoders read, when present: the covariates. */
export const HEAD_COVARIATES: readonly string[] = ['BW', 'COMED', BASELINE_FEATURE];

/** Name of the saved target scaling: [PK mean, PK sd, PD mean, PD sd] (logTargets is config's). */
export const TARGET_SCALING_WEIGHT = 'parameters/targetScaling';

/**
 * Glorot gain of the heads' weights: at the start subjects differ from the typical values by
 * some 10–20% in each parameter (LayerNorm'd encoder outputs of size ~1), enough for the
 * encoder to get a gradient from the first step without an untrained network's curves being
 * implausible.
 */
const HEAD_GAIN = 0.1;

const NPK = PK_OUTPUTS.length;
const NPD = PD_OUTPUTS.length;

/** Indices of the covariate columns among the feature names. */
export function covariateColumns(names: readonly string[]): number[] {
  const columns = HEAD_COVARIATES.map((c) => names.indexOf(c)).filter((i) => i >= 0);
  if (columns.length === 0) {
    throw new Error(
      `The parameter head reads the covariates ${HEAD_COVARIATES.join(', ')}; the features (${names.join(', ')}) have none of them`,
    );
  }
  return columns;
}

/** The workbench's feature names for an input width (with or without the baseline input). */
export function featureNamesForWidth(inputWidth: number): string[] {
  for (const baseline of [false, true]) {
    const names = defaultNames({ baseline });
    if (names.length === inputWidth) return names;
  }
  throw new Error(
    `The parameter head needs the feature names of its ${inputWidth} inputs (they are not the workbench's features)`,
  );
}

export interface ParameterNetworkOptions {
  /** Names of the feature columns (the covariates are found by name). */
  readonly featureNames: readonly string[];
  /** Where the heads' biases start (see parameterHeadInit.ts). */
  readonly typical: HeadParameters;
  readonly targets: TargetScaling;
}

const evalContext = (): ForwardContext => ({ training: false, dropout: 0, rng: null, aux: [] });

/** The columns [from, from + n) of x. */
const columns = (x: tf.Tensor2D, from: number, n: number) =>
  tf.slice(x, [0, from], [-1, n]) as tf.Tensor2D;

function logPk(z: tf.Tensor2D): LogPk {
  const [logCL, logV, logKa] = tf.split(z, NPK, 1) as tf.Tensor2D[];
  return { logCL, logV, logKa };
}

function logPd(z: tf.Tensor2D): LogPd {
  const [logBaseline, logMaxRatio, logEC50, logKe0, logHill] = tf.split(z, NPD, 1) as tf.Tensor2D[];
  return { logBaseline, logMaxRatio, logEC50, logKe0, logHill };
}

function dosesOf(rows: RowTensors): { elapsed: tf.Tensor2D; amount: tf.Tensor2D } {
  if (!rows.elapsed || !rows.amount)
    throw new Error('The parameter head needs each row’s dose history');
  return { elapsed: rows.elapsed, amount: rows.amount };
}

/** The parameter-head network for `config` on a fresh ParamSet (not yet materialised). */
export function defineParameterNetwork(
  config: NeuralConfig,
  inputWidth: number,
  opts: ParameterNetworkOptions,
): NetworkGraph {
  if (opts.featureNames.length !== inputWidth) {
    throw new Error(
      `${opts.featureNames.length} feature names for an input width of ${inputWidth}`,
    );
  }
  const { targets } = opts;
  if (targets.logTargets !== config.logTargets) {
    throw new Error(
      `The targets were scaled with logTargets ${targets.logTargets}, the config says ${config.logTargets}`,
    );
  }
  const ps = new ParamSet();
  const h = config.hidden;
  const covIndex = covariateColumns(opts.featureNames);
  const nCov = covIndex.length;
  const start = headCoordinates(opts.typical);
  const pkHeadInit = { gain: HEAD_GAIN, bias: start.pk };
  const pdHeadInit = { gain: HEAD_GAIN, bias: start.pd };

  const covariates = (x: tf.Tensor2D) =>
    tf.gather(
      x,
      ps.constant('covariateColumns', () => tf.tensor1d(covIndex, 'int32')),
      1,
    ) as tf.Tensor2D;
  const concentration = (zPk: tf.Tensor2D, rows: RowTensors) => {
    const { elapsed, amount } = dosesOf(rows);
    const c = oralConcentration(logPk(zPk), elapsed, amount);
    return toTargetScale(c, targets.pk, config.logTargets);
  };
  const biomarker = (zPk: tf.Tensor2D, zPd: tf.Tensor2D, rows: RowTensors) => {
    const { elapsed, amount } = dosesOf(rows);
    const pd = logPd(zPd);
    const ce = effectConcentration(logPk(zPk), pd.logKe0, elapsed, amount);
    return toTargetScale(effect(ce, pd), targets.pd, config.logTargets);
  };
  const savedConstants = (): NamedWeight[] => [
    {
      name: TARGET_SCALING_WEIGHT,
      shape: [4],
      values: Float32Array.of(targets.pk.mean, targets.pk.sd, targets.pd.mean, targets.pd.sd),
    },
  ];
  /** The engine's parameters from a row's coordinates, computed (and freed) by `run`. */
  const toEngine = (run: () => [tf.Tensor2D, tf.Tensor2D]) => {
    const z = { pk: new Float32Array(NPK), pd: new Float32Array(NPD) };
    tf.tidy(() => {
      const [zPk, zPd] = run();
      z.pk.set(zPk.dataSync());
      z.pd.set(zPd.dataSync());
    });
    return engineParameters(headParameters(z.pk, z.pd));
  };
  const checkRow = (x: Float32Array) => {
    if (x.length !== inputWidth)
      throw new Error(`individualParameters: ${x.length} values for a row of width ${inputWidth}`);
    return tf.tensor2d(x, [1, inputWidth], 'float32');
  };
  const common = { config, inputWidth, params: ps, needsDoses: true, savedConstants };

  if (config.framework === 'multitask') {
    const encoder = defineEncoder(ps, 'shared', config, nCov);
    const pkHead = linear(ps, 'pk/params', h, NPK, pkHeadInit);
    const pdHead = linear(ps, 'pd/params', h, NPD, pdHeadInit);
    return {
      ...common,
      pdRows: (rows) => rows,
      forward(pk, pd, ctx) {
        // One encoder pass over the PK and PD rows together.
        const parts = [pk, pd].filter((r): r is RowTensors => r !== null);
        if (parts.length === 0) return { pk: null, pd: null };
        const inputs = parts.map((r) => covariates(r.x));
        const hidden = encoder(inputs.length === 1 ? inputs[0] : tf.concat(inputs, 0), ctx);
        const nPk = pk ? pk.x.shape[0] : 0;
        const hPk = pk ? (tf.slice(hidden, [0, 0], [nPk, h]) as tf.Tensor2D) : null;
        const hPd = pd ? (tf.slice(hidden, [nPk, 0], [pd.x.shape[0], h]) as tf.Tensor2D) : null;
        return {
          pk: pk && hPk ? concentration(pkHead(hPk, ctx), pk) : null,
          pd: pd && hPd ? biomarker(pkHead(hPd, ctx), pdHead(hPd, ctx), pd) : null,
        };
      },
      individualParameters: (x) =>
        toEngine(() => {
          const ctx = evalContext();
          const hidden = encoder(covariates(checkRow(x)), ctx);
          return [pkHead(hidden, ctx), pdHead(hidden, ctx)];
        }),
    };
  }

  const cascade = config.framework === 'cascade';
  const pkEncoder = defineEncoder(ps, 'pk', config, nCov);
  const pkHead = linear(ps, 'pk/params', h, NPK, pkHeadInit);
  const pdEncoder = defineEncoder(ps, 'pd', config, cascade ? nCov + NPK : nCov);
  const pdHead = linear(ps, 'pd/params', h, NPD, pdHeadInit);
  const pkBias = ps.specs.findIndex((s) => s.name === 'pk/params/b');
  const pkNet: Forward = (x, ctx) => pkHead(pkEncoder(covariates(x), ctx), ctx);
  /** The PD network's coordinates from covariates and the PK deviations [B, NPK]. */
  const pdNet = (x: tf.Tensor2D, deviation: tf.Tensor2D, ctx: ForwardContext) => {
    const c = covariates(x);
    return pdHead(pdEncoder(cascade ? tf.concat([c, deviation], 1) : c, ctx), ctx);
  };
  return {
    ...common,
    // PD rows carry [x, PK coordinates, their deviations from the PK head's biases].
    pdRows(rows) {
      const zPk = pkNet(rows.x, evalContext());
      const deviation = tf.sub(zPk, ps.get(pkBias)) as tf.Tensor2D;
      return { ...rows, x: tf.concat([rows.x, zPk, deviation], 1) };
    },
    forward(pk, pd, ctx) {
      let pdOut: tf.Tensor2D | null = null;
      if (pd) {
        const x = columns(pd.x, 0, inputWidth);
        const zPk = columns(pd.x, inputWidth, NPK);
        const deviation = columns(pd.x, inputWidth + NPK, NPK);
        pdOut = biomarker(zPk, pdNet(x, deviation, ctx), pd);
      }
      return { pk: pk ? concentration(pkNet(pk.x, ctx), pk) : null, pd: pdOut };
    },
    individualParameters: (x) =>
      toEngine(() => {
        const ctx = evalContext();
        const row = checkRow(x);
        const zPk = pkNet(row, ctx);
        const deviation = tf.sub(zPk, ps.get(pkBias)) as tf.Tensor2D;
        return [zPk, pdNet(row, deviation, ctx)];
      }),
  };
}

/** The target scaling saved by a parameter-head network, and the other weights. */
export function splitSavedConstants(
  weights: readonly NamedWeight[],
  logTargets: boolean,
): { targets: TargetScaling; weights: NamedWeight[] } {
  const saved = weights.find((w) => w.name === TARGET_SCALING_WEIGHT);
  if (!saved || saved.values.length !== 4)
    throw new Error(`Saved weights lack "${TARGET_SCALING_WEIGHT}" (four values)`);
  const [pkMean, pkSd, pdMean, pdSd] = saved.values;
  if (![pkMean, pkSd, pdMean, pdSd].every(Number.isFinite) || !(pkSd > 0 && pdSd > 0))
    throw new Error(`Saved weight "${TARGET_SCALING_WEIGHT}" is not a valid scaling`);
  return {
    targets: {
      logTargets,
      pk: { mean: pkMean, sd: pkSd },
      pd: { mean: pdMean, sd: pdSd },
    },
    weights: weights.filter((w) => w !== saved),
  };
}
