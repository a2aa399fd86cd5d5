import type { Command } from 'commander';
import { comparePlan, COMPARE_PROFILE_SETTINGS, inputsLabel } from '../core/compare/profiles';
import { runCompareTask } from '../core/compare/runTask';
import { readingOf, summariseCells } from '../core/compare/summarise';
import {
  COMPARE_PROFILES,
  type CompareCell,
  type ComparePlan,
  type CompareProfileName,
  type CompareRow,
  type CompareTask,
} from '../core/compare/types';
import { formatProblem } from '../core/data/problems';
import type { CliOutput } from './fit';
import { loadDatasetFile } from './loadData';
import { consoleOutput, wholeNumber } from './train';

export interface CompareCliOptions {
  readonly columns?: string;
  readonly profile?: string;
  /** Seeds (repeated splits) and subject-level folds; default the profile's. */
  readonly seeds?: string;
  readonly folds?: string;
  readonly json?: boolean;
  /** No progress lines on stderr. */
  readonly quiet?: boolean;
}

/** Runs one task: the core's runCompareTask, or a stand-in in tests. */
export type CompareTaskRunner = typeof runCompareTask;

/** "1 h 5 min", "3 min 20 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

/**
 * Seconds left: each remaining task costs its candidate's mean time so far, or, for a candidate
 * not yet run, the mean over all tasks done (the NLME fit and a network differ tenfold). Null
 * before the first task is done.
 */
export function secondsLeft(
  remaining: readonly CompareTask[],
  done: readonly { readonly candidateKey: string; readonly seconds: number }[],
): number | null {
  if (done.length === 0) return null;
  const byKey = new Map<string, { sum: number; n: number }>();
  let total = 0;
  for (const d of done) {
    const e = byKey.get(d.candidateKey) ?? { sum: 0, n: 0 };
    byKey.set(d.candidateKey, { sum: e.sum + d.seconds, n: e.n + 1 });
    total += d.seconds;
  }
  const overall = total / done.length;
  return remaining.reduce((a, t) => {
    const e = byKey.get(t.candidateKey);
    return a + (e ? e.sum / e.n : overall);
  }, 0);
}

/** A row of `compare --json`: the means as plain numbers, null when absent. */
export function compareJsonRow(r: CompareRow): Record<string, unknown> {
  return {
    key: r.key,
    framework: r.framework,
    encoder: r.encoder,
    head: r.head,
    inputs: r.inputs,
    label: r.label,
    group: r.group,
    qubits: r.qubits,
    qlayers: r.qlayers,
    parameters: r.parameters,
    quantumParameters: r.quantumParameters,
    pkRmse: r.pkRmse?.mean ?? null,
    pkRmseSd: r.pkRmse?.sd ?? null,
    pdRmse: r.pdRmse?.mean ?? null,
    pdRmseSd: r.pdRmse?.sd ?? null,
    trainSeconds: r.trainSeconds,
    predictMsPer1000: r.predictMsPer1000,
    outcomeAccuracy: r.outcomeAccuracy,
  };
}

/** The JSON document of `compare --json`. */
export function compareJson(
  plan: ComparePlan,
  rows: readonly CompareRow[],
  reading: readonly string[],
  seconds: number,
): Record<string, unknown> {
  return {
    profile: plan.profile,
    dataLabel: plan.dataLabel,
    dataFingerprint: plan.dataFingerprint,
    folds: plan.folds,
    seeds: plan.seeds,
    tasks: plan.tasks.length,
    threshold: { ...plan.threshold, unit: 'ng/mL' },
    units: { pk: 'mg/L', pd: 'ng/mL', trainSeconds: 's', predictMsPer1000: 'ms' },
    rows: rows.map(compareJsonRow),
    reading,
    seconds,
  };
}

const pm = (v: CompareRow['pkRmse']) => (v ? `${v.mean.toFixed(2)} ± ${v.sd.toFixed(2)}` : '—');

/** The readable report: the table, then the reading. */
export function formatCompare(
  plan: ComparePlan,
  rows: readonly CompareRow[],
  reading: readonly string[],
  seconds: number,
): string {
  const table = rows.map((r) => [
    r.label,
    r.inputs === 'covariates-doses' ? 'cov+doses' : '+ pre-dose PD',
    r.quantumParameters > 0 ? `${r.parameters} (${r.quantumParameters} q)` : String(r.parameters),
    pm(r.pkRmse),
    pm(r.pdRmse),
    r.trainSeconds.toFixed(1),
    r.predictMsPer1000.toFixed(1),
    r.outcomeAccuracy === null ? '—' : `${(100 * r.outcomeAccuracy).toFixed(0)}%`,
  ]);
  const head = [
    'candidate',
    'inputs',
    'parameters',
    'PK mg/L',
    'PD ng/mL',
    'train s',
    'ms/1000',
    'outcome',
  ];
  const widths = head.map((h, j) => Math.max(h.length, ...table.map((row) => row[j].length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  const threshold = `${plan.threshold.direction} ${plan.threshold.value} ng/mL`;
  return [
    `${plan.dataLabel}: ${plan.profile} comparison, ${plan.folds} subject-level folds × ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'}, ${plan.candidates.length} candidates, ${plan.tasks.length} tasks, ${formatDuration(seconds)}`,
    `RMSE on held-out subjects, mean ± SD over folds and seeds; train s and ms per 1,000 predictions are means per fold; outcome: held-out subjects whose biomarker ${threshold} over the last dosing interval (or not) is predicted correctly.`,
    '',
    line(head),
    ...table.map(line),
    '',
    ...reading.map((s) => `- ${s}`),
  ].join('\n');
}

/**
 * `compare <file>`: every candidate of a profile on the same subject-level folds and seeds.
 * Returns the exit code. `runTask` replaces the core's task runner (tests).
 */
export async function runCompare(
  file: string,
  opts: CompareCliOptions = {},
  output: CliOutput = consoleOutput,
  runTask: CompareTaskRunner = runCompareTask,
): Promise<number> {
  const fail = (message: string): number => {
    if (opts.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
    else output.err(message);
    return 1;
  };
  const profile = (opts.profile ?? 'quick') as CompareProfileName;
  if (!COMPARE_PROFILES.includes(profile)) {
    return fail(`--profile must be one of ${COMPARE_PROFILES.join(', ')}, got "${opts.profile}".`);
  }
  let seeds: number | undefined;
  let folds: number | undefined;
  try {
    seeds = wholeNumber('--seeds', opts.seeds, 1);
    folds = wholeNumber('--folds', opts.folds, 2);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const loaded = loadDatasetFile(file, opts.columns);
  if (!loaded.ok) {
    if (!opts.json) for (const p of loaded.problems ?? []) output.err(formatProblem(p));
    return fail(loaded.message);
  }
  const ds = loaded.dataset;
  let plan: ComparePlan;
  try {
    plan = comparePlan(ds, {
      profile,
      dataLabel: ds.name,
      ...(seeds !== undefined ? { seeds } : {}),
      ...(folds !== undefined ? { folds } : {}),
    });
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const progress = (text: string) => {
    if (!opts.quiet) output.err(text);
  };
  const s = COMPARE_PROFILE_SETTINGS[profile];
  progress(
    `${plan.profile} profile on ${plan.dataLabel}: ${plan.candidates.length} candidates × ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'} × ${plan.folds} folds = ${plan.tasks.length} tasks (networks: at most ${s.training.maxEpochs ?? 'the default'} epochs).`,
  );
  const labels = new Map(plan.candidates.map((c) => [c.key, c]));
  const cells: CompareCell[] = [];
  const timings: { candidateKey: string; seconds: number }[] = [];
  const started = performance.now();
  try {
    for (const [i, task] of plan.tasks.entries()) {
      const left = secondsLeft(plan.tasks.slice(i), timings);
      const c = labels.get(task.candidateKey);
      progress(
        `[${i + 1}/${plan.tasks.length}] ${c?.label ?? task.candidateKey} (${c ? inputsLabel(c.inputs) : ''}) — seed ${task.seed}, fold ${task.fold + 1} of ${plan.folds}${left === null ? '' : `; about ${formatDuration(left)} left`}`,
      );
      const t0 = performance.now();
      cells.push(await runTask(ds, plan, task));
      timings.push({ candidateKey: task.candidateKey, seconds: (performance.now() - t0) / 1000 });
    }
  } catch (err) {
    return fail(
      `The comparison failed at task ${cells.length + 1} of ${plan.tasks.length}: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  const rows = summariseCells(plan, cells);
  const reading = readingOf(rows, cells);
  progress(`Done: ${plan.tasks.length} tasks in ${formatDuration(seconds)}.`);
  output.out(
    opts.json
      ? JSON.stringify(compareJson(plan, rows, reading, seconds), null, 2)
      : formatCompare(plan, rows, reading, seconds),
  );
  return 0;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'Compare the mechanistic model and the neural and hybrid quantum networks on the same held-out subjects',
    )
    .argument('<file>', 'NONMEM-style CSV')
    .option('--columns <map>', 'column mapping ROLE=NAME,... (see summary)')
    .option(
      '--profile <name>',
      `quick (3 folds, 1 seed, short training: minutes) | full (5 folds × 3 seeds, every candidate, the qubits × layers heat map: hours); default quick`,
    )
    .option('--seeds <n>', "seeds (repeated splits; default the profile's)")
    .option('--folds <n>', "subject-level folds (default the profile's)")
    .option('--json', 'one JSON document')
    .option('--quiet', 'no progress lines')
    .action(async (file: string, o: CompareCliOptions) => {
      process.exitCode = await runCompare(file, o);
    });
}
