import type { PkPdParameters } from '../pkpd/types';
import type { ReadoutName } from '../quantum/templates';
import type { NamedWeight } from './netLayers';

/**
 * Neural PK/PD models (the seed's frameworks and encoders), trained with tfjs. Shared types
 * between the data side (features.ts: rows, scaling, folds, metrics) and the model side
 * (networks.ts: encoders, frameworks, training).
 */

export const FRAMEWORKS = ['independent', 'cascade', 'multitask'] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export const ENCODERS = [
  'mlp',
  'resmlp',
  'moe',
  'resmlp_moe',
  'qnn',
  'qresmlp_moe',
  'qnn_control',
  'qresmlp_moe_control',
] as const;
export type EncoderName = (typeof ENCODERS)[number];

/**
 * The hybrid quantum encoders (their hidden or residual MLPs use hybrid quantum layers) and
 * their parameter-matched classical controls (the same network with the circuit replaced by a
 * classical layer of about as many parameters).
 */
export const QUANTUM_ENCODERS: readonly EncoderName[] = ['qnn', 'qresmlp_moe'];
export const CONTROL_ENCODERS: readonly EncoderName[] = ['qnn_control', 'qresmlp_moe_control'];

/** The encoder has a hybrid layer (quantum or its classical control): qubits, layers etc. apply. */
export function hasHybridLayers(encoder: EncoderName): boolean {
  return QUANTUM_ENCODERS.includes(encoder) || CONTROL_ENCODERS.includes(encoder);
}

/** The encoder routes rows through a mixture of experts (experts and top-k apply). */
export function hasExperts(encoder: EncoderName): boolean {
  return (
    encoder === 'moe' ||
    encoder === 'resmlp_moe' ||
    encoder === 'qresmlp_moe' ||
    encoder === 'qresmlp_moe_control'
  );
}

/** What the hybrid layers' circuits read out (core/quantum/templates.ts). */
export { READOUTS as QNN_READOUTS } from '../quantum/templates';
export type QnnReadout = ReadoutName;

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
  /** Hybrid layers (qnn, qresmlp_moe and their controls): qubits and circuit layers. */
  readonly qubits: number;
  readonly qlayers: number;
  /** The readouts of each circuit: ⟨X⟩⟨Y⟩⟨Z⟩ and ⟨ZZ⟩ per wire (4n), without ⟨ZZ⟩, or ⟨Z⟩ only. */
  readonly readout: QnnReadout;
  /** The learnable classical skip α·Linear(GELU(LayerNorm(x))) beside each circuit. */
  readonly quantumSkip: boolean;
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
  qubits: 4,
  qlayers: 2,
  readout: 'xyzzz',
  quantumSkip: true,
};

/**
 * The doses that count for each row: those given strictly before the row's time and since the
 * last reset before it (II/ADDL written out; the same doses the features are computed from).
 * Time since each dose (h) and its amount (mg, AMT), rows × slots, row-major; a row with fewer
 * doses is padded with zero amounts (and zero times). Not scaled: the parameter head
 * superposes its compartmental model over them in hours and mg.
 */
export interface DoseHistoryRows {
  readonly slots: number;
  readonly elapsed: Float32Array;
  readonly amount: Float32Array;
}

/**
 * The rows of one endpoint, already scaled: features x (rows × width, row-major), targets y
 * (scaled), the subject of each row (for subject-level folds), and, when built from a data set
 * or a regimen, each row's dose history (the parameter head needs it; the direct head does not).
 */
export interface EndpointRows {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly rows: number;
  readonly width: number;
  readonly subject: Int32Array;
  readonly doses?: DoseHistoryRows;
}

/** Mean and standard deviation of one quantity on the training rows. */
export interface Standardisation {
  readonly mean: number;
  readonly sd: number;
}

/**
 * How observed values became scaled targets (the Scaler's target part): optionally log(1 + y),
 * then (· − mean)/sd. The parameter head computes concentrations in mg/L and biomarkers in
 * ng/mL and needs this to put them on the scale of the targets.
 */
export interface TargetScaling {
  readonly logTargets: boolean;
  readonly pk: Standardisation;
  readonly pd: Standardisation;
}

/** What a network trains on: PK rows (concentration) and PD rows (biomarker). */
export interface TrainingData {
  readonly pk: EndpointRows;
  readonly pd: EndpointRows;
  readonly featureNames: readonly string[];
  /** The target scaling of the rows' y (buildTrainingData sets it; the parameter head needs it). */
  readonly targets?: TargetScaling;
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
  /** Trainable parameters (count of scalars), quantum gate angles included. */
  readonly parameters: number;
  /** How many of them are quantum gate angles. */
  readonly quantumParameters: number;
  readonly bestEpoch: number;
  readonly epochs: number;
  /**
   * Scaled PK and PD predictions for feature rows (rows × width, the training width). With
   * `dropoutSeed`, one Monte Carlo dropout sample (dropout on, masks drawn from that seed)
   * instead of the deterministic prediction. `doses`, the rows' dose histories, is required by
   * the parameter head (it simulates the doses) and ignored by the direct head.
   */
  predictPk(
    x: Float32Array,
    rows: number,
    dropoutSeed?: number,
    doses?: DoseHistoryRows,
  ): Float32Array;
  predictPd(
    x: Float32Array,
    rows: number,
    dropoutSeed?: number,
    doses?: DoseHistoryRows,
  ): Float32Array;
  /**
   * Parameter head only: the individual parameters of the compartmental model for one scaled
   * feature row (its covariates), as the PK/PD engine takes them, so that the engine can show
   * and simulate them. The head's predictions are exactly this model under the row's doses.
   */
  individualParameters?(x: Float32Array): PkPdParameters;
  /** The trained weights, by name (restoreNetwork reads them back). */
  exportWeights(): NamedWeight[];
  /** The same, read asynchronously (use this on the GPU backends). */
  readWeights(): Promise<NamedWeight[]>;
  /** Frees the tensors it holds. */
  dispose(): void;
}
