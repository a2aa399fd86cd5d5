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
  HEADS,
  QNN_READOUTS,
  hasHybridLayers,
  type EncoderName,
  type Framework,
  type HeadName,
  type NeuralConfig,
} from '../core/neural/types';
import type { CliOutput } from './fit';
import { loadDatasetFile } from './loadData';

export interface TrainCliOptions {
  readonly columns?: string;
  readonly framework?: string;
  readonly encoder?: string;
  /**
   * direct (the network outputs concentration and biomarker) or parameters (the network
   * outputs the parameters of a compartmental model that is simulated under the doses).
   */
  readonly head?: string;
  readonly folds?: string;
  readonly seed?: string;
  /** Repeat the cross-validation with this many seeds (new folds and initialisations). */
  readonly seeds?: string;
  /** At most this many epochs per fold. */
  readonly epochs?: string;
  /** AdamW's base learning rate. */
  readonly learningRate?: string;
  /** Width of the hidden layers and number of blocks (layers) of the encoders. */
  readonly hidden?: string;
  readonly blocks?: string;
  /** Train on log(1 + y) instead of y. */
  readonly logTargets?: boolean;
  /** Give the network the subject's pre-dose biomarker. */
  readonly baselineInput?: boolean;
  /** Hybrid layers: qubits, circuit layers, readout; `quantumSkip` false with --no-quantum-skip. */
  readonly qubits?: string;
  readonly qlayers?: string;
  readonly readout?: string;
  readonly quantumSkip?: boolean;
  readonly json?: boolean;
  readonly quiet?: boolean;
}

export const consoleOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

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

export function wholeNumber(
  what: string,
  value: string | undefined,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) {
    throw new Error(`${what} must be a whole number ≥ ${min}, got "${value}".`);
  }
  return n;
}

function positiveNumber(what: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0))
    throw new Error(`${what} must be a number > 0, got "${value}".`);
  return n;
}

/** The network configuration the options ask for (defaults from DEFAULT_NEURAL_CONFIG). */
export function trainConfig(opts: TrainCliOptions): NeuralConfig {
  const framework = oneOf<Framework>('--framework', opts.framework, FRAMEWORKS);
  const encoder = oneOf<EncoderName>('--encoder', opts.encoder, ENCODERS);
  const head = oneOf<HeadName>('--head', opts.head ?? 'direct', HEADS);
  const seed = wholeNumber('--seed', opts.seed, 0);
  const epochs = wholeNumber('--epochs', opts.epochs, 1);
  const learningRate = positiveNumber('--learning-rate', opts.learningRate);
  const hidden = wholeNumber('--hidden', opts.hidden, 1);
  const blocks = wholeNumber('--blocks', opts.blocks, 0);
  const qubits = wholeNumber('--qubits', opts.qubits, 2);
  const qlayers = wholeNumber('--qlayers', opts.qlayers, 1);
  const readout =
    opts.readout === undefined ? undefined : oneOf('--readout', opts.readout, QNN_READOUTS);
  if ((qubits ?? 0) > 16) throw new Error(`--qubits must be at most 16, got "${opts.qubits}".`);
  return {
    ...DEFAULT_NEURAL_CONFIG,
    framework,
    encoder,
    head,
    ...(seed !== undefined ? { seed } : {}),
    ...(epochs !== undefined ? { maxEpochs: epochs } : {}),
    ...(learningRate !== undefined ? { learningRate } : {}),
    ...(hidden !== undefined ? { hidden } : {}),
    ...(blocks !== undefined ? { blocks } : {}),
    ...(opts.logTargets ? { logTargets: true } : {}),
    ...(qubits !== undefined ? { qubits } : {}),
    ...(qlayers !== undefined ? { qlayers } : {}),
    ...(readout !== undefined ? { readout } : {}),
    ...(opts.quantumSkip === false ? { quantumSkip: false } : {}),
  };
}

/** Mean and SD of the per-fold RMSEs (over folds, and seeds when several ran). */
export function foldSummary(
  results: readonly CrossValidationResult[],
  endpoint: 'pkRmse' | 'pdRmse',
): { mean: number; sd: number; n: number } | null {
  const v = results.flatMap((r) =>
    r.folds.map((f) => f[endpoint]).filter((x): x is number => x !== null),
  );
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const sd =
    v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, sd, n: v.length };
}

const meanOf = (xs: (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

/**
 * The JSON document of `train --json`. With several seeds, `folds` lists every seed's folds
 * (each with its seed) and the pooled RMSEs are averaged over the seeds.
 */
export function trainJson(
  results: CrossValidationResult | readonly CrossValidationResult[],
  trainSeconds: number,
): Record<string, unknown> {
  const all: readonly CrossValidationResult[] = 'folds' in results ? [results] : results;
  const result = all[0];
  return {
    framework: result.config.framework,
    encoder: result.config.encoder,
    head: result.config.head,
    parameters: result.parameters,
    quantumParameters: result.quantumParameters,
    seed: result.config.seed,
    ...(all.length > 1 ? { seeds: all.map((r) => r.config.seed) } : {}),
    maxEpochs: result.config.maxEpochs,
    learningRate: result.config.learningRate,
    hidden: result.config.hidden,
    blocks: result.config.blocks,
    logTargets: result.config.logTargets,
    ...(hasHybridLayers(result.config.encoder)
      ? {
          qubits: result.config.qubits,
          qlayers: result.config.qlayers,
          readout: result.config.readout,
          quantumSkip: result.config.quantumSkip,
        }
      : {}),
    folds: all.flatMap((r) =>
      r.folds.map((f) => ({
        ...(all.length > 1 ? { seed: r.config.seed } : {}),
        testSubjects: f.testSubjects,
        pkRmse: f.pkRmse,
        pdRmse: f.pdRmse,
        pkRows: f.pkRows,
        pdRows: f.pdRows,
        epochs: f.epochs,
        bestEpoch: f.bestEpoch,
      })),
    ),
    pkRmse: meanOf(all.map((r) => r.pkRmse)),
    pdRmse: meanOf(all.map((r) => r.pdRmse)),
    foldRmse: { pk: foldSummary(all, 'pkRmse'), pd: foldSummary(all, 'pdRmse') },
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
    `${c.framework} / ${c.encoder}: ${result.parameters} trainable parameters${result.quantumParameters > 0 ? ` (${result.quantumParameters} quantum angles)` : ''}, ${result.folds.length}-fold subject-level cross-validation, seed ${c.seed}`,
    `Inputs: ${result.featureNames.join(', ')}`,
    c.head === 'parameters'
      ? 'Head: parameters (covariates → one-compartment oral PK and effect-compartment PD, simulated under the doses)'
      : 'Head: direct (the networks output concentration and biomarker)',
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
  let seeds: number;
  try {
    seeds = wholeNumber('--seeds', opts.seeds, 1) ?? 1;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const started = performance.now();
  try {
    const results: CrossValidationResult[] = [];
    for (let r = 0; r < seeds; r++) {
      // Seeds 100 apart: fold k of a run trains with seed + k, so runs never share one.
      const runConfig = { ...config, seed: config.seed + 100 * r };
      results.push(
        await crossValidate(loaded.dataset, runConfig, {
          folds,
          features: { baseline: opts.baselineInput === true },
          ...(trainer ? { trainer } : {}),
          onProgress: (p) => {
            if (opts.quiet || opts.json || p.epoch % PROGRESS_EVERY !== 0) return;
            output.err(
              `  seed ${runConfig.seed} fold ${p.fold + 1}/${p.folds} epoch ${p.epoch}: train ${p.trainLoss.toFixed(4)}, validation ${p.valLoss.toFixed(4)}`,
            );
          },
        }),
      );
    }
    const seconds = (performance.now() - started) / 1000;
    if (opts.json) {
      output.out(JSON.stringify(trainJson(results, seconds), null, 2));
    } else {
      output.out(results.map((r) => formatTrain(r, seconds)).join('\n\n'));
      const pk = foldSummary(results, 'pkRmse');
      const pd = foldSummary(results, 'pdRmse');
      if (results.length > 1 && pk && pd) {
        output.out(
          `\nOver ${pk.n} folds × seeds: PK RMSE ${pk.mean.toFixed(3)} ± ${pk.sd.toFixed(3)} mg/L, PD RMSE ${pd.mean.toFixed(3)} ± ${pd.sd.toFixed(3)} ng/mL (mean ± sd).`,
        );
      }
    }
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
    .option(
      '--head <kind>',
      'direct (default: outputs concentration and biomarker) | parameters (outputs the parameters of a compartmental model)',
    )
    .option('--folds <n>', `subject-level folds (default ${DEFAULT_FOLDS})`)
    .option(
      '--seed <n>',
      `seed of the folds and the networks (default ${DEFAULT_NEURAL_CONFIG.seed})`,
    )
    .option('--seeds <n>', 'repeat with this many seeds (new folds and initialisations; default 1)')
    .option(
      '--epochs <n>',
      `at most this many epochs per fold (default ${DEFAULT_NEURAL_CONFIG.maxEpochs})`,
    )
    .option(
      '--learning-rate <x>',
      `AdamW's base learning rate (default ${DEFAULT_NEURAL_CONFIG.learningRate})`,
    )
    .option(
      '--hidden <n>',
      `width of the encoders' hidden layers (default ${DEFAULT_NEURAL_CONFIG.hidden})`,
    )
    .option(
      '--blocks <n>',
      `residual blocks (resmlp, resmlp_moe) or layers (mlp) per encoder (default ${DEFAULT_NEURAL_CONFIG.blocks})`,
    )
    .option(
      '--qubits <n>',
      `qubits of each hybrid layer's circuit (qnn, qresmlp_moe and controls; default ${DEFAULT_NEURAL_CONFIG.qubits})`,
    )
    .option(
      '--qlayers <n>',
      `re-uploading layers of each circuit (default ${DEFAULT_NEURAL_CONFIG.qlayers})`,
    )
    .option('--readout <name>', `${QNN_READOUTS.join(' | ')} (default xyzzz: ⟨X⟩⟨Y⟩⟨Z⟩⟨ZZ⟩)`)
    .option('--no-quantum-skip', 'no classical skip beside each circuit')
    .option('--log-targets', 'train on log(1 + y) instead of y')
    .option('--baseline-input', "give the network the subject's pre-dose biomarker")
    .option('--json', 'one JSON document')
    .option('--quiet', 'no progress lines')
    .action(async (file: string, o: TrainCliOptions) => {
      process.exitCode = await runTrain(file, o);
    });
}
