import type { Command } from 'commander';
import { formatProblem } from '../core/data/problems';
import {
  crossValidate,
  DEFAULT_FOLDS,
  type CrossValidationResult,
  type Trainer,
} from '../core/neural/crossValidation';
import {
  DEFAULT_NEURAL_CONFIG,
  ENCODERS,
  FRAMEWORKS,
  type EncoderName,
  type Framework,
  type NeuralConfig,
} from '../core/neural/types';
import type { CliOutput } from './fit';
import { loadDatasetFile } from './loadData';

export interface TrainCliOptions {
  readonly columns?: string;
  readonly framework?: string;
  readonly encoder?: string;
  /** direct (the network outputs concentration and biomarker) or parameters (not built yet). */
  readonly head?: string;
  readonly folds?: string;
  readonly seed?: string;
  /** At most this many epochs per fold. */
  readonly epochs?: string;
  /** Give the network the subject's pre-dose biomarker. */
  readonly baselineInput?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

const consoleOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

const HEADS = ['direct', 'parameters'] as const;

/** Progress lines are printed every this many epochs (and at each fold's end). */
const PROGRESS_EVERY = 25;

function oneOf<T extends string>(
  what: string,
  value: string | undefined,
  allowed: readonly T[],
): T {
  if (value === undefined) throw new Error(`${what} is required (one of ${allowed.join(', ')}).`);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`${what} must be one of ${allowed.join(', ')}, got "${value}".`);
  }
  return value as T;
}

function wholeNumber(what: string, value: string | undefined, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) {
    throw new Error(`${what} must be a whole number ≥ ${min}, got "${value}".`);
  }
  return n;
}

/** The network configuration the options ask for (defaults from DEFAULT_NEURAL_CONFIG). */
export function trainConfig(opts: TrainCliOptions): NeuralConfig {
  const framework = oneOf<Framework>('--framework', opts.framework, FRAMEWORKS);
  const encoder = oneOf<EncoderName>('--encoder', opts.encoder, ENCODERS);
  const head = oneOf('--head', opts.head ?? 'direct', HEADS);
  if (head === 'parameters') {
    throw new Error(
      '--head parameters (networks that output the parameters of a compartmental model) is not built yet; use --head direct.',
    );
  }
  const seed = wholeNumber('--seed', opts.seed, 0);
  const epochs = wholeNumber('--epochs', opts.epochs, 1);
  return {
    ...DEFAULT_NEURAL_CONFIG,
    framework,
    encoder,
    ...(seed !== undefined ? { seed } : {}),
    ...(epochs !== undefined ? { maxEpochs: epochs } : {}),
  };
}

/** The JSON document of `train --json`. */
export function trainJson(
  result: CrossValidationResult,
  trainSeconds: number,
): Record<string, unknown> {
  return {
    framework: result.config.framework,
    encoder: result.config.encoder,
    head: 'direct',
    parameters: result.parameters,
    seed: result.config.seed,
    maxEpochs: result.config.maxEpochs,
    folds: result.folds.map((f) => ({
      testSubjects: f.testSubjects,
      pkRmse: f.pkRmse,
      pdRmse: f.pdRmse,
      pkRows: f.pkRows,
      pdRows: f.pdRows,
      epochs: f.epochs,
      bestEpoch: f.bestEpoch,
    })),
    pkRmse: result.pkRmse,
    pdRmse: result.pdRmse,
    pkRows: result.pkRows,
    pdRows: result.pdRows,
    units: { pk: 'mg/L', pd: 'ng/mL' },
    trainSeconds,
    inputs: result.featureNames,
  };
}

const fmt = (v: number | null) => (v === null ? '—' : v.toFixed(3));

/** The readable report. */
export function formatTrain(result: CrossValidationResult, trainSeconds: number): string {
  const c = result.config;
  const lines = [
    `${c.framework} / ${c.encoder}: ${result.parameters} trainable parameters, ${result.folds.length}-fold subject-level cross-validation, seed ${c.seed}`,
    `Inputs: ${result.featureNames.join(', ')}`,
    '',
    'Fold  Test subjects                     PK RMSE mg/L  PD RMSE ng/mL  Epochs',
  ];
  for (const f of result.folds) {
    lines.push(
      `${String(f.fold + 1).padEnd(4)}  ${f.testSubjects.join(' ').padEnd(32).slice(0, 32)}  ${fmt(f.pkRmse).padStart(12)}  ${fmt(f.pdRmse).padStart(13)}  ${String(f.epochs).padStart(6)}`,
    );
  }
  lines.push(
    `All   ${`${result.pkRows} PK, ${result.pdRows} PD rows`.padEnd(32)}  ${fmt(result.pkRmse).padStart(12)}  ${fmt(result.pdRmse).padStart(13)}`,
    '',
    `Trained in ${trainSeconds.toFixed(1)} s.`,
  );
  return lines.join('\n');
}

/**
 * `train <file>`: subject-level K-fold cross-validation of a neural PK/PD model. Returns the
 * exit code. `trainer` replaces the network trainer (tests).
 */
export async function runTrain(
  file: string,
  opts: TrainCliOptions = {},
  output: CliOutput = consoleOutput,
  trainer?: Trainer,
): Promise<number> {
  const fail = (message: string): number => {
    if (opts.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
    else output.err(message);
    return 1;
  };
  let config: NeuralConfig;
  let folds: number;
  try {
    config = trainConfig(opts);
    folds = wholeNumber('--folds', opts.folds, 2) ?? DEFAULT_FOLDS;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const loaded = loadDatasetFile(file, opts.columns);
  if (!loaded.ok) {
    if (!opts.json) for (const p of loaded.problems ?? []) output.err(formatProblem(p));
    return fail(loaded.message);
  }
  const started = performance.now();
  try {
    const result = await crossValidate(loaded.dataset, config, {
      folds,
      features: { baseline: opts.baselineInput === true },
      ...(trainer ? { trainer } : {}),
      onProgress: (p) => {
        if (opts.quiet || opts.json || p.epoch % PROGRESS_EVERY !== 0) return;
        output.err(
          `  fold ${p.fold + 1}/${p.folds} epoch ${p.epoch}: train ${p.trainLoss.toFixed(4)}, validation ${p.valLoss.toFixed(4)}`,
        );
      },
    });
    const seconds = (performance.now() - started) / 1000;
    output.out(
      opts.json
        ? JSON.stringify(trainJson(result, seconds), null, 2)
        : formatTrain(result, seconds),
    );
    return 0;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description(
      'Cross-validate a neural PK/PD model over subjects (held-out RMSE in mg/L and ng/mL)',
    )
    .argument('<file>', 'NONMEM-style CSV')
    .option('--columns <map>', 'column mapping ROLE=NAME,... (see summary)')
    .option('--framework <name>', `${FRAMEWORKS.join(' | ')}`)
    .option('--encoder <name>', `${ENCODERS.join(' | ')}`)
    .option('--head <kind>', 'direct (default) | parameters (not built yet)')
    .option('--folds <n>', `subject-level folds (default ${DEFAULT_FOLDS})`)
    .option(
      '--seed <n>',
      `seed of the folds and the networks (default ${DEFAULT_NEURAL_CONFIG.seed})`,
    )
    .option(
      '--epochs <n>',
      `at most this many epochs per fold (default ${DEFAULT_NEURAL_CONFIG.maxEpochs})`,
    )
    .option('--baseline-input', "give the network the subject's pre-dose biomarker")
    .option('--json', 'one JSON document')
    .option('--quiet', 'no progress lines')
    .action(async (file: string, o: TrainCliOptions) => {
      process.exitCode = await runTrain(file, o);
    });
}
