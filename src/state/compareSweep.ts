import type { Dataset } from '../core/data/types';
import { secondsLeft, taskKey } from '../core/compare/cells';
import type { comparePlan } from '../core/compare/profiles';
import {
  COMPARE_PROFILES,
  type CompareCell,
  type ComparePlan,
  type CompareProfileName,
  type CompareProgress,
  type CompareTask,
} from '../core/compare/types';
import type { SavedSweep } from './compareStorage';
import type { DataSource } from './slices/dataSlice';

/**
 * The Compare panel's sweep as plain values, apart from the store: the settings a sweep is
 * planned with (and their checks after a reload), the plan of a new sweep, the tasks left and
 * the time they will take, and how they are dealt to parallel workers. The store's slice
 * (slices/compareSlice) runs the sweep with these.
 */

export type CompareThresholdDirection = 'below' | 'above';

/** What the panel plans a sweep with (kept across reloads in local storage). */
export interface CompareSettings {
  readonly profile: CompareProfileName;
  /** The biomarker threshold of the outcome accuracy, ng/mL, and which side is the target. */
  readonly threshold: number;
  readonly direction: CompareThresholdDirection;
  /** Tasks at a time, each in its own worker (one CPU core each). */
  readonly workers: number;
}

/** The most workers the panel offers (each holds its own copy of tfjs and the data). */
export const MAX_COMPARE_WORKERS = 8;

/**
 * Workers by default: one core left to the page and the rest of the machine, at most 4; 1
 * where the browser does not say how many cores it has.
 */
export function defaultCompareWorkers(
  cores: number | undefined = globalThis.navigator?.hardwareConcurrency,
): number {
  if (!(typeof cores === 'number' && Number.isFinite(cores))) return 1;
  return Math.max(1, Math.min(4, Math.floor(cores) - 1));
}

export function isCompareWorkers(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && v <= MAX_COMPARE_WORKERS;
}

/** The seed's target: biomarker below 3.3 ng/mL over the last dosing interval. */
export const DEFAULT_COMPARE_SETTINGS: CompareSettings = {
  profile: 'quick',
  threshold: 3.3,
  direction: 'below',
  workers: defaultCompareWorkers(),
};

/** Thresholds the panel accepts, ng/mL (a biomarker level; zero or less means nothing). */
export const COMPARE_THRESHOLD_LIMITS = { min: 0.001, max: 1e6 };

export function isCompareThreshold(v: number): boolean {
  return (
    Number.isFinite(v) && v >= COMPARE_THRESHOLD_LIMITS.min && v <= COMPARE_THRESHOLD_LIMITS.max
  );
}

/** Settings read back after a reload: anything unknown or out of range takes its default. */
export function restoreCompareSettings(value: unknown): CompareSettings {
  const d = DEFAULT_COMPARE_SETTINGS;
  if (typeof value !== 'object' || value === null) return d;
  const v = value as Partial<Record<keyof CompareSettings, unknown>>;
  return {
    profile: COMPARE_PROFILES.includes(v.profile as never)
      ? (v.profile as CompareProfileName)
      : d.profile,
    threshold:
      typeof v.threshold === 'number' && isCompareThreshold(v.threshold)
        ? v.threshold
        : d.threshold,
    direction: v.direction === 'above' ? 'above' : 'below',
    workers: typeof v.workers === 'number' && isCompareWorkers(v.workers) ? v.workers : d.workers,
  };
}

/** A task running now: its worker, where it is in the plan, and its last epoch reported. */
export interface CompareLive {
  /** The worker (0-based) that runs it. */
  readonly lane: number;
  readonly task: CompareTask;
  readonly epoch: number | null;
  readonly maxEpochs: number | null;
}

/**
 * Test hook, for the end-to-end test only: when local storage holds
 * `pkpd-compare-test-profile` = 'tiny', a new sweep is the quick profile cut to two folds and
 * the two cheapest candidates, so a browser test can run a whole sweep in a minute. No control
 * of the UI sets it; a person would have to write the key by hand in the developer tools.
 */
export const COMPARE_TEST_PROFILE_KEY = 'pkpd-compare-test-profile';

/** Candidates of the tiny test plan: the quick profile's direct-output networks with these encoders. */
const TINY_ENCODERS = ['mlp', 'resmlp_moe'] as const;
/** Epochs of the tiny test plan's candidates (enough to see progress and pause mid-task). */
const TINY_MAX_EPOCHS = 25;

function isTinyTestProfile(): boolean {
  try {
    return globalThis.localStorage?.getItem(COMPARE_TEST_PROFILE_KEY) === 'tiny';
  } catch {
    return false;
  }
}

/** The data's name as the user knows it. */
export function compareDataLabel(source: DataSource | null, dataset: Dataset): string {
  return source?.kind === 'demo' ? `Demo trial (seed ${source.seed})` : dataset.name;
}

/**
 * The plan of a new sweep on `dataset` with these settings (the tiny test plan when asked),
 * made by the core's `plan` (comparePlan).
 */
export function buildComparePlan(
  plan: typeof comparePlan,
  dataset: Dataset,
  dataLabel: string,
  settings: CompareSettings,
  tiny = isTinyTestProfile(),
): ComparePlan {
  const threshold = { value: settings.threshold, direction: settings.direction };
  if (!tiny) return plan(dataset, { profile: settings.profile, dataLabel, threshold });
  const quick = plan(dataset, { profile: 'quick', dataLabel, threshold, folds: 2 });
  const picked = TINY_ENCODERS.map((e) =>
    quick.candidates.find((c) => c.group === 'main' && c.head === 'direct' && c.encoder === e),
  ).filter((c) => c !== undefined);
  const keys = new Set(picked.map((c) => c.key));
  return {
    ...quick,
    candidates: picked.map((c) =>
      c.config ? { ...c, config: { ...c.config, maxEpochs: TINY_MAX_EPOCHS } } : c,
    ),
    tasks: quick.tasks.filter((t) => keys.has(t.candidateKey)),
  };
}

/** The plan's tasks without a cell, in the plan's order. */
export function pendingTasks(sweep: SavedSweep): CompareTask[] {
  const done = new Set(sweep.cells.map(taskKey));
  return sweep.plan.tasks.filter((t) => !done.has(taskKey(t)));
}

/** True for a sweep with some tasks done and some not (starting another would drop it). */
export function isHalfDone(sweep: SavedSweep | null): boolean {
  return sweep !== null && sweep.cells.length > 0 && pendingTasks(sweep).length > 0;
}

/**
 * Why the sweep cannot resume on the loaded data, in words, or null when it can: a plan is
 * bound to the data it was planned on (its folds are lists of that data's subjects).
 * `fingerprint` is the loaded data's (core/compare/profiles' dataFingerprint).
 */
export function compareResumeProblem(
  sweep: SavedSweep | null,
  dataset: Dataset | null,
  fingerprint: string | null,
): string | null {
  if (!sweep) return null;
  if (!dataset || fingerprint === null) {
    return `Load ${sweep.plan.dataLabel} to resume this comparison.`;
  }
  if (fingerprint === sweep.plan.dataFingerprint) return null;
  return `This comparison ran on ${sweep.plan.dataLabel}, and the data loaded now differ. Load that data again to resume, or start a new comparison on the data loaded now.`;
}

/**
 * Seconds left, from the seconds per task so far: a task still to do takes its candidate's
 * mean where the candidate has cells (candidates differ a hundredfold: a 12-qubit network
 * against a small MLP), else the mean of every task done. A task's seconds are its wall-clock
 * time when measured in this session, else its cell's training seconds. Null before any cell.
 */
export function estimateSecondsLeft(
  sweep: SavedSweep,
  measured: Readonly<Record<string, number>> = {},
): number | null {
  return secondsLeft(
    pendingTasks(sweep),
    sweep.cells.map((c) => ({
      candidateKey: c.candidateKey,
      seconds: measured[taskKey(c)] ?? c.trainSeconds,
    })),
  );
}

/** Where the sweep stands: tasks done of all, the running one, and the time left. */
export function compareProgressOf(
  sweep: SavedSweep,
  live: readonly CompareLive[],
  measured: Readonly<Record<string, number>> = {},
  workers = 1,
): CompareProgress {
  const left = estimateSecondsLeft(sweep, measured);
  const parallel = Math.max(1, Math.min(workers, pendingTasks(sweep).length));
  return {
    done: sweep.cells.length,
    total: sweep.plan.tasks.length,
    current: live[0]?.task ?? null,
    secondsLeft: left === null ? null : left / parallel,
  };
}

/**
 * The tasks of each of `workers` workers: dealt round-robin in the plan's order, so that every
 * worker gets a like share of cheap and costly candidates (the plan puts the costliest circuits
 * first). No more workers than tasks.
 */
export function dealTasks(tasks: readonly CompareTask[], workers: number): CompareTask[][] {
  const n = Math.max(1, Math.min(Math.floor(workers), tasks.length));
  const lanes: CompareTask[][] = Array.from({ length: n }, () => []);
  tasks.forEach((t, i) => lanes[i % n].push(t));
  return lanes;
}

/** The sweep with a cell added (replacing an earlier cell of the same task). */
export function withCell(sweep: SavedSweep, cell: CompareCell): SavedSweep {
  const key = taskKey(cell);
  return { ...sweep, cells: [...sweep.cells.filter((c) => taskKey(c) !== key), cell] };
}
