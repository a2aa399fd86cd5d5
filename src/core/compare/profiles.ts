import type { Dataset } from '../data/types';
import { planFolds } from '../neural/crossValidation';
import {
  DEFAULT_NEURAL_CONFIG,
  hasHybridLayers,
  type EncoderName,
  type Framework,
  type HeadName,
  type NeuralConfig,
} from '../neural/types';
import type {
  CompareCandidate,
  CompareInputs,
  ComparePlan,
  CompareProfileName,
  CompareTask,
} from './types';

/**
 * The comparison's two profiles, as plans: which candidates, how many folds and seeds, and how
 * long each network trains. `quick` answers "roughly where do the models stand" in minutes on a
 * laptop's CPU; `full` is the sweep (every framework × encoder, the parameter heads,
 * the hybrid encoders with their controls, the qubits × layers heat map) over 5 folds × 3 seeds,
 * which takes hours.
 */

/** Biomarker threshold of the outcome accuracy: the challenge's 3.3 ng/mL, to stay below. */
export const DEFAULT_COMPARE_THRESHOLD: ComparePlan['threshold'] = {
  value: 3.3,
  direction: 'below',
};

/**
 * The mechanistic candidate. The 2-compartment model, not `fit`'s 1-compartment default: on
 * EstData it fits far better (OFV −2205.7 against −270.1, README "Dose finding") at about the
 * same cost (`npm run bench -- fit`: 20 s against 17 s with the covariance step).
 */
export const COMPARE_FIT_MODEL = 'pk2-oral-idr1';

/** What differs between the profiles. */
export interface CompareProfileSettings {
  readonly folds: number;
  readonly seeds: number;
  /** Training settings every neural candidate shares (the rest: DEFAULT_NEURAL_CONFIG). */
  readonly training: Partial<NeuralConfig>;
  /**
   * The QNN-ResMLP+MoE heat map's axes, and over how many of the plan's seeds (the first ones)
   * its cells run; null for none.
   */
  readonly heatmap: {
    readonly qubits: readonly number[];
    readonly qlayers: readonly number[];
    readonly seeds: number;
  } | null;
}

/**
 * hidden 16 and 1 block: the size the README's parameter-head and hybrid-encoder figures on
 * EstData used (the small network generalised better than 64 × 2 there, and the hybrid layers
 * cost the same at either width since the circuit has its own few qubits).
 */
const SMALL_NETWORK: Partial<NeuralConfig> = { hidden: 16, blocks: 1 };

export const COMPARE_PROFILE_SETTINGS: Readonly<
  Record<CompareProfileName, CompareProfileSettings>
> = {
  quick: {
    folds: 3,
    seeds: 1,
    // Short training: at most 100 epochs, stop after 20 without progress.
    training: { ...SMALL_NETWORK, maxEpochs: 100, patience: 20, batchSize: 64 },
    heatmap: { qubits: [2, 4], qlayers: [1, 2], seeds: 1 },
  },
  full: {
    folds: 5,
    seeds: 3,
    // The defaults' budget: 300 epochs, patience 30.
    training: { ...SMALL_NETWORK },
    // The heat map over the first seed's 5 folds only: its four 12-qubit cells cost 2.5–6.4 s an
    // epoch on EstData (a classical network 0.03–0.1 s), so over 3 seeds they alone would take
    // 7–22 hours on a 2-core machine.
    heatmap: { qubits: [2, 4, 8, 12], qlayers: [1, 2, 3, 4], seeds: 1 },
  },
};

/** Seeds of the repeated splits: 100 apart, so that fold k's network seed (seed + k) is never shared. */
export function compareSeeds(count: number): number[] {
  return Array.from({ length: count }, (_, r) => DEFAULT_NEURAL_CONFIG.seed + 100 * r);
}

const ENCODER_LABELS: Readonly<Record<EncoderName, string>> = {
  mlp: 'MLP',
  resmlp: 'ResMLP',
  moe: 'MoE',
  resmlp_moe: 'ResMLP+MoE',
  qnn: 'QNN',
  qresmlp_moe: 'QNN-ResMLP+MoE',
  qnn_control: 'QNN control',
  qresmlp_moe_control: 'QNN-ResMLP+MoE control',
};

/** The display name of an encoder ('ResMLP+MoE', 'QNN-ResMLP+MoE control', …). */
export function encoderLabel(encoder: EncoderName): string {
  return ENCODER_LABELS[encoder];
}

/** The plain-language name of a candidate's inputs. */
export function inputsLabel(inputs: CompareInputs): string {
  return inputs === 'covariates-doses'
    ? 'covariates and doses'
    : 'covariates, doses and the pre-dose biomarker';
}

/** A neural candidate of the plan. */
function neuralCandidate(
  settings: CompareProfileSettings,
  framework: Framework,
  encoder: EncoderName,
  head: HeadName,
  inputs: CompareInputs,
  group: CompareCandidate['group'] = 'main',
  circuit?: { readonly qubits: number; readonly qlayers: number },
): CompareCandidate {
  const config: NeuralConfig = {
    ...DEFAULT_NEURAL_CONFIG,
    ...settings.training,
    framework,
    encoder,
    head,
    ...(circuit ?? {}),
  };
  const hybrid = hasHybridLayers(encoder);
  const parts = [
    'neural',
    framework,
    encoder,
    head,
    ...(hybrid ? [`q${config.qubits}l${config.qlayers}`] : []),
    ...(inputs === 'covariates-doses-baseline' ? ['baseline'] : []),
  ];
  const label = [
    framework,
    encoderLabel(encoder),
    ...(head === 'parameters' ? ['parameter head'] : []),
    ...(hybrid
      ? [`${config.qubits} qubits × ${config.qlayers} layer${config.qlayers === 1 ? '' : 's'}`]
      : []),
    ...(inputs === 'covariates-doses-baseline' ? ['+ pre-dose biomarker'] : []),
  ].join(' · ');
  return {
    key: parts.join(':'),
    label,
    kind: 'neural',
    framework,
    encoder,
    head,
    inputs,
    config,
    group,
  };
}

/**
 * The mechanistic candidate: an NLME fit, scored by its typical-value predictions; or, reading
 * the pre-dose biomarker, by each test subject's individual predictions with η estimated from
 * that observation (empirical Bayes), the like-for-like counterpart of the networks that read it.
 */
function mechanisticCandidate(fitModel: string, inputs: CompareInputs): CompareCandidate {
  const preDose = inputs === 'covariates-doses-baseline';
  return {
    key: preDose ? `nlme:${fitModel}:predose` : `nlme:${fitModel}`,
    label: preDose
      ? `NLME ${fitModel} · individual from the pre-dose biomarker`
      : `NLME ${fitModel} · typical values`,
    kind: 'mechanistic',
    framework: 'nlme',
    encoder: 'nlme',
    head: 'nlme',
    inputs,
    fitModel,
    group: 'main',
  };
}

const CLASSICAL_ENCODERS: readonly EncoderName[] = ['mlp', 'resmlp', 'moe', 'resmlp_moe'];
const FRAMEWORK_ORDER: readonly Framework[] = ['independent', 'cascade', 'multitask'];
const WITHOUT: CompareInputs = 'covariates-doses';
const WITH_BASELINE: CompareInputs = 'covariates-doses-baseline';

/** The candidates of a profile, in table order (the heat map last). */
export function profileCandidates(profile: CompareProfileName): CompareCandidate[] {
  const s = COMPARE_PROFILE_SETTINGS[profile];
  const out: CompareCandidate[] = [mechanisticCandidate(COMPARE_FIT_MODEL, WITHOUT)];
  if (profile === 'quick') {
    for (const encoder of ['mlp', 'resmlp_moe', 'qresmlp_moe', 'qresmlp_moe_control'] as const) {
      out.push(neuralCandidate(s, 'cascade', encoder, 'direct', WITHOUT));
    }
    out.push(neuralCandidate(s, 'cascade', 'resmlp', 'parameters', WITHOUT));
  } else {
    for (const framework of FRAMEWORK_ORDER) {
      for (const encoder of CLASSICAL_ENCODERS) {
        out.push(neuralCandidate(s, framework, encoder, 'direct', WITHOUT));
      }
    }
    for (const framework of FRAMEWORK_ORDER) {
      out.push(neuralCandidate(s, framework, 'resmlp', 'parameters', WITHOUT));
    }
    for (const encoder of ['qnn', 'qnn_control', 'qresmlp_moe', 'qresmlp_moe_control'] as const) {
      out.push(neuralCandidate(s, 'cascade', encoder, 'direct', WITHOUT));
    }
    // The best few again with the pre-dose biomarker (DOMAIN.md: legitimate, and worth about
    // 0.8 ng/mL of PD error), the hybrid encoder beside its control so that they stay paired,
    // and the mechanistic model conditioned on the same observation.
    out.push(mechanisticCandidate(COMPARE_FIT_MODEL, WITH_BASELINE));
    for (const encoder of ['resmlp_moe', 'qresmlp_moe', 'qresmlp_moe_control'] as const) {
      out.push(neuralCandidate(s, 'cascade', encoder, 'direct', WITH_BASELINE));
    }
    out.push(neuralCandidate(s, 'cascade', 'resmlp', 'parameters', WITH_BASELINE));
  }
  if (s.heatmap) {
    // The poster's Figure 6. The cell with the main candidate's circuit (4 × 2) is trained again
    // under its own key, so that the heat map is complete on its own.
    for (const qubits of s.heatmap.qubits) {
      for (const qlayers of s.heatmap.qlayers) {
        const c = neuralCandidate(s, 'cascade', 'qresmlp_moe', 'direct', WITHOUT, 'heatmap', {
          qubits,
          qlayers,
        });
        out.push({ ...c, key: `heatmap:${c.key}` });
      }
    }
  }
  return out;
}

/**
 * A cheap fingerprint of a data set's content (subjects, covariates, dose and observation
 * records), so that a saved sweep is resumed only on the data it started on. FNV-1a over two
 * 32-bit lanes with different offsets: 16 hex digits. Not cryptographic.
 */
export function dataFingerprint(ds: Dataset): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
    }
    // A separator, so that "1,23" and "12,3" differ.
    a = Math.imul(a ^ 0x1f, 0x01000193);
    b = Math.imul(b ^ 0x1f, 0x01000193);
  };
  for (const s of ds.subjects) {
    feed(`S${s.id}`);
    for (const name of Object.keys(s.covariates).sort()) feed(`${name}=${s.covariates[name]}`);
    for (const name of Object.keys(s.timeVaryingCovariates).sort()) {
      for (const p of s.timeVaryingCovariates[name]) feed(`${name}@${p.time}=${p.value}`);
    }
    for (const d of s.doses) {
      feed(
        `D${d.time},${d.amt},${d.cmt},${d.evid},${d.rate ?? ''},${d.ii ?? ''},${d.addl ?? ''},${d.ss ?? ''}`,
      );
    }
    for (const o of s.observations) feed(`O${o.time},${o.dvid},${o.dv},${o.cmt}`);
  }
  const hex = (v: number) => (v >>> 0).toString(16).padStart(8, '0');
  return hex(a) + hex(b);
}

export interface ComparePlanOptions {
  readonly profile: CompareProfileName;
  /** The data set's name as shown (file name, or the demo trial). */
  readonly dataLabel: string;
  /** How many seeds (repeated splits); default the profile's. */
  readonly seeds?: number;
  /** Subject-level folds per seed; default the profile's. */
  readonly folds?: number;
  readonly threshold?: ComparePlan['threshold'];
}

/**
 * The plan of a comparison on `ds`: candidates, seeds, folds and every task, in the order they
 * run — the main rows seed, then fold, then candidate; then the heat map's cells, the costliest
 * circuit first, over its seeds. A seed's folds are split once (planFolds, seeded by the task's
 * seed), so every candidate of that seed sees the same split. Throws when
 * the data cannot be split into the folds asked for.
 */
export function comparePlan(ds: Dataset, opts: ComparePlanOptions): ComparePlan {
  const settings = COMPARE_PROFILE_SETTINGS[opts.profile];
  if (!settings) throw new Error(`Unknown comparison profile "${String(opts.profile)}"`);
  const folds = opts.folds ?? settings.folds;
  const nSeeds = opts.seeds ?? settings.seeds;
  if (!(Number.isInteger(nSeeds) && nSeeds >= 1)) {
    throw new Error(`seeds must be a whole number ≥ 1, got ${nSeeds}`);
  }
  const seeds = compareSeeds(nSeeds);
  // Fails early, with planFolds' message, when there are too few subjects for the folds.
  planFolds(ds, folds, seeds[0]);
  const threshold = opts.threshold ?? DEFAULT_COMPARE_THRESHOLD;
  if (!Number.isFinite(threshold.value)) {
    throw new Error(`the threshold must be a number, got ${threshold.value}`);
  }
  const candidates = profileCandidates(opts.profile);
  const main = candidates.filter((c) => c.group === 'main');
  const tasks: CompareTask[] = [];
  for (const seed of seeds) {
    for (let fold = 0; fold < folds; fold++) {
      for (const c of main) tasks.push({ candidateKey: c.key, seed, fold });
    }
  }
  // The heat map after the main rows, the costliest circuits first (a pool of workers then ends
  // on short tasks), over the first `heatmap.seeds` seeds.
  const heat = candidates
    .filter((c) => c.group === 'heatmap')
    .map((c) => ({ c, cost: circuitCost(c) }))
    .sort((a, b) => b.cost - a.cost)
    .map((x) => x.c);
  const heatSeeds = seeds.slice(0, settings.heatmap?.seeds ?? 0);
  for (const c of heat) {
    for (const seed of heatSeeds) {
      for (let fold = 0; fold < folds; fold++) tasks.push({ candidateKey: c.key, seed, fold });
    }
  }
  return {
    profile: opts.profile,
    dataLabel: opts.dataLabel,
    dataFingerprint: dataFingerprint(ds),
    folds,
    seeds,
    candidates,
    tasks,
    threshold: { value: threshold.value, direction: threshold.direction },
  };
}

/** A hybrid candidate's relative simulation cost: 2^qubits × circuit layers (0 otherwise). */
function circuitCost(c: CompareCandidate): number {
  return c.config && hasHybridLayers(c.encoder as EncoderName)
    ? 2 ** c.config.qubits * c.config.qlayers
    : 0;
}

/** The candidate a task names; throws when the plan has no such candidate. */
export function candidateOf(plan: ComparePlan, key: string): CompareCandidate {
  const c = plan.candidates.find((x) => x.key === key);
  if (!c) throw new Error(`The comparison plan has no candidate "${key}"`);
  return c;
}
