import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Command } from 'commander';
import { secondsLeft, taskKey } from '../core/compare/cells';
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
import type { Dataset } from '../core/data/types';
import type { CliOutput } from './fit';
import { openCellsFile, planIdentity, readCellsFile } from './compareCells';
import type { CompareWorkerData, CompareWorkerReply } from './compareWorker';
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
  /** Tasks at a time, each in its own worker thread (default 1: in this thread). */
  readonly jobs?: string;
  /** JSON-lines file of finished cells: resumed from when it exists, appended to as tasks end. */
  readonly cells?: string;
}

/** Runs one task: the core's runCompareTask, or a stand-in in tests. */
export type CompareTaskRunner = typeof runCompareTask;

/** Something that runs tasks one at a time: this thread, or a worker thread. */
export interface CompareRunner {
  run(task: CompareTask): Promise<CompareCell>;
  close(): Promise<void>;
}

/**
 * A worker thread that runs tasks (compareWorker.ts, loaded through tsx's loader): it builds the
 * same plan from the same file and options, and refuses other data.
 */
export function workerRunner(data: CompareWorkerData): CompareRunner {
  const worker = new Worker(new URL('./compareWorkerBoot.mjs', import.meta.url), {
    workerData: data,
  });
  const waiting = new Map<
    number,
    { resolve: (c: CompareCell) => void; reject: (e: Error) => void }
  >();
  let failure: Error | null = null;
  const failAll = (err: Error) => {
    failure ??= err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  const ready = new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  ready.catch(() => undefined);
  worker.on('message', (m: CompareWorkerReply | { ready: true }) => {
    if (!('id' in m)) return;
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if ('error' in m) w?.reject(new Error(m.error));
    else w?.resolve(m.cell as CompareCell);
  });
  worker.on('error', (err) => failAll(err instanceof Error ? err : new Error(String(err))));
  worker.on('exit', (code) => failAll(new Error(`The worker thread exited (code ${code}).`)));
  let nextId = 0;
  return {
    async run(task) {
      await ready;
      if (failure) throw failure;
      const id = nextId++;
      return new Promise<CompareCell>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, task });
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

/** A runner in this thread. */
function inThread(ds: Dataset, plan: ComparePlan, runTask: CompareTaskRunner): CompareRunner {
  return { run: (task) => runTask(ds, plan, task), close: async () => undefined };
}

/** "1 h 5 min", "3 min 20 s", "42 s". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
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
    ...planIdentity(plan),
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
  let jobs: number;
  try {
    seeds = wholeNumber('--seeds', opts.seeds, 1);
    folds = wholeNumber('--folds', opts.folds, 2);
    jobs = wholeNumber('--jobs', opts.jobs, 1) ?? 1;
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
  const cells: CompareCell[] = [];
  let append: ((cell: CompareCell) => void) | null = null;
  if (opts.cells) {
    const read = readCellsFile(opts.cells, plan);
    if (!read.ok) return fail(read.message);
    cells.push(...read.cells);
    try {
      append = openCellsFile(opts.cells, plan, read.cells);
    } catch (err) {
      return fail(
        `Cannot write ${opts.cells}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (read.cells.length > 0 || read.dropped > 0) {
      progress(
        `Resuming from ${opts.cells}: ${read.cells.length} of ${plan.tasks.length} tasks done${read.dropped ? ` (a cut-short last line dropped)` : ''}.`,
      );
    }
  }
  const s = COMPARE_PROFILE_SETTINGS[profile];
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  progress(
    `${plan.profile} profile on ${plan.dataLabel}: ${plan.candidates.length} candidates, ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'} × ${plan.folds} folds, ${plan.tasks.length} tasks (networks: at most ${s.training.maxEpochs ?? 'the default'} epochs)${jobs > 1 ? `, ${jobs} at a time in worker threads` : ''}.${jobs > cpus ? ` (This machine has ${cpus} cores: more jobs than cores only share them.)` : ''}`,
  );
  const labels = new Map(plan.candidates.map((c) => [c.key, c]));
  const done = new Set(cells.map(taskKey));
  const pending = plan.tasks.filter((t) => !done.has(taskKey(t)));
  const timings: { candidateKey: string; seconds: number }[] = [];
  const runners: CompareRunner[] =
    jobs > 1 && runTask === runCompareTask
      ? Array.from({ length: jobs }, () =>
          workerRunner({
            file,
            ...(opts.columns !== undefined ? { columns: opts.columns } : {}),
            profile,
            ...(seeds !== undefined ? { seeds } : {}),
            ...(folds !== undefined ? { folds } : {}),
            dataFingerprint: plan.dataFingerprint,
          }),
        )
      : Array.from({ length: jobs }, () => inThread(ds, plan, runTask));
  const started = performance.now();
  let next = 0;
  let failure: { task: CompareTask; message: string } | null = null;
  // Each runner takes the next pending task until none is left (or one has failed).
  const lane = async (runner: CompareRunner) => {
    while (next < pending.length && !failure) {
      const task = pending[next++];
      const left = secondsLeft(pending.slice(next - 1), timings);
      const c = labels.get(task.candidateKey);
      progress(
        `[${plan.tasks.length - pending.length + next}/${plan.tasks.length}] ${c?.label ?? task.candidateKey} (${c ? inputsLabel(c.inputs) : ''}) — seed ${task.seed}, fold ${task.fold + 1} of ${plan.folds}${left === null ? '' : `; about ${formatDuration(left / Math.min(jobs, pending.length - next + 1))} left`}`,
      );
      const t0 = performance.now();
      try {
        const cell = await runner.run(task);
        cells.push(cell);
        append?.(cell);
        timings.push({ candidateKey: task.candidateKey, seconds: (performance.now() - t0) / 1000 });
      } catch (err) {
        failure ??= { task, message: err instanceof Error ? err.message : String(err) };
      }
    }
  };
  try {
    await Promise.all(runners.map(lane));
  } finally {
    await Promise.all(runners.map((r) => r.close()));
  }
  if (failure) {
    const f: { task: CompareTask; message: string } = failure;
    return fail(
      `The comparison failed at ${labels.get(f.task.candidateKey)?.label ?? f.task.candidateKey}, seed ${f.task.seed}, fold ${f.task.fold + 1}: ${f.message}${opts.cells ? ` (${cells.length} finished tasks are kept in ${opts.cells}; run again to resume)` : ''}`,
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
    .option('--jobs <n>', 'tasks at a time, each in its own worker thread (default 1)')
    .option(
      '--cells <file>',
      'keep finished tasks in this JSON-lines file and resume from it when it exists',
    )
    .option('--json', 'one JSON document')
    .option('--quiet', 'no progress lines')
    .action(async (file: string, o: CompareCliOptions) => {
      process.exitCode = await runCompare(file, o);
    });
}
