import type { NamedWeight } from './netLayers';

/**
 * Neural PK/PD models (the seed's frameworks and encoders), trained with tfjs. Shared types
 * between the data side (features.ts: rows, scaling, folds, metrics) and the model side
 * (networks.ts: encoders, frameworks, training).
 */

export const FRAMEWORKS = ['independent', 'cascade', 'multitask'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export const ENCODERS = ['mlp', 'resmlp', 'moe', 'resmlp_moe'] as const;
export type EncoderName = (typeof ENCODERS)[number];

/**
 * What the encoder's output means: `direct`, the concentration and biomarker themselves (the
 * seed); `parameters`, the individual parameters of a compartmental PK/PD model that the
 * engine then simulates (go beyond the seed: pharmacological structure, sensible
 * extrapolation to new doses and intervals).
 */
export const HEADS = ['direct', 'parameters'] as const;
export type HeadName = (typeof HEADS)[number];

/** Hyperparameters, with the defaults in DEFAULT_NEURAL_CONFIG. */
export interface NeuralConfig {
  readonly framework: Framework;
  readonly encoder: EncoderName;
  readonly head: HeadName;
  /** Width of the hidden layers. */
  readonly hidden: number;
  /** Residual blocks (resmlp, resmlp_moe) or hidden layers (mlp). */
  readonly blocks: number;
  /** Experts and experts used per row (moe, resmlp_moe). */
  readonly experts: number;
  readonly topK: number;
  /** Weight of the MoE load-balancing loss. */
  readonly balanceWeight: number;
  readonly dropout: number;
  /** AdamW. */
  readonly learningRate: number;
  readonly weightDecay: number;
  readonly batchSize: number;
  /** At most this many epochs; stop after `patience` epochs without a better validation loss. */
  readonly maxEpochs: number;
  readonly patience: number;
  readonly seed: number;
  /** Train on log(1 + y) instead of y (predictions are transformed back). */
  readonly logTargets: boolean;
}

export const DEFAULT_NEURAL_CONFIG: NeuralConfig = {
  framework: 'cascade',
  encoder: 'resmlp',
  head: 'direct',
  hidden: 64,
  blocks: 2,
  experts: 4,
  topK: 2,
  balanceWeight: 0.01,
  dropout: 0.1,
  learningRate: 2e-3,
  weightDecay: 1e-4,
  batchSize: 64,
  maxEpochs: 300,
  patience: 30,
  seed: 1,
  logTargets: false,
};

/**
 * The rows of one endpoint, already scaled: features x (rows × width, row-major), targets y
 * (scaled), the subject of each row (for subject-level folds), and the raw times.
 */
export interface EndpointRows {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
  readonly width: number;
  readonly subject: Int32Array;
}

/** What a network trains on: PK rows (concentration) and PD rows (biomarker). */
export interface TrainingData {
  readonly pk: EndpointRows;
  readonly pd: EndpointRows;
  readonly featureNames: readonly string[];
}

/** Per-epoch progress of a training run. */
export interface EpochProgress {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly bestEpoch: number;
}

/** Predictions for rows given as scaled features (scaled outputs). */
export interface TrainedNetwork {
  readonly config: NeuralConfig;
  /** Trainable parameters (count of scalars). */
  readonly parameters: number;
  readonly bestEpoch: number;
  readonly epochs: number;
  /**
   * Scaled PK and PD predictions for feature rows (rows × width, the training width). With
   * `dropoutSeed`, one Monte Carlo dropout sample (dropout on, masks drawn from that seed)
   * instead of the deterministic prediction.
   */
  predictPk(x: Float32Array, rows: number, dropoutSeed?: number): Float32Array;
  predictPd(x: Float32Array, rows: number, dropoutSeed?: number): Float32Array;
  /** The trained weights, by name (restoreNetwork reads them back). */
  exportWeights(): NamedWeight[];
  /** Frees the tensors it holds. */
  dispose(): void;
}
