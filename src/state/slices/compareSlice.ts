import type { StateCreator } from 'zustand';
import type { Dataset } from '../../core/data/types';
import { secondsLeft, taskKey } from '../../core/compare/cells';
import type { comparePlan } from '../../core/compare/profiles';
import {
  COMPARE_PROFILES,
  type CompareCell,
  type ComparePlan,
  type CompareProfileName,
  type CompareProgress,
  type CompareTask,
} from '../../core/compare/types';
import { runCompareInWorker, type CompareEvent } from '../../workers/compareClient';
import {
  deleteSweep,
  loadSweep,
  saveSweep,
  sweepStorageProblem,
  type SavedSweep,
} from '../compareStorage';
import type { DataSource } from './dataSlice';
import type { WorkbenchState } from '../store';

/**
 * The Compare panel's sweep: every candidate model on the same subject-level folds and seeds
 * (core/compare). The store holds the sweep as plain data — its plan and the cells done — and
 * saves it to IndexedDB after every cell, so a half-done sweep survives a reload and resumes
 * with the tasks that have no cell yet. The running worker is kept outside the store.
 *
 * The core's planning (core/compare/profiles) is loaded on demand: it reaches the neural
 * cross-validation and with it tfjs, which stays out of the page's own bundle. The functions
 * here that plan take the core's comparePlan as an argument; the Compare panel, itself loaded
 * on demand, passes it in.
 */

/** The core's planning module, loaded the first time a sweep is planned or resumed. */
const loadPlanning = () => import('../../core/compare/profiles');

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

/**
 * 'paused' is also where a sweep stands after a reload or a cancel with tasks left to do;
 * 'error' keeps the cells done before the failing task, and Resume tries that task again.
 */
export type CompareStatus = 'idle' | 'running' | 'paused' | 'done' | 'error';

/** A task running now: its worker, where it is in the plan, and its last epoch reported. */
export interface CompareLive {
  /** The worker (0-based) that runs it. */
  readonly lane: number;
  readonly task: CompareTask;
  readonly epoch: number | null;
  readonly maxEpochs: number | null;
}

export interface CompareSlice {
  compareSettings: CompareSettings;
  /** The current sweep (running, paused, done or failed), or null before the first. */
  compareSweep: SavedSweep | null;
  compareStatus: CompareStatus;
  /** A pause was asked for: the running task ends after its current epoch. */
  comparePausing: boolean;
  /** The tasks running now, one per busy worker, by worker. */
  compareLive: readonly CompareLive[];
  /** Workers of the current run (0 when none runs). */
  compareWorkers: number;
  /**
   * Wall-clock seconds of each task done in this session, by taskKey (the estimate of the time
   * left reads these, and the cells' training seconds for tasks done before a reload).
   */
  compareTaskSeconds: Readonly<Record<string, number>>;
  /** What happened to the last run, in plain words. */
  compareMessage: string | null;
  /** Why the sweep will not survive a reload, when it will not. */
  compareStorageMessage: string | null;
  setCompareSettings: (patch: Partial<CompareSettings>) => void;
  /** Plans a new sweep on the loaded data and runs it (replacing any saved one: confirm first). */
  startCompare: () => Promise<void>;
  /** Runs the tasks of the current sweep that have no cell yet (on matching data only). */
  resumeCompare: () => Promise<void>;
  /** Ends the run after the current epoch; the running task is abandoned, the cells kept. */
  pauseCompare: () => void;
  /** Ends the run now; the running task is lost, the cells done are kept. */
  cancelCompare: () => void;
  /** Forgets the current sweep, here and in storage. */
  discardCompare: () => Promise<void>;
  /** Reads the saved sweep after a reload (it comes back paused, or done). */
  restoreCompare: () => Promise<void>;
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
function withCell(sweep: SavedSweep, cell: CompareCell): SavedSweep {
  const key = taskKey(cell);
  return { ...sweep, cells: [...sweep.cells.filter((c) => taskKey(c) !== key), cell] };
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isAbort(err: unknown): boolean {
  return (err instanceof Error || err instanceof DOMException) && err.name === 'AbortError';
}

function tasksWord(n: number): string {
  return `${n} task${n === 1 ? '' : 's'}`;
}

/** The running job: outside the store, which holds only serialisable data. */
let running: { abort: AbortController; pause: () => void } | null = null;

/** True while a start or resume loads the planning module (a second click waits for none). */
let preparing = false;

/** Saves run one after another, so an older sweep never overwrites a newer one. */
let saving: Promise<void> = Promise.resolve();

export const createCompareSlice: StateCreator<WorkbenchState, [], [], CompareSlice> = (
  set,
  get,
) => {
  const persist = (sweep: SavedSweep | null): Promise<void> => {
    saving = saving
      .then(() => (sweep ? saveSweep(sweep) : deleteSweep()))
      .then(
        () => {
          const problem = sweepStorageProblem();
          const message = problem
            ? `This comparison will not survive a reload (${problem}); export the table to keep it.`
            : null;
          if (get().compareStorageMessage !== message) set({ compareStorageMessage: message });
        },
        (err: unknown) =>
          set({
            compareStorageMessage: `This comparison could not be saved (${reason(err)}); export the table to keep it.`,
          }),
      );
    return saving;
  };

  /** The worker's running task replaced (or removed, with null), the others kept. */
  const setLive = (lane: number, live: CompareLive | null) =>
    set((s) => ({
      compareLive: [...s.compareLive.filter((l) => l.lane !== lane), ...(live ? [live] : [])].sort(
        (a, b) => a.lane - b.lane,
      ),
    }));

  const onEvent = (abort: AbortController, lane: number) => (e: CompareEvent) => {
    if (running?.abort !== abort) return;
    if (e.kind === 'task') {
      setLive(lane, { lane, task: e.task, epoch: null, maxEpochs: null });
    } else if (e.kind === 'epoch') {
      setLive(lane, { lane, task: e.task, epoch: e.epoch, maxEpochs: e.maxEpochs });
    } else {
      setLive(lane, null);
      const sweep = get().compareSweep;
      if (!sweep) return;
      const next = withCell(sweep, e.cell);
      set((s) => ({
        compareSweep: next,
        compareTaskSeconds: { ...s.compareTaskSeconds, [taskKey(e.cell)]: e.seconds },
      }));
      void persist(next);
    }
  };

  /** Runs the sweep's tasks without a cell on `dataset` (which the sweep was planned on). */
  const run = async (sweep: SavedSweep, dataset: Dataset): Promise<void> => {
    const tasks = pendingTasks(sweep);
    if (tasks.length === 0) {
      set({ compareStatus: 'done', compareLive: [], compareWorkers: 0, compareMessage: null });
      return;
    }
    const abort = new AbortController();
    // One worker per lane of tasks; a worker that fails stops the others (their running tasks
    // are dropped, every cell already posted is kept).
    const lanes = dealTasks(tasks, get().compareSettings.workers);
    const handles = lanes.map((laneTasks, lane) =>
      runCompareInWorker(
        { plan: sweep.plan, dataset, tasks: laneTasks },
        { signal: abort.signal, onEvent: onEvent(abort, lane) },
      ),
    );
    running = { abort, pause: () => handles.forEach((h) => h.pause()) };
    set({
      compareStatus: 'running',
      comparePausing: false,
      compareLive: [],
      compareWorkers: lanes.length,
      compareMessage: null,
    });
    try {
      await Promise.all(
        handles.map((h) =>
          h.result.catch((err: unknown) => {
            if (!isAbort(err)) abort.abort();
            throw err;
          }),
        ),
      );
      if (running?.abort !== abort) return;
      running = null;
      const now = get().compareSweep;
      const left = now ? pendingTasks(now).length : 0;
      set({
        compareStatus: left === 0 ? 'done' : 'paused',
        comparePausing: false,
        compareLive: [],
        compareWorkers: 0,
        compareMessage: null,
      });
    } catch (err) {
      if (running?.abort !== abort) return;
      running = null;
      set({
        compareStatus: isAbort(err) ? 'paused' : 'error',
        comparePausing: false,
        compareLive: [],
        compareWorkers: 0,
        compareMessage: isAbort(err) ? null : reason(err),
      });
    }
  };

  return {
    compareSettings: DEFAULT_COMPARE_SETTINGS,
    compareSweep: null,
    compareStatus: 'idle',
    comparePausing: false,
    compareLive: [],
    compareWorkers: 0,
    compareTaskSeconds: {},
    compareMessage: null,
    compareStorageMessage: null,

    setCompareSettings: (patch) =>
      set((s) => ({ compareSettings: { ...s.compareSettings, ...patch } })),

    startCompare: async () => {
      const { dataset, source, compareSettings } = get();
      if (running || preparing) return;
      if (!dataset) {
        set({ compareMessage: 'Load a data set first (or the demo trial).' });
        return;
      }
      if (!isCompareThreshold(compareSettings.threshold)) {
        set({ compareMessage: 'The outcome threshold must be a positive concentration.' });
        return;
      }
      let plan: ComparePlan;
      preparing = true;
      try {
        const { comparePlan } = await loadPlanning();
        plan = buildComparePlan(
          comparePlan,
          dataset,
          compareDataLabel(source, dataset),
          compareSettings,
        );
      } catch (err) {
        set({ compareMessage: `No comparison planned: ${reason(err)}` });
        return;
      } finally {
        preparing = false;
      }
      if (running) return;
      const sweep: SavedSweep = { plan, cells: [] };
      set({ compareSweep: sweep, compareTaskSeconds: {} });
      void persist(sweep);
      await run(sweep, dataset);
    },

    resumeCompare: async () => {
      const { dataset, compareSweep } = get();
      if (running || preparing || !compareSweep) return;
      let fingerprint: string | null;
      preparing = true;
      try {
        const { dataFingerprint } = await loadPlanning();
        fingerprint = dataset ? dataFingerprint(dataset) : null;
      } catch (err) {
        set({ compareMessage: `The comparison cannot resume: ${reason(err)}` });
        return;
      } finally {
        preparing = false;
      }
      if (running || get().compareSweep !== compareSweep) return;
      const problem = compareResumeProblem(compareSweep, dataset, fingerprint);
      if (problem || !dataset) {
        set({ compareMessage: problem });
        return;
      }
      await run(compareSweep, dataset);
    },

    pauseCompare: () => {
      if (!running || get().comparePausing) return;
      running.pause();
      set({ comparePausing: true });
    },

    cancelCompare: () => {
      if (!running) return;
      const { abort } = running;
      running = null;
      abort.abort();
      const sweep = get().compareSweep;
      const done = sweep?.cells.length ?? 0;
      set({
        compareStatus: 'paused',
        comparePausing: false,
        compareLive: [],
        compareWorkers: 0,
        compareMessage: `Cancelled: the running task was dropped; the ${tasksWord(done)} done ${done === 1 ? 'is' : 'are'} kept.`,
      });
    },

    discardCompare: async () => {
      if (running) {
        running.abort.abort();
        running = null;
      }
      set({
        compareSweep: null,
        compareStatus: 'idle',
        comparePausing: false,
        compareLive: [],
        compareWorkers: 0,
        compareTaskSeconds: {},
        compareMessage: null,
      });
      await persist(null);
    },

    restoreCompare: async () => {
      let sweep: SavedSweep | null;
      try {
        sweep = await loadSweep();
      } catch (err) {
        set({ compareStorageMessage: `The saved comparison could not be read (${reason(err)}).` });
        return;
      }
      // A sweep started while storage was read wins.
      if (!sweep || running || get().compareSweep) return;
      set({
        compareSweep: sweep,
        compareStatus: pendingTasks(sweep).length === 0 ? 'done' : 'paused',
        compareLive: [],
        compareWorkers: 0,
        compareMessage: null,
      });
    },
  };
};
