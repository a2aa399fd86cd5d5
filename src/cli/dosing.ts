import fs from 'node:fs';
import type { Command } from 'commander';
import {
  findDose,
  questionProblems,
  type AttainmentQuestion,
  type AttainmentResult,
} from '../core/dosing/attainment';
import {
  CHALLENGE_DEFAULTS,
  CHALLENGE_SCENARIOS,
  comedFractionOf,
  runChallenge,
  type ChallengeResult,
} from '../core/dosing/challenge';
import { attainmentWithUncertainty } from '../core/dosing/uncertainty';
import type { ParameterDraws } from '../core/nlme/uncertainty';
import {
  modelCovariates,
  populationSpecProblems,
  sampleVirtualPopulation,
  type CovariateSource,
} from '../core/dosing/virtualPopulation';
import { populationExtrapolationWarnings, type TrainingDomain } from '../core/models/types';
import { trainingDomainOf } from '../core/models/trainingDomain';
import { fitPopulation } from '../core/nlme/fit';
import { buildFitSpec, parseModelName } from '../core/nlme/models';
import type { PopulationModel } from '../core/pkpd/population';
import { DEMO_TRIAL_DESIGN } from '../core/trial/demoTrial';
import { TRUE_MODEL } from '../core/trial/trueModel';
import { parseFitFile } from '../state/fitFile';
import type { CliOutput } from './fit';
import { loadDatasetFile } from './loadData';

const consoleOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/** A model the dose commands can use, with where it came from and what it was fitted on. */
export interface LoadedModel {
  readonly label: string;
  readonly model: PopulationModel;
  readonly domain?: TrainingDomain;
  readonly ofv?: number;
  /** Draws of the estimates (fits with a covariance step), for uncertainty bands. */
  readonly draws?: ParameterDraws;
}

/** The demo trial's true model by name, for trying the commands without a fit. */
export const DEMO_MODEL_NAME = 'demo-truth';

export function demoModel(): LoadedModel {
  return {
    label: "the demo trial's true model",
    model: TRUE_MODEL,
    domain: {
      doseRange: [1, Math.max(...DEMO_TRIAL_DESIGN.doseGroups)],
      intervals: [DEMO_TRIAL_DESIGN.interval],
      bwRange: [DEMO_TRIAL_DESIGN.bwRange[0], DEMO_TRIAL_DESIGN.bwRange[1]],
      comedValues: [0, 1],
    },
  };
}

/** Reads a model file written by `fit --out` or exported from the app (a .fit.json). */
export function loadModelFile(file: string): LoadedModel {
  if (file === DEMO_MODEL_NAME) return demoModel();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `No such model file: ${file} (write one with: npm run cli -- fit <data> --out ${file})`
        : `Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const parsed = parseFitFile(text);
  if (!parsed.ok) throw new Error(`${file}: ${parsed.problems.join(' ')}`);
  return {
    label: parsed.label ?? `${parsed.result.spec.name} on ${parsed.result.dataName}`,
    model: parsed.result.model,
    ...(parsed.domain ? { domain: parsed.domain } : {}),
    ofv: parsed.result.ofv,
    ...(parsed.result.parameterDraws ? { draws: parsed.result.parameterDraws } : {}),
  };
}

function parseNumber(name: string, v: string | undefined, fallback?: number): number {
  if (v === undefined) {
    if (fallback === undefined) throw new Error(`--${name} is required.`);
    return fallback;
  }
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x))
    throw new Error(`--${name} must be a number, got "${v}".`);
  return x;
}

/** A fraction given as 0.9 or as 90%. */
export function parseFraction(name: string, v: string | undefined, fallback?: number): number {
  const pct = v?.trim().endsWith('%');
  const x = parseNumber(name, pct ? v?.trim().slice(0, -1) : v, fallback);
  const f = pct ? x / 100 : x;
  if (!(f >= 0 && f <= 1))
    throw new Error(`--${name} must be a fraction from 0 to 1 (or a percentage), got "${v}".`);
  return f;
}

/** "50-100" → [50, 100]. */
export function parseRange(name: string, v: string): [number, number] {
  const m = /^\s*([0-9.eE+]+)\s*[-–:]\s*([0-9.eE+]+)\s*$/.exec(v);
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo > 0 && hi >= lo)) {
    throw new Error(`--${name} must be a range like 50-100, got "${v}".`);
  }
  return [lo, hi];
}

export interface OptimizeCliOptions {
  readonly model?: string;
  readonly interval?: string;
  readonly step?: string;
  readonly target?: string;
  readonly threshold?: string;
  readonly direction?: string;
  readonly bw?: string;
  readonly comed?: string;
  readonly subjects?: string;
  readonly seed?: string;
  readonly maxDose?: string;
  readonly cmt?: string;
  /** Replicate populations from the fit's parameter draws (a parameter-uncertainty band). */
  readonly uncertainty?: string | boolean;
  readonly json?: boolean;
}

export function optimizeJson(
  loaded: LoadedModel,
  result: AttainmentResult,
  warnings: readonly string[],
  seed: number,
): Record<string, unknown> {
  return {
    dose: result.dose,
    attainment: result.attainment,
    doseBand: result.doseBand,
    curve: result.curve,
    model: loaded.label,
    subjects: result.subjects,
    seed,
    question: result.question,
    maxDose: result.maxDose,
    attainmentAtMaxDose: result.attainmentAtMax,
    summary: result.summary,
    band: result.band,
    warnings,
  };
}

/** `optimize`: the smallest dose reaching a target fraction of a virtual population. */
export function runOptimize(opts: OptimizeCliOptions, output: CliOutput = consoleOutput): number {
  const fail = (message: string): number => {
    if (opts.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
    else output.err(message);
    return 1;
  };
  try {
    if (!opts.model)
      throw new Error(`--model is required: a .fit.json file (fit --out) or ${DEMO_MODEL_NAME}.`);
    const loaded = loadModelFile(opts.model);
    const direction = opts.direction ?? 'below';
    if (direction !== 'below' && direction !== 'above') {
      throw new Error(`--direction must be below or above, got "${direction}".`);
    }
    const question: AttainmentQuestion = {
      interval: parseNumber('interval', opts.interval),
      step: parseNumber('step', opts.step),
      target: parseFraction('target', opts.target),
      threshold: { value: parseNumber('threshold', opts.threshold), direction },
      ...(opts.maxDose !== undefined ? { maxDose: parseNumber('max-dose', opts.maxDose) } : {}),
      cmt: parseNumber('cmt', opts.cmt, 1),
    };
    const problems = questionProblems(question);
    if (problems.length > 0) throw new Error(problems.join(' '));
    const bw = parseRange('bw', opts.bw ?? '50-100');
    const seed = parseNumber('seed', opts.seed, CHALLENGE_DEFAULTS.seed);
    const covariates: Record<string, CovariateSource> = {
      BW: { type: 'uniform', min: bw[0], max: bw[1] },
      COMED: { type: 'bernoulli', p: parseFraction('comed', opts.comed, 0.5) },
    };
    const other = modelCovariates(loaded.model).filter((c) => !(c in covariates));
    if (other.length > 0) {
      throw new Error(`The model uses ${other.join(', ')}; optimize draws only BW and COMED.`);
    }
    const spec = {
      size: parseNumber('subjects', opts.subjects, CHALLENGE_DEFAULTS.subjects),
      seed,
      covariates,
    };
    const specProblems = populationSpecProblems(loaded.model, spec);
    if (specProblems.length > 0) throw new Error(specProblems.join(' '));
    let result: AttainmentResult;
    if (opts.uncertainty) {
      if (!loaded.draws) {
        throw new Error(
          '--uncertainty needs a fit with parameter draws: fit with the covariance step (without --no-cov) and --out.',
        );
      }
      const replicates =
        opts.uncertainty === true ? 50 : parseNumber('uncertainty', opts.uncertainty);
      if (!(Number.isInteger(replicates) && replicates >= 2 && replicates <= 1000)) {
        throw new Error(`--uncertainty must be a whole number of replicates from 2 to 1000.`);
      }
      result = attainmentWithUncertainty(loaded.model, loaded.draws, spec, question, {
        replicates,
      });
    } else {
      result = findDose(sampleVirtualPopulation(loaded.model, spec), question);
    }
    const warnings =
      result.dose === null
        ? []
        : populationExtrapolationWarnings(loaded.domain, {
            dose: result.dose,
            interval: question.interval,
            bwRange: bw,
          });
    if (opts.json) {
      output.out(JSON.stringify(optimizeJson(loaded, result, warnings, seed), null, 2));
    } else {
      output.out(`Model: ${loaded.label}`);
      output.out(result.summary);
      const [lo, hi] = result.doseBand;
      if (result.dose !== null)
        output.out(
          `Range of the answer: ${lo ?? '-'}–${hi ?? `>${result.maxDose}`} mg (band: ${result.band})`,
        );
      for (const w of warnings) output.out(`Warning: ${w}`);
      output.out('');
      output.out(`${'dose mg'.padStart(9)}  attaining  band`);
      for (const p of result.curve) {
        output.out(
          `${String(p.dose).padStart(9)}  ${(100 * p.attainment).toFixed(1).padStart(8)}%  ${(100 * p.lo).toFixed(1)}–${(100 * p.hi).toFixed(1)}%`,
        );
      }
    }
    return 0;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

export interface ChallengeCliOptions {
  readonly columns?: string;
  readonly model?: string;
  readonly fitModel?: string;
  readonly subjects?: string;
  readonly seed?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

/** The mechanistic model the challenge fits when no model file is given (see README). */
export const CHALLENGE_FIT_MODEL = 'pk2-oral-idr1';

export function challengeJson(
  loaded: LoadedModel,
  result: ChallengeResult,
): Record<string, unknown> {
  return {
    model: loaded.label,
    ...(loaded.ofv !== undefined ? { ofv: loaded.ofv } : {}),
    subjects: result.settings.subjects,
    seed: result.settings.seed,
    comedFraction: result.settings.comedFraction,
    threshold: result.settings.threshold,
    answers: result.answers.map((a) => ({
      scenario: a.scenario,
      interval: a.interval,
      target: a.target,
      dose: a.dose,
      attainment: a.attainment,
      doseBand: a.doseBand,
      warnings: a.warnings,
    })),
    seconds: result.elapsedMs / 1000,
  };
}

export function formatChallenge(loaded: LoadedModel, result: ChallengeResult): string {
  const s = result.settings;
  const lines = [
    `Model: ${loaded.label}${loaded.ofv !== undefined ? ` (OFV ${loaded.ofv.toFixed(1)})` : ''}`,
    `${s.subjects.toLocaleString('en-US')} virtual subjects per scenario (seed ${s.seed}); COMED in ${(100 * s.comedFraction).toFixed(0)}% where allowed; biomarker ${s.threshold.direction} ${s.threshold.value} ng/mL throughout the interval at steady state.`,
    '',
    `${'scenario'.padEnd(9)} ${'interval'.padStart(8)} ${'target'.padStart(6)} ${'dose mg'.padStart(8)} ${'attaining'.padStart(9)}  95% range`,
  ];
  for (const a of result.answers) {
    lines.push(
      `${a.scenario.padEnd(9)} ${`${a.interval} h`.padStart(8)} ${`${(100 * a.target).toFixed(0)}%`.padStart(6)} ${String(a.dose ?? '—').padStart(8)} ${(a.attainment === null ? '—' : `${(100 * a.attainment).toFixed(1)}%`).padStart(9)}  ${a.doseBand[0] ?? '—'}–${a.doseBand[1] ?? '—'}`,
    );
  }
  const warnings = [...new Set(result.answers.flatMap((a) => a.warnings))];
  if (warnings.length > 0) lines.push('', 'Extrapolation:', ...warnings.map((w) => `  ${w}`));
  lines.push('', ...CHALLENGE_SCENARIOS.map((sc) => `${sc.name}: ${sc.label}`));
  return lines.join('\n');
}

/** `challenge <file>`: the five questions for the loaded data. */
export async function runChallengeCli(
  file: string,
  opts: ChallengeCliOptions,
  output: CliOutput = consoleOutput,
): Promise<number> {
  const fail = (message: string): number => {
    if (opts.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
    else output.err(message);
    return 1;
  };
  const data = loadDatasetFile(file, opts.columns);
  if (!data.ok) return fail(data.message);
  const ds = data.dataset;
  try {
    const choice = opts.model ?? 'mechanistic';
    let loaded: LoadedModel;
    if (choice === 'mechanistic') {
      const name = opts.fitModel ?? CHALLENGE_FIT_MODEL;
      parseModelName(name);
      if (!opts.quiet && !opts.json) output.err(`Fitting ${name} to ${ds.name} (FOCE-I)…`);
      const fit = await fitPopulation(ds, buildFitSpec(name, ds), { covariance: false });
      if (!fit.converged && !opts.quiet && !opts.json) output.err(`Warning: ${fit.message}`);
      loaded = {
        label: `${name} fitted to ${ds.name}`,
        model: fit.model,
        domain: trainingDomainOf(ds),
        ofv: fit.ofv,
      };
    } else {
      loaded = loadModelFile(choice);
    }
    const result = runChallenge(
      loaded.model,
      {
        ...CHALLENGE_DEFAULTS,
        subjects: parseNumber('subjects', opts.subjects, CHALLENGE_DEFAULTS.subjects),
        seed: parseNumber('seed', opts.seed, CHALLENGE_DEFAULTS.seed),
        comedFraction: comedFractionOf(ds),
      },
      { ...(loaded.domain ? { domain: loaded.domain } : {}) },
    );
    output.out(
      opts.json
        ? JSON.stringify(challengeJson(loaded, result), null, 2)
        : formatChallenge(loaded, result),
    );
    return 0;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

export function registerDosing(program: Command): void {
  program
    .command('optimize')
    .description(
      'Smallest dose (in steps) that keeps the biomarker on the right side of a threshold for a target fraction of a virtual population',
    )
    .requiredOption(
      '--model <file>',
      `a .fit.json written by "fit --out" or exported from the app, or ${DEMO_MODEL_NAME}`,
    )
    .requiredOption('--interval <h>', 'dosing interval, h (24 daily, 168 weekly)')
    .requiredOption('--step <mg>', 'doses are multiples of this, mg')
    .requiredOption('--target <fraction>', 'fraction that must attain, e.g. 0.9 (or 90%)')
    .requiredOption('--threshold <value>', 'biomarker threshold, ng/mL')
    .option('--direction <below|above>', 'keep the biomarker below (default) or above', 'below')
    .option('--bw <lo-hi>', 'body weight range, kg, drawn uniformly (default 50-100)')
    .option('--comed <fraction>', 'fraction on the concomitant medication (default 0.5)')
    .option('--subjects <n>', 'virtual subjects (default 10000)')
    .option('--seed <n>', 'random seed')
    .option('--max-dose <mg>', 'largest dose searched (default 2000 steps)')
    .option('--cmt <n>', '1 oral (default), 2 IV bolus')
    .option(
      '--uncertainty [replicates]',
      "band from the fit's parameter uncertainty: replicate populations from draws of the estimates (default 50)",
    )
    .option('--json', 'one JSON document')
    .action((o: OptimizeCliOptions) => {
      process.exitCode = runOptimize(o);
    });
  program
    .command('challenge')
    .description(
      'Answer the five dosing questions (daily/weekly, BW 50–100/70–140, with/without COMED, 90%/75%)',
    )
    .argument(
      '<file>',
      'NONMEM-style CSV (its COMED fraction sets the population; fitted when --model mechanistic)',
    )
    .option('--columns <map>', 'column mapping ROLE=NAME,... (see summary)')
    .option(
      '--model <model>',
      `mechanistic (fit the data, default), a .fit.json file, or ${DEMO_MODEL_NAME}`,
    )
    .option(
      '--fit-model <name>',
      `model fitted for --model mechanistic (default ${CHALLENGE_FIT_MODEL})`,
    )
    .option('--subjects <n>', 'virtual subjects per scenario (default 10000)')
    .option('--seed <n>', 'random seed')
    .option('--json', 'one JSON document')
    .option('--quiet', 'no progress lines')
    .action(async (file: string, o: ChallengeCliOptions) => {
      process.exitCode = await runChallengeCli(file, o);
    });
}
