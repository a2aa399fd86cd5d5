import type { Dataset } from '../data/types';
import { populationExtrapolationWarnings, type TrainingDomain } from '../models/types';
import type { Threshold } from '../pkpd/metrics';
import type { PopulationModel } from '../pkpd/population';
import type { Hours, Mg } from '../units';
import {
  attainmentCounts,
  attainmentResult,
  type AttainmentQuestion,
  type AttainmentResult,
  type AttainmentRunOptions,
} from './attainment';
import {
  modelCovariates,
  sampleVirtualPopulation,
  type CovariateSource,
  type VirtualPopulationSpec,
} from './virtualPopulation';

/**
 * The challenge's five questions as scenario presets (DOMAIN.md): once daily in 0.5 mg steps
 * and once weekly in 5 mg steps; body weight 50–100 kg (a population like the trial's) or
 * 70–140 kg; concomitant medication as in the trial or not allowed; 90% or 75% of the
 * population keeping the biomarker below 3.3 ng/mL throughout the interval at steady state.
 */
export type ScenarioName = 'base' | 'bw70-140' | 'no-comed';

export interface ChallengeRegimen {
  readonly interval: Hours;
  readonly step: Mg;
}

export interface ChallengeSettings {
  /** Virtual subjects per scenario. */
  readonly subjects: number;
  readonly seed: number;
  /** Fraction of the population on the concomitant medication where it is allowed. */
  readonly comedFraction: number;
  readonly threshold: Threshold;
  readonly targets: readonly number[];
  readonly regimens: readonly ChallengeRegimen[];
  /**
   * How to draw covariates the model uses beyond BW and COMED (e.g. resampled from the data);
   * required for each such covariate.
   */
  readonly otherCovariates?: Readonly<Record<string, CovariateSource>>;
}

export const CHALLENGE_DEFAULTS: ChallengeSettings = {
  subjects: 10_000,
  seed: 20261124,
  comedFraction: 0.5,
  threshold: { value: 3.3, direction: 'below' },
  targets: [0.9, 0.75],
  regimens: [
    { interval: 24, step: 0.5 },
    { interval: 168, step: 5 },
  ],
};

export interface ChallengeScenario {
  readonly name: ScenarioName;
  readonly label: string;
  readonly bw: readonly [number, number];
  readonly comedAllowed: boolean;
}

export const CHALLENGE_SCENARIOS: readonly ChallengeScenario[] = [
  {
    name: 'base',
    label: 'Like the trial: BW 50–100 kg, COMED allowed',
    bw: [50, 100],
    comedAllowed: true,
  },
  {
    name: 'bw70-140',
    label: 'Heavier: BW 70–140 kg, COMED allowed',
    bw: [70, 140],
    comedAllowed: true,
  },
  {
    name: 'no-comed',
    label: 'No concomitant medication: BW 50–100 kg',
    bw: [50, 100],
    comedAllowed: false,
  },
];

/** Fraction of the data's subjects with COMED = 1 (0.5 when the data have no COMED). */
export function comedFractionOf(ds: Dataset): number {
  const values = ds.subjects
    .map((s) => s.covariates.COMED)
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return 0.5;
  return values.filter((v) => v === 1).length / values.length;
}

/** The virtual population of one scenario. */
export function scenarioPopulation(
  scenario: ChallengeScenario,
  settings: ChallengeSettings,
): VirtualPopulationSpec {
  return {
    size: settings.subjects,
    seed: settings.seed,
    covariates: {
      ...settings.otherCovariates,
      BW: { type: 'uniform', min: scenario.bw[0], max: scenario.bw[1] },
      COMED: scenario.comedAllowed
        ? { type: 'bernoulli', p: settings.comedFraction }
        : { type: 'fixed', value: 0 },
    },
  };
}

export interface ChallengeAnswer {
  readonly scenario: ScenarioName;
  readonly interval: Hours;
  readonly step: Mg;
  readonly target: number;
  readonly dose: Mg | null;
  readonly attainment: number | null;
  readonly doseBand: readonly [Mg | null, Mg | null];
  readonly summary: string;
  /** Where the answer lies outside what the model was fitted on. */
  readonly warnings: readonly string[];
  readonly result: AttainmentResult;
}

export interface ChallengeResult {
  readonly settings: ChallengeSettings;
  readonly answers: readonly ChallengeAnswer[];
  readonly elapsedMs: number;
}

/**
 * Every scenario × regimen × target. One virtual population per scenario (the same seed, so
 * scenarios share their random effects), one dose search per scenario and regimen (the
 * targets read the same counts).
 */
export function runChallenge(
  model: PopulationModel,
  settings: ChallengeSettings = CHALLENGE_DEFAULTS,
  opts: AttainmentRunOptions & { readonly domain?: TrainingDomain } = {},
): ChallengeResult {
  const started = Date.now();
  const answers: ChallengeAnswer[] = [];
  const missing = modelCovariates(model).filter(
    (c) => c !== 'BW' && c !== 'COMED' && !settings.otherCovariates?.[c],
  );
  if (missing.length > 0) {
    throw new Error(
      `The model uses ${missing.join(', ')}: say how to draw them for the scenarios.`,
    );
  }
  const jobs = CHALLENGE_SCENARIOS.length * settings.regimens.length;
  let job = 0;
  for (const scenario of CHALLENGE_SCENARIOS) {
    const subjects = sampleVirtualPopulation(model, scenarioPopulation(scenario, settings));
    for (const regimen of settings.regimens) {
      const base: AttainmentQuestion = {
        interval: regimen.interval,
        step: regimen.step,
        target: settings.targets[0] ?? 0.9,
        threshold: settings.threshold,
      };
      const { counts } = attainmentCounts(subjects, base, {
        shouldStop: opts.shouldStop,
        onProgress: (done, total) => opts.onProgress?.(job * total + done, jobs * total),
      });
      job++;
      for (const target of settings.targets) {
        const result = attainmentResult(counts, subjects.length, { ...base, target });
        const warnings =
          result.dose === null
            ? []
            : populationExtrapolationWarnings(opts.domain, {
                dose: result.dose,
                interval: regimen.interval,
                bwRange: scenario.bw,
              });
        answers.push({
          scenario: scenario.name,
          interval: regimen.interval,
          step: regimen.step,
          target,
          dose: result.dose,
          attainment: result.attainment,
          doseBand: result.doseBand,
          summary: result.summary,
          warnings,
          result,
        });
      }
    }
  }
  return { settings, answers, elapsedMs: Date.now() - started };
}
