import type { StateCreator } from 'zustand';
import type { Dataset } from '../../core/data/types';
import { taskKey } from '../../core/compare/cells';
import type { ComparePlan } from '../../core/compare/types';
import { runCompareInWorker, type CompareEvent } from '../../workers/compareClient';
import {
  deleteSweep,
  loadSweep,
  saveSweep,
  sweepStorageProblem,
  type SavedSweep,
} from '../compareStorage';
import {
  buildComparePlan,
  compareDataLabel,
  compareResumeProblem,
  dealTasks,
  DEFAULT_COMPARE_SETTINGS,
  isCompareThreshold,
  pendingTasks,
  withCell,
  type CompareLive,
  type CompareSettings,
} from '../compareSweep';
import type { WorkbenchState } from '../store';

/**
 * The Compare panel's sweep: every candidate model on the same subject-level folds and seeds
 * (core/compare). The store holds the sweep as plain data — its plan and the cells done — and
 * saves it to IndexedDB after every cell, so a half-done sweep survives a reload and resumes
 * with the tasks that have no cell yet. The running worker is kept outside the store.
 *
 * The core's planning (core/compare/profiles) is loaded on demand: it reaches the neural
 * cross-validation and with it tfjs, which stays out of the page's own bundle. The plain-value
 * helpers (settings, plans, progress, dealing tasks to workers) are in state/compareSweep; those
 * that plan take the core's comparePlan as an argument, which the Compare panel, itself loaded
 * on demand, passes in.
 */

/** The core's planning module, loaded the first time a sweep is planned or resumed. */
const loadPlanning = () => import('../../core/compare/profiles');
/** The cells files of the command line (`compare --cells`), which the panel opens and saves. */
const loadCellsFile = () => import('../../core/compare/cellsFile');

/**
 * 'paused' is also where a sweep stands after a reload or a cancel with tasks left to do;
 * 'error' keeps the cells done before the failing task, and Resume tries that task again.
 */
export type CompareStatus = 'idle' | 'running' | 'paused' | 'done' | 'error';

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
  /**
   * Makes a cells file (`compare --cells` of the command line, or one saved here) the current
   * sweep, replacing any (confirm first): it must be of the loaded data. The sweep comes back
   * done, or paused with Resume running the tasks it lacks. Resolves to why the file was
   * refused, or null when it was opened.
   */
  openCompareCells: (text: string, name: string) => Promise<string | null>;
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

/** The slice with no sweep: at start, and after one is discarded. */
const NO_SWEEP = {
  compareSweep: null,
  compareStatus: 'idle',
  comparePausing: false,
  compareLive: [],
  compareWorkers: 0,
  compareTaskSeconds: {},
  compareMessage: null,
} as const satisfies Partial<CompareSlice>;

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
    ...NO_SWEEP,
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
      set(NO_SWEEP);
      await persist(null);
    },

    openCompareCells: async (text, name) => {
      const { dataset, source } = get();
      if (running || preparing) return 'Pause or cancel the running comparison first.';
      if (!dataset) return 'Load the data set the results are of first (or the demo trial).';
      let sweep: SavedSweep;
      preparing = true;
      try {
        const [{ comparePlan, DEFAULT_COMPARE_THRESHOLD }, files] = await Promise.all([
          loadPlanning(),
          loadCellsFile(),
        ]);
        const head = files.readCellsHeader(text, name);
        if (!head.ok) return head.message;
        const { profile, folds, seeds } = head.header;
        const threshold = head.header.threshold ?? DEFAULT_COMPARE_THRESHOLD;
        const dataLabel = compareDataLabel(source, dataset);
        // The panel's own plan for the file's profile and threshold, unless the file was run
        // with other folds or seeds (the command line's --folds, --seeds).
        let plan = buildComparePlan(comparePlan, dataset, dataLabel, {
          ...get().compareSettings,
          profile,
          threshold: threshold.value,
          direction: threshold.direction,
        });
        if (plan.folds !== folds || plan.seeds.length !== seeds.length) {
          plan = comparePlan(dataset, {
            profile,
            dataLabel,
            folds,
            seeds: seeds.length,
            threshold,
          });
        }
        const read = files.readCellsText(text, plan, name);
        if (!read.ok) {
          return head.header.dataFingerprint !== plan.dataFingerprint
            ? `${read.message} Load the data set it was run on, then open it again.`
            : read.message;
        }
        sweep = { plan, cells: read.cells };
      } catch (err) {
        return `${name} could not be opened: ${reason(err)}`;
      } finally {
        preparing = false;
      }
      if (running) return 'Pause or cancel the running comparison first.';
      const { plan } = sweep;
      set((s) => ({
        // The settings follow what is shown, so that a new comparison starts like it.
        compareSettings: {
          ...s.compareSettings,
          profile: plan.profile,
          threshold: plan.threshold.value,
          direction: plan.threshold.direction,
        },
        compareSweep: sweep,
        compareStatus: pendingTasks(sweep).length === 0 ? 'done' : 'paused',
        comparePausing: false,
        compareLive: [],
        compareWorkers: 0,
        compareTaskSeconds: {},
        compareMessage: null,
      }));
      await persist(sweep);
      return null;
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
