import type { StateCreator } from 'zustand';
import {
  questionProblems,
  type AttainmentQuestion,
  type AttainmentResult,
} from '../../core/dosing/attainment';
import {
  CHALLENGE_DEFAULTS,
  comedFractionOf,
  type ChallengeResult,
  type ChallengeSettings,
} from '../../core/dosing/challenge';
import {
  MAX_POPULATION_SIZE,
  modelCovariates,
  populationSpecProblems,
  type CovariateSource,
  type VirtualPopulationSpec,
} from '../../core/dosing/virtualPopulation';
import type { Dataset } from '../../core/data/types';
import { populationExtrapolationWarnings, type TrainingDomain } from '../../core/models/types';
import type { PopulationModel } from '../../core/pkpd/population';
import { TRUE_MODEL } from '../../core/trial/trueModel';
import {
  attainmentInWorker,
  challengeInWorker,
  isDosingCancelled,
  type DosingProgress,
} from '../../workers/dosingClient';
import { activePredictor } from '../activeModel';
import type { SavedFitMeta } from '../fitFile';
import { loadFitResult } from '../fitStorage';
import type { ParameterDraws } from '../../core/nlme/uncertainty';
import type { WorkbenchState } from '../store';
import { DEMO_TRUTH_ID } from './savedFitsSlice';

/**
 * The Dosing panel: which dose, for which population. Settings (persisted) say which models
 * answer, how the virtual population is drawn and what the question is; a run finds, per
 * model, the smallest dose on the step grid that keeps the biomarker on the required side of
 * the threshold throughout the interval at steady state in the target fraction of the
 * population. The challenge's fixed questions run as one table for one model.
 */

export type DosingIntervalChoice = '24' | '168' | 'custom';
export type BwSource = 'uniform' | 'normal' | 'resample';

export interface DosingSettings {
  /** The models to compare: DEMO_TRUTH_ID and/or saved fits' ids. */
  readonly modelIds: readonly string[];
  /** Virtual subjects per model. */
  readonly size: number;
  readonly seed: number;
  /** How body weight is drawn; each within [bwMin, bwMax] kg. */
  readonly bwSource: BwSource;
  readonly bwMin: number;
  readonly bwMax: number;
  /** Mean and SD of the normal distribution (truncated to the range), kg. */
  readonly bwMean: number;
  readonly bwSd: number;
  /** Take the COMED fraction from the loaded data (0.5 without data). */
  readonly comedFromData: boolean;
  /** Fraction on concomitant medication otherwise, 0–1. */
  readonly comedFraction: number;
  readonly intervalChoice: DosingIntervalChoice;
  /** Interval when intervalChoice is 'custom', h. */
  readonly customInterval: number;
  /** Doses are multiples of this, mg. */
  readonly step: number;
  /** Percent of the population that must attain the target. */
  readonly targetPercent: number;
  /** Threshold, ng/mL, and the side the biomarker must stay on. */
  readonly threshold: number;
  readonly direction: 'below' | 'above';
  /** Cap the dose search at maxDose (else 2,000 steps). */
  readonly limitMaxDose: boolean;
  readonly maxDose: number;
  /** The model the challenge table is answered by. */
  readonly challengeModelId: string;
  /** Where the dose search runs: WebGPU when it helps, always, or never. */
  readonly compute: 'auto' | 'webgpu' | 'cpu';
  /**
   * Band from the fits' parameter uncertainty (replicate populations from draws of the
   * estimates) instead of the Monte Carlo interval; fits without draws keep the latter.
   */
  readonly parameterUncertainty: boolean;
}

/** Replicate populations for a parameter-uncertainty band. */
export const UNCERTAINTY_REPLICATES = 50;

export const DEFAULT_DOSING_SETTINGS: DosingSettings = {
  modelIds: [DEMO_TRUTH_ID],
  size: 10_000,
  seed: CHALLENGE_DEFAULTS.seed,
  bwSource: 'uniform',
  bwMin: 50,
  bwMax: 100,
  bwMean: 75,
  bwSd: 15,
  comedFromData: true,
  comedFraction: 0.5,
  intervalChoice: '24',
  customInterval: 48,
  step: 0.5,
  targetPercent: 90,
  threshold: 3.3,
  direction: 'below',
  limitMaxDose: false,
  maxDose: 200,
  challengeModelId: DEMO_TRUTH_ID,
  compute: 'auto',
  parameterUncertainty: false,
};

/** A model the panel can ask: the demo truth or a saved fit. */
export interface DosingModelOption {
  readonly id: string;
  readonly label: string;
  readonly model: PopulationModel;
  readonly domain?: TrainingDomain;
  /** False for a PK-only fit: it cannot answer a biomarker question. */
  readonly hasBiomarker: boolean;
  /** One line: where the model comes from. */
  readonly note: string;
}

const optionCache = new WeakMap<readonly SavedFitMeta[], DosingModelOption[]>();

/** The demo truth first, then every saved fit (newest first). */
export function dosingModelOptions(savedFits: readonly SavedFitMeta[]): DosingModelOption[] {
  const cached = optionCache.get(savedFits);
  if (cached) return cached;
  const truth = activePredictor();
  const options: DosingModelOption[] = [
    {
      id: DEMO_TRUTH_ID,
      label: truth.label,
      model: TRUE_MODEL,
      domain: truth.domain,
      hasBiomarker: true,
      note: 'The model the demo trial was simulated from.',
    },
    ...savedFits.map((f) => ({
      id: f.id,
      label: `Fit: ${f.label}`,
      model: f.model,
      ...(f.domain ? { domain: f.domain } : {}),
      hasBiomarker: f.model.pd !== undefined,
      note: `${f.modelName} fitted on ${f.dataName}${f.converged ? '' : ' (did not converge)'}`,
    })),
  ];
  optionCache.set(savedFits, options);
  return options;
}

export function intervalOf(s: DosingSettings): number {
  return s.intervalChoice === 'custom' ? s.customInterval : Number(s.intervalChoice);
}

/** The COMED fraction a run uses: the loaded data's, or the user's. */
export function effectiveComedFraction(s: DosingSettings, dataset: Dataset | null): number {
  if (!s.comedFromData) return s.comedFraction;
  return dataset ? comedFractionOf(dataset) : 0.5;
}

function dataValues(dataset: Dataset | null, covariate: string): number[] {
  if (!dataset) return [];
  return dataset.subjects
    .map((s) => s.covariates[covariate])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf; plenty for a plausibility check). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

const fmt = (v: number) => Number(v.toPrecision(6)).toLocaleString('en-US');

/** One job per chosen model, or the problems that stop the run. */
export interface DosingJob {
  readonly modelId: string;
  readonly label: string;
  readonly model: PopulationModel;
  readonly domain?: TrainingDomain;
  readonly population: VirtualPopulationSpec;
}

/** A run's virtual population, part by part (the report lists them). */
export interface DosingPopulationParts {
  readonly size: number;
  readonly seed: number;
  /** How body weight is drawn, in words (e.g. 'body weight uniform 50–100 kg'). */
  readonly bodyWeight: string;
  /** The COMED share and where it comes from, in words. */
  readonly comed: string;
}

export interface DosingPlan {
  /** Plain sentences; the run is possible when empty. */
  readonly problems: string[];
  readonly jobs: DosingJob[];
  readonly question: AttainmentQuestion;
  /** The population in words, for the answer and the report. */
  readonly populationText: string;
  /** The same, part by part, for the report's population table. */
  readonly populationParts: DosingPopulationParts;
  /** The body weights the population spans, kg (for extrapolation warnings). */
  readonly bwRange: readonly [number, number];
  /** COMED values present in the population. */
  readonly comedValues: readonly number[];
  /** Notes on chosen models that cannot answer (PK-only fits). */
  readonly skipped: string[];
}

function bwSourceOf(
  s: DosingSettings,
  dataset: Dataset | null,
  problems: string[],
): { source: CovariateSource | null; range: [number, number]; text: string } {
  const range: [number, number] = [s.bwMin, s.bwMax];
  const okRange = Number.isFinite(s.bwMin) && Number.isFinite(s.bwMax);
  if (!okRange || !(s.bwMin > 0)) problems.push('Body weight: the lowest weight must be > 0 kg.');
  else if (!(s.bwMax >= s.bwMin))
    problems.push('Body weight: the range must be low ≤ high (e.g. 50–100 kg).');
  switch (s.bwSource) {
    case 'uniform':
      return {
        source: { type: 'uniform', min: s.bwMin, max: s.bwMax },
        range,
        text: `body weight uniform ${fmt(s.bwMin)}–${fmt(s.bwMax)} kg`,
      };
    case 'normal': {
      if (!(Number.isFinite(s.bwMean) && s.bwMean > 0))
        problems.push('Body weight: the mean must be > 0 kg.');
      if (!(Number.isFinite(s.bwSd) && s.bwSd >= 0))
        problems.push('Body weight: the SD must be ≥ 0 kg.');
      else if (s.bwSd === 0 && !(s.bwMean >= s.bwMin && s.bwMean <= s.bwMax))
        problems.push('Body weight: with SD 0 the mean must lie inside the range.');
      else if (s.bwSd > 0 && s.bwMax >= s.bwMin) {
        const mass =
          normalCdf((s.bwMax - s.bwMean) / s.bwSd) - normalCdf((s.bwMin - s.bwMean) / s.bwSd);
        if (mass < 1e-3)
          problems.push(
            'Body weight: the range holds almost none of the normal distribution; move the mean into the range or widen it.',
          );
      }
      return {
        source: { type: 'normal', mean: s.bwMean, sd: s.bwSd, min: s.bwMin, max: s.bwMax },
        range,
        text: `body weight normal (mean ${fmt(s.bwMean)}, SD ${fmt(s.bwSd)} kg) truncated to ${fmt(s.bwMin)}–${fmt(s.bwMax)} kg`,
      };
    }
    case 'resample': {
      const all = dataValues(dataset, 'BW');
      const values = all.filter((v) => v >= s.bwMin && v <= s.bwMax);
      if (all.length === 0) {
        problems.push(
          'Body weight: the loaded data have no BW column to resample from; choose uniform or normal.',
        );
      } else if (values.length === 0) {
        problems.push(
          `Body weight: none of the loaded data's weights (${fmt(Math.min(...all))}–${fmt(Math.max(...all))} kg) lie in ${fmt(s.bwMin)}–${fmt(s.bwMax)} kg.`,
        );
      }
      return {
        source: values.length > 0 ? { type: 'resample', values } : null,
        range: values.length > 0 ? [Math.min(...values), Math.max(...values)] : range,
        text: `body weight resampled from the loaded data's ${values.length} subjects in ${fmt(s.bwMin)}–${fmt(s.bwMax)} kg`,
      };
    }
  }
}

/**
 * Covariates a model uses beyond BW and COMED, resampled from the loaded data; a problem for
 * each the data do not have.
 */
function otherCovariates(
  option: DosingModelOption,
  dataset: Dataset | null,
  problems: string[],
): Record<string, CovariateSource> {
  const out: Record<string, CovariateSource> = {};
  for (const c of modelCovariates(option.model)) {
    if (c === 'BW' || c === 'COMED') continue;
    const values = dataValues(dataset, c);
    if (values.length > 0) out[c] = { type: 'resample', values };
    else
      problems.push(
        `${option.label} uses the covariate ${c}, which the loaded data do not have: load the data it was fitted on.`,
      );
  }
  return out;
}

export function dosingQuestion(s: DosingSettings): AttainmentQuestion {
  return {
    interval: intervalOf(s),
    step: s.step,
    target: s.targetPercent / 100,
    threshold: { value: s.threshold, direction: s.direction },
    ...(s.limitMaxDose ? { maxDose: s.maxDose } : {}),
  };
}

/** Checks the settings and turns them into one job per chosen model. */
export function dosingPlan(
  s: DosingSettings,
  dataset: Dataset | null,
  savedFits: readonly SavedFitMeta[],
): DosingPlan {
  const problems: string[] = [];
  const skipped: string[] = [];
  const options = dosingModelOptions(savedFits);
  const chosen = options.filter((o) => s.modelIds.includes(o.id));
  for (const o of chosen) {
    if (!o.hasBiomarker)
      skipped.push(
        `${o.label} has no biomarker (PD) part, so it cannot answer a biomarker question; it is left out.`,
      );
  }
  const usable = chosen.filter((o) => o.hasBiomarker);
  if (usable.length === 0) problems.push('Choose at least one model that predicts the biomarker.');
  if (!(Number.isInteger(s.size) && s.size >= 1 && s.size <= MAX_POPULATION_SIZE))
    problems.push(
      `Population size must be a whole number from 1 to ${MAX_POPULATION_SIZE.toLocaleString('en-US')}.`,
    );
  if (!Number.isInteger(s.seed)) problems.push('The seed must be a whole number.');
  const bw = bwSourceOf(s, dataset, problems);
  const comed = effectiveComedFraction(s, dataset);
  if (!(comed >= 0 && comed <= 1))
    problems.push('The fraction on concomitant medication must be from 0% to 100%.');
  const question = dosingQuestion(s);
  if (s.intervalChoice === 'custom' && !(s.customInterval > 0 && s.customInterval <= 10_000))
    problems.push('The custom interval must be more than 0 h (at most 10,000 h).');
  if (!(s.targetPercent > 0 && s.targetPercent <= 100))
    problems.push('The target must be more than 0% and at most 100% of the population.');
  if (!(Number.isFinite(s.threshold) && s.threshold >= 0))
    problems.push('The threshold must be a number ≥ 0 ng/mL.');
  if (!(s.step > 0)) problems.push('The dose step must be more than 0 mg.');
  if (s.limitMaxDose && s.step > 0 && !(s.maxDose >= s.step))
    problems.push('The largest dose must be at least one dose step.');
  // The core's own check also catches a search grid that is too fine.
  if (problems.length === 0) problems.push(...questionProblems(question));
  const jobs: DosingJob[] = [];
  if (bw.source) {
    for (const o of usable) {
      const population: VirtualPopulationSpec = {
        size: s.size,
        seed: s.seed,
        covariates: {
          ...otherCovariates(o, dataset, problems),
          BW: bw.source,
          COMED: { type: 'bernoulli', p: Math.min(1, Math.max(0, comed)) },
        },
      };
      if (problems.length === 0) problems.push(...populationSpecProblems(o.model, population));
      jobs.push({
        modelId: o.id,
        label: o.label,
        model: o.model,
        ...(o.domain ? { domain: o.domain } : {}),
        population,
      });
    }
  }
  const comedText = s.comedFromData
    ? `COMED in ${Math.round(comed * 100)}% (${dataset ? 'as in the loaded data' : 'no data loaded'})`
    : `COMED in ${fmt(comed * 100)}%`;
  return {
    problems: [...new Set(problems)],
    jobs,
    question,
    populationText: `${Number.isInteger(s.size) ? s.size.toLocaleString('en-US') : s.size} virtual subjects (seed ${s.seed}); ${bw.text}; ${comedText}`,
    populationParts: { size: s.size, seed: s.seed, bodyWeight: bw.text, comed: comedText },
    bwRange: bw.range,
    comedValues: comed <= 0 ? [0] : comed >= 1 ? [1] : [0, 1],
    skipped,
  };
}

/** Where an answer lies outside what the model was fitted on: dose, interval, weights, COMED. */
export function answerWarnings(
  domain: TrainingDomain | undefined,
  result: AttainmentResult,
  bwRange: readonly [number, number],
  comedValues: readonly number[],
): string[] {
  return populationExtrapolationWarnings(domain, {
    dose: result.dose ?? 0,
    interval: result.question.interval,
    bwRange,
    comedValues,
  });
}

export interface DosingModelResult {
  readonly modelId: string;
  readonly label: string;
  readonly result: AttainmentResult;
  readonly warnings: readonly string[];
}

/** What a run asked, kept with its answers (the settings may change afterwards). */
export interface DosingRunInfo {
  readonly question: AttainmentQuestion;
  readonly populationText: string;
  /** The population part by part (absent in runs kept from before it was recorded). */
  readonly population?: DosingPopulationParts;
  /** ISO 8601. */
  readonly date: string;
}

export interface DosingRunProgress extends DosingProgress {
  /** 0-based index of the model being answered, of `models`. */
  readonly modelIndex: number;
  readonly models: number;
  readonly label: string;
  /** Overall fraction done, 0–1. */
  readonly fraction: number;
}

export interface ChallengeRun {
  readonly modelId: string;
  readonly label: string;
  readonly result: ChallengeResult;
  readonly populationText: string;
  /** ISO 8601. */
  readonly date: string;
}

export type RunStatus = 'idle' | 'running' | 'done' | 'error' | 'cancelled';

export interface DosingSlice {
  dosingSettings: DosingSettings;
  dosingStatus: RunStatus;
  dosingProgress: DosingRunProgress | null;
  dosingStartedAt: number | null;
  dosingMessage: string | null;
  /** One answer per model of the last run (those finished, when it was cancelled). */
  dosingResults: DosingModelResult[];
  dosingRunInfo: DosingRunInfo | null;
  challengeStatus: RunStatus;
  challengeProgress: DosingRunProgress | null;
  challengeStartedAt: number | null;
  challengeMessage: string | null;
  challengeRun: ChallengeRun | null;
  setDosingSettings: (patch: Partial<DosingSettings>) => void;
  /** Switches the interval; the dose step follows the challenge's habit (0.5 mg daily, 5 mg weekly). */
  setDosingInterval: (choice: DosingIntervalChoice) => void;
  toggleDosingModel: (id: string, on: boolean) => void;
  runDosing: () => Promise<void>;
  cancelDosing: () => void;
  runDosingChallenge: () => Promise<void>;
  cancelDosingChallenge: () => void;
}

let runningDose: AbortController | null = null;
let runningChallenge: AbortController | null = null;

function progressOf(
  p: DosingProgress,
  modelIndex: number,
  models: number,
  label: string,
): DosingRunProgress {
  const within = p.total > 0 && p.phase === 'searching' ? p.done / p.total : 0;
  return { ...p, modelIndex, models, label, fraction: (modelIndex + within) / models };
}

/** A saved fit's parameter draws (kept with its full result in IndexedDB), if it has any. */
async function savedDraws(id: string): Promise<ParameterDraws | undefined> {
  try {
    return (await loadFitResult(id))?.parameterDraws;
  } catch {
    return undefined;
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The persisted settings, with anything missing or of the wrong kind replaced by the default. */
export function restoreDosingSettings(value: unknown): DosingSettings {
  const d = DEFAULT_DOSING_SETTINGS;
  if (!value || typeof value !== 'object') return d;
  const v = value as Record<string, unknown>;
  const out: Record<string, unknown> = { ...d };
  for (const key of Object.keys(d) as (keyof DosingSettings)[]) {
    const x = v[key];
    const def = d[key];
    if (Array.isArray(def)) {
      if (Array.isArray(x) && x.every((e) => typeof e === 'string')) out[key] = x;
    } else if (typeof def === 'number') {
      if (typeof x === 'number' && Number.isFinite(x)) out[key] = x;
    } else if (typeof x === typeof def) out[key] = x;
  }
  const s = out as unknown as DosingSettings;
  return {
    ...s,
    bwSource: ['uniform', 'normal', 'resample'].includes(s.bwSource) ? s.bwSource : d.bwSource,
    intervalChoice: ['24', '168', 'custom'].includes(s.intervalChoice)
      ? s.intervalChoice
      : d.intervalChoice,
    direction: s.direction === 'above' ? 'above' : 'below',
    compute: ['auto', 'webgpu', 'cpu'].includes(s.compute) ? s.compute : d.compute,
  };
}

export const createDosingSlice: StateCreator<WorkbenchState, [], [], DosingSlice> = (set, get) => ({
  dosingSettings: DEFAULT_DOSING_SETTINGS,
  dosingStatus: 'idle',
  dosingProgress: null,
  dosingStartedAt: null,
  dosingMessage: null,
  dosingResults: [],
  dosingRunInfo: null,
  challengeStatus: 'idle',
  challengeProgress: null,
  challengeStartedAt: null,
  challengeMessage: null,
  challengeRun: null,

  setDosingSettings: (patch) => set((s) => ({ dosingSettings: { ...s.dosingSettings, ...patch } })),

  setDosingInterval: (choice) =>
    set((s) => {
      const cur = s.dosingSettings;
      let step = cur.step;
      if (choice === '168' && step === 0.5) step = 5;
      if (choice === '24' && step === 5) step = 0.5;
      return { dosingSettings: { ...cur, intervalChoice: choice, step } };
    }),

  toggleDosingModel: (id, on) =>
    set((s) => {
      const ids = s.dosingSettings.modelIds.filter((m) => m !== id);
      return { dosingSettings: { ...s.dosingSettings, modelIds: on ? [...ids, id] : ids } };
    }),

  runDosing: async () => {
    if (runningDose) return;
    const { dosingSettings, dataset, savedFits } = get();
    const plan = dosingPlan(dosingSettings, dataset, savedFits);
    if (plan.problems.length > 0 || plan.jobs.length === 0) {
      set({ dosingStatus: 'error', dosingMessage: plan.problems.join(' ') });
      return;
    }
    const controller = new AbortController();
    runningDose = controller;
    const n = plan.jobs.length;
    set({
      dosingStatus: 'running',
      dosingProgress: progressOf(
        { phase: 'sampling', done: 0, total: dosingSettings.size },
        0,
        n,
        plan.jobs[0].label,
      ),
      dosingStartedAt: Date.now(),
      dosingMessage: null,
      dosingResults: [],
      dosingRunInfo: {
        question: plan.question,
        populationText: plan.populationText,
        population: plan.populationParts,
        date: new Date().toISOString(),
      },
    });
    const failures: string[] = [];
    for (let i = 0; i < n; i++) {
      const job = plan.jobs[i];
      try {
        const draws =
          dosingSettings.parameterUncertainty && job.modelId !== DEMO_TRUTH_ID
            ? await savedDraws(job.modelId)
            : undefined;
        if (runningDose !== controller) return;
        const result = await attainmentInWorker(job.model, job.population, plan.question, {
          compute: dosingSettings.compute,
          ...(draws ? { uncertainty: { draws, replicates: UNCERTAINTY_REPLICATES } } : {}),
          signal: controller.signal,
          onProgress: (p) => {
            if (runningDose === controller) set({ dosingProgress: progressOf(p, i, n, job.label) });
          },
        });
        if (runningDose !== controller) return;
        const entry: DosingModelResult = {
          modelId: job.modelId,
          label: job.label,
          result,
          warnings: answerWarnings(job.domain, result, plan.bwRange, plan.comedValues),
        };
        set((s) => ({ dosingResults: [...s.dosingResults, entry] }));
      } catch (err) {
        if (runningDose !== controller) return;
        if (isDosingCancelled(err)) {
          runningDose = null;
          const done = get().dosingResults.length;
          set({
            dosingStatus: 'cancelled',
            dosingProgress: null,
            dosingMessage:
              done > 0
                ? `Cancelled; the answers of the ${done} model${done > 1 ? 's' : ''} finished before are kept.`
                : 'Cancelled.',
          });
          return;
        }
        failures.push(`${job.label}: ${reason(err)}`);
      }
    }
    if (runningDose !== controller) return;
    runningDose = null;
    set({
      dosingStatus: failures.length > 0 && get().dosingResults.length === 0 ? 'error' : 'done',
      dosingProgress: null,
      dosingMessage:
        failures.length > 0 ? `Some models could not answer. ${failures.join(' ')}` : null,
    });
  },

  cancelDosing: () => runningDose?.abort(),

  runDosingChallenge: async () => {
    if (runningChallenge) return;
    const { dosingSettings: s, dataset, savedFits } = get();
    const option = dosingModelOptions(savedFits).find((o) => o.id === s.challengeModelId);
    const problems: string[] = [];
    if (!option) problems.push('Choose the model that answers the challenge questions.');
    else if (!option.hasBiomarker)
      problems.push(`${option.label} has no biomarker (PD) part, so it cannot answer.`);
    if (!(Number.isInteger(s.size) && s.size >= 1 && s.size <= MAX_POPULATION_SIZE))
      problems.push('Population size must be a whole number from 1 to 1,000,000.');
    if (!Number.isInteger(s.seed)) problems.push('The seed must be a whole number.');
    if (!(Number.isFinite(s.threshold) && s.threshold >= 0))
      problems.push('The threshold must be a number ≥ 0 ng/mL.');
    const comed = effectiveComedFraction(s, dataset);
    if (!(comed >= 0 && comed <= 1))
      problems.push('The fraction on concomitant medication must be from 0% to 100%.');
    const others = option ? otherCovariates(option, dataset, problems) : {};
    if (!option || problems.length > 0) {
      set({ challengeStatus: 'error', challengeMessage: problems.join(' ') });
      return;
    }
    const settings: ChallengeSettings = {
      ...CHALLENGE_DEFAULTS,
      subjects: s.size,
      seed: s.seed,
      comedFraction: comed,
      threshold: { value: s.threshold, direction: s.direction },
      ...(Object.keys(others).length > 0 ? { otherCovariates: others } : {}),
    };
    const controller = new AbortController();
    runningChallenge = controller;
    set({
      challengeStatus: 'running',
      challengeProgress: progressOf(
        { phase: 'sampling', done: 0, total: s.size },
        0,
        1,
        option.label,
      ),
      challengeStartedAt: Date.now(),
      challengeMessage: null,
    });
    try {
      const result = await challengeInWorker(option.model, settings, option.domain, {
        signal: controller.signal,
        onProgress: (p) => {
          if (runningChallenge === controller)
            set({ challengeProgress: progressOf(p, 0, 1, option.label) });
        },
      });
      if (runningChallenge !== controller) return;
      runningChallenge = null;
      set({
        challengeStatus: 'done',
        challengeProgress: null,
        challengeRun: {
          modelId: option.id,
          label: option.label,
          result,
          populationText: `${s.size.toLocaleString('en-US')} virtual subjects per scenario (seed ${s.seed}); body weight uniform over the scenario's range; COMED in ${Math.round(comed * 100)}% where allowed`,
          date: new Date().toISOString(),
        },
      });
    } catch (err) {
      if (runningChallenge !== controller) return;
      runningChallenge = null;
      set(
        isDosingCancelled(err)
          ? {
              challengeStatus: 'cancelled',
              challengeProgress: null,
              challengeMessage: 'Cancelled; the previous table (if any) is kept.',
            }
          : {
              challengeStatus: 'error',
              challengeProgress: null,
              challengeMessage: `The challenge questions could not be answered: ${reason(err)}`,
            },
      );
    }
  },

  cancelDosingChallenge: () => runningChallenge?.abort(),
});
