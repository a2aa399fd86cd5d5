import type { EncoderName, Framework, HeadName, NeuralConfig } from '../neural/types';

/**
 * The model comparison (issue 6): every candidate model on the same subject-level folds and
 * seeds, scored on held-out subjects. A sweep is a plan (candidates × seeds × folds = tasks),
 * each task gives one cell, and the rows summarise the cells per candidate. Plans, tasks and
 * cells are plain JSON values: a half-done sweep is its plan plus the cells done so far, so it
 * can be saved, resumed after a reload and exported.
 */

export const COMPARE_PROFILES = ['quick', 'full'] as const;
export type CompareProfileName = (typeof COMPARE_PROFILES)[number];

/** What a candidate reads besides covariates and the dosing history. */
export type CompareInputs = 'covariates-doses' | 'covariates-doses-baseline';

/** One model of the comparison. */
export interface CompareCandidate {
  /** Stable id within a plan, e.g. 'nlme:pk1-oral-idr1' or 'neural:cascade:qresmlp_moe:direct:q4l2'. */
  readonly key: string;
  /** Human label, e.g. 'cascade · QNN-ResMLP+MoE · 4 qubits × 2 layers'. */
  readonly label: string;
  readonly kind: 'mechanistic' | 'neural';
  /** 'nlme' for the mechanistic model. */
  readonly framework: Framework | 'nlme';
  readonly encoder: EncoderName | 'nlme';
  readonly head: HeadName | 'nlme';
  readonly inputs: CompareInputs;
  /** The neural configuration (neural candidates only; its seed is replaced per task). */
  readonly config?: NeuralConfig;
  /** The mechanistic model's name (src/core/nlme/models.ts), mechanistic candidates only. */
  readonly fitModel?: string;
  /** 'main' rows of the table and charts, or a cell of the qubits × layers heat map. */
  readonly group: 'main' | 'heatmap';
}

/** One unit of work: a candidate trained (or fitted) on one fold of one seed's split. */
export interface CompareTask {
  readonly candidateKey: string;
  readonly seed: number;
  /** 0-based fold of that seed's split. */
  readonly fold: number;
}

export interface ComparePlan {
  readonly profile: CompareProfileName;
  /** The data set's label (file name or the demo trial) and a fingerprint of its content. */
  readonly dataLabel: string;
  readonly dataFingerprint: string;
  readonly folds: number;
  readonly seeds: readonly number[];
  readonly candidates: readonly CompareCandidate[];
  /**
   * Every task, in the order they run: the main rows seed-major, then fold, then candidate; then
   * the heat map's cells (possibly over fewer seeds).
   */
  readonly tasks: readonly CompareTask[];
  /** The biomarker threshold of the outcome accuracy (ng/mL) and its direction. */
  readonly threshold: { readonly value: number; readonly direction: 'below' | 'above' };
}

/** The result of one task. RMSEs in mg/L (PK) and ng/mL (PD) on the fold's test subjects. */
export interface CompareCell extends CompareTask {
  readonly pkRmse: number | null;
  readonly pdRmse: number | null;
  readonly pkRows: number;
  readonly pdRows: number;
  /** Trainable parameters (neural) or estimated parameters (mechanistic), and quantum angles. */
  readonly parameters: number;
  readonly quantumParameters: number;
  /** Wall-clock seconds to train or fit on the fold. */
  readonly trainSeconds: number;
  /** Milliseconds per 1,000 predictions (timed on the fold's test rows). */
  readonly predictMsPer1000: number;
  /**
   * Threshold outcome: of the test subjects with biomarker observations over their last dosing
   * interval, how many the model classifies as the data do (every observation on the right
   * side of the threshold, or not).
   */
  readonly outcomeCorrect: number;
  readonly outcomeSubjects: number;
}

/** Mean and sample SD over the cells that have a value (sd 0 for one cell). */
export interface MeanSd {
  readonly mean: number;
  readonly sd: number;
  readonly n: number;
}

/** One candidate summarised over its folds and seeds. */
export interface CompareRow {
  readonly key: string;
  readonly label: string;
  readonly kind: CompareCandidate['kind'];
  readonly framework: CompareCandidate['framework'];
  readonly encoder: CompareCandidate['encoder'];
  readonly head: CompareCandidate['head'];
  readonly inputs: CompareInputs;
  readonly group: CompareCandidate['group'];
  /** Qubits and circuit layers of a hybrid candidate (null otherwise). */
  readonly qubits: number | null;
  readonly qlayers: number | null;
  readonly parameters: number;
  readonly quantumParameters: number;
  readonly pkRmse: MeanSd | null;
  readonly pdRmse: MeanSd | null;
  readonly trainSeconds: number;
  readonly predictMsPer1000: number;
  /** outcomeCorrect / outcomeSubjects over all cells; null when no subject qualified. */
  readonly outcomeAccuracy: number | null;
  /** Cells done, of the plan's for this candidate. */
  readonly cellsDone: number;
  readonly cellsPlanned: number;
}

/** Progress of a running sweep. */
export interface CompareProgress {
  readonly done: number;
  readonly total: number;
  /** The task running now, if any. */
  readonly current: CompareTask | null;
  /** Seconds left, estimated from the tasks done so far (null before the first). */
  readonly secondsLeft: number | null;
}
