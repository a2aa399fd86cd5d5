import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CompareTask } from '../../core/compare/types';
import { comparePlan, dataFingerprint } from '../../core/compare/profiles';
import { handCell, handPlan } from '../../testing/compareFakes';
import { taskKey } from '../../core/compare/cells';
import { loadSweep, saveSweep, type SavedSweep } from '../compareStorage';
import { useWorkbench } from '../store';
import {
  buildComparePlan,
  compareProgressOf,
  compareResumeProblem,
  COMPARE_TEST_PROFILE_KEY,
  DEFAULT_COMPARE_SETTINGS,
  dealTasks,
  defaultCompareWorkers,
  estimateSecondsLeft,
  isHalfDone,
  pendingTasks,
  restoreCompareSettings,
} from '../compareSweep';

// Local storage as a browser has it (the store persists its settings there).
await vi.hoisted(async () => (await import('../../testing/memoryStorage')).installMemoryStorage());

// The tasks the stand-in runner was given, in order (the runner trains a few short "epochs";
// no Worker in Node, so the client runs it on this thread).
const calls = vi.hoisted(() => [] as CompareTask[]);
vi.mock('../../core/compare/runTask', async () => {
  const { fakeRunner } = await import('../../testing/compareFakes');
  return { runCompareTask: fakeRunner({ epochs: 4, epochMs: 3, calls }) };
});

const state = () => useWorkbench.getState();

/** A half-done sweep planned on the loaded data: the first fold done, the second not. */
function halfDone(fingerprint = dataFingerprint(state().dataset!)): SavedSweep {
  const plan = handPlan(fingerprint);
  return { plan, cells: plan.tasks.filter((t) => t.fold === 0).map((t) => handCell(t)) };
}

beforeAll(async () => {
  await state().loadDemo(7);
});

beforeEach(async () => {
  await state().discardCompare();
  calls.length = 0;
  localStorage.removeItem(COMPARE_TEST_PROFILE_KEY);
});

describe('compare settings and progress (pure)', () => {
  it('restores valid saved settings and replaces anything else by the default', () => {
    expect(
      restoreCompareSettings({ profile: 'full', threshold: 5, direction: 'above', workers: 3 }),
    ).toEqual({ profile: 'full', threshold: 5, direction: 'above', workers: 3 });
    for (const workers of [0, 2.5, 9, '2']) {
      expect(
        restoreCompareSettings({ profile: 'huge', threshold: -1, direction: 'up', workers }),
      ).toEqual(DEFAULT_COMPARE_SETTINGS);
    }
    // Node 20 has no navigator: one worker; a browser leaves a core free, at most 4 workers.
    expect(DEFAULT_COMPARE_SETTINGS.workers).toBe(defaultCompareWorkers());
    expect([1, 2, 3, 8, 64, undefined, NaN].map((c) => defaultCompareWorkers(c))).toEqual([
      1, 1, 2, 4, 4, 1, 1,
    ]);
    expect(restoreCompareSettings(null)).toEqual(DEFAULT_COMPARE_SETTINGS);
    expect(DEFAULT_COMPARE_SETTINGS).toMatchObject({ threshold: 3.3, direction: 'below' });
  });

  it('lists the tasks still to do and estimates the time left per candidate', () => {
    const sweep = halfDone('fp');
    expect(pendingTasks(sweep).map(taskKey)).toEqual(['a|1|1', 'b|1|1']);
    expect(isHalfDone(sweep)).toBe(true);
    expect(isHalfDone({ ...sweep, cells: [] })).toBe(false);
    expect(isHalfDone(null)).toBe(false);
    // Cells' training seconds (0.5 each) unless measured in this session: a took 10 s.
    expect(estimateSecondsLeft(sweep)).toBeCloseTo(1, 9);
    expect(estimateSecondsLeft(sweep, { 'a|1|0': 10 })).toBeCloseTo(10.5, 9);
    expect(estimateSecondsLeft({ ...sweep, cells: [] })).toBeNull();
    // A candidate without a cell yet takes the mean of all tasks done.
    const onlyA = { ...sweep, cells: [handCell(sweep.plan.tasks[0])] };
    expect(estimateSecondsLeft(onlyA, { 'a|1|0': 4 })).toBeCloseTo(12, 9);
    const live = [{ lane: 0, task: sweep.plan.tasks[2], epoch: 3, maxEpochs: 10 }];
    expect(compareProgressOf(sweep, live)).toEqual({
      done: 2,
      total: 4,
      current: sweep.plan.tasks[2],
      secondsLeft: 1,
    });
    // Two workers share the two tasks left; a third would have nothing to do.
    expect(compareProgressOf(sweep, live, {}, 2).secondsLeft).toBeCloseTo(0.5, 9);
    expect(compareProgressOf(sweep, live, {}, 3).secondsLeft).toBeCloseTo(0.5, 9);
  });

  it('deals the tasks round-robin to the workers, no more workers than tasks', () => {
    const tasks = handPlan('fp').tasks;
    expect(dealTasks(tasks, 2).map((l) => l.map(taskKey))).toEqual([
      ['a|1|0', 'a|1|1'],
      ['b|1|0', 'b|1|1'],
    ]);
    expect(dealTasks(tasks, 1)).toEqual([tasks]);
    expect(dealTasks(tasks, 9)).toHaveLength(4);
    expect(dealTasks(tasks.slice(0, 0), 3)).toEqual([[]]);
  });
});

describe('the compare slice', () => {
  it('resumes with the tasks that have no cell only, saving after every cell', async () => {
    const sweep = halfDone();
    useWorkbench.setState({ compareSweep: sweep, compareStatus: 'paused' });
    await state().resumeCompare();
    expect(calls.map(taskKey)).toEqual(['a|1|1', 'b|1|1']);
    expect(state().compareStatus).toBe('done');
    expect(state().compareSweep?.cells.map(taskKey).sort()).toEqual(
      sweep.plan.tasks.map(taskKey).sort(),
    );
    expect(Object.keys(state().compareTaskSeconds).sort()).toEqual(['a|1|1', 'b|1|1']);
    // Saved: a reload finds the finished sweep.
    expect((await loadSweep())?.cells).toHaveLength(4);
    // Nothing left: resuming again runs nothing.
    await state().resumeCompare();
    expect(calls).toHaveLength(2);
  });

  it('will not resume on other data, and says so', async () => {
    const sweep = halfDone('another data set');
    useWorkbench.setState({ compareSweep: sweep, compareStatus: 'paused' });
    await state().resumeCompare();
    expect(calls).toHaveLength(0);
    expect(state().compareStatus).toBe('paused');
    expect(state().compareMessage).toMatch(/ran on Hand data, and the data loaded now differ/);
    const ds = state().dataset;
    expect(compareResumeProblem(sweep, null, null)).toBe(
      'Load Hand data to resume this comparison.',
    );
    expect(compareResumeProblem(halfDone(), ds, dataFingerprint(ds!))).toBeNull();
    expect(compareResumeProblem(sweep, ds, dataFingerprint(ds!))).toMatch(/differ/);
    expect(compareResumeProblem(null, ds, 'x')).toBeNull();
  });

  it('a pause abandons the running task, keeps the cells, and the sweep survives a reload', async () => {
    const sweep = { ...halfDone(), cells: [] };
    useWorkbench.setState({ compareSweep: sweep, compareStatus: 'paused' });
    const unsubscribe = useWorkbench.subscribe((s, prev) => {
      // Pause as the second task starts.
      if (s.compareLive && s.compareLive !== prev.compareLive && calls.length === 2) {
        s.pauseCompare();
      }
    });
    await state().resumeCompare();
    unsubscribe();
    expect(state().compareStatus).toBe('paused');
    expect(state().comparePausing).toBe(false);
    expect(state().compareSweep?.cells.map(taskKey)).toEqual(['a|1|0']);

    // A reload: the store starts empty and reads the saved sweep back, paused.
    useWorkbench.setState({ compareSweep: null, compareStatus: 'idle' });
    await state().restoreCompare();
    expect(state().compareStatus).toBe('paused');
    expect(state().compareSweep?.plan).toEqual(sweep.plan);
    expect(state().compareSweep?.cells.map(taskKey)).toEqual(['a|1|0']);
    expect(compareProgressOf(state().compareSweep!, [])).toMatchObject({ done: 1, total: 4 });

    // Resume runs the three tasks left, the abandoned one among them.
    calls.length = 0;
    await state().resumeCompare();
    expect(calls.map(taskKey)).toEqual(['b|1|0', 'a|1|1', 'b|1|1']);
    expect(state().compareStatus).toBe('done');
  });

  it('cancel keeps the cells done and the sweep can resume; discard forgets it everywhere', async () => {
    useWorkbench.setState({ compareSweep: { ...halfDone(), cells: [] }, compareStatus: 'paused' });
    const unsubscribe = useWorkbench.subscribe((s) => {
      if (s.compareSweep?.cells.length === 1 && s.compareStatus === 'running') s.cancelCompare();
    });
    await state().resumeCompare();
    unsubscribe();
    expect(state().compareStatus).toBe('paused');
    expect(state().compareMessage).toMatch(/Cancelled.*the 1 task done is kept/);
    expect(state().compareSweep?.cells).toHaveLength(1);
    await state().discardCompare();
    expect(state().compareSweep).toBeNull();
    expect(state().compareStatus).toBe('idle');
    expect(await loadSweep()).toBeNull();
  });

  it('runs the tasks in parallel workers, each once, showing each worker’s task; pause stops them all', async () => {
    useWorkbench.setState({
      compareSweep: { ...halfDone(), cells: [] },
      compareStatus: 'paused',
      compareSettings: { ...DEFAULT_COMPARE_SETTINGS, workers: 2 },
    });
    let mostLive = 0;
    let workersSeen = 0;
    const unsubscribe = useWorkbench.subscribe((s) => {
      mostLive = Math.max(mostLive, s.compareLive.length);
      workersSeen = Math.max(workersSeen, s.compareWorkers);
    });
    await state().resumeCompare();
    unsubscribe();
    expect(state().compareStatus).toBe('done');
    expect(calls.map(taskKey).sort()).toEqual(['a|1|0', 'a|1|1', 'b|1|0', 'b|1|1']);
    expect(state().compareSweep?.cells).toHaveLength(4);
    expect(mostLive).toBe(2);
    expect(workersSeen).toBe(2);
    expect(state().compareLive).toEqual([]);
    expect(state().compareWorkers).toBe(0);

    // A pause as the first cell arrives ends both workers; their running tasks stay to do.
    calls.length = 0;
    useWorkbench.setState({ compareSweep: { ...halfDone(), cells: [] }, compareStatus: 'paused' });
    const stop = useWorkbench.subscribe((s) => {
      if (s.compareSweep?.cells.length === 1 && !s.comparePausing) s.pauseCompare();
    });
    await state().resumeCompare();
    stop();
    expect(state().compareStatus).toBe('paused');
    const done = state().compareSweep?.cells.length ?? 0;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(4);
    useWorkbench.setState({ compareSettings: DEFAULT_COMPARE_SETTINGS });
  });

  it('restores a finished sweep as done, and nothing when none was saved', async () => {
    const plan = handPlan('fp');
    // The default store (memory in Node) holds nothing after discard.
    await state().restoreCompare();
    expect(state().compareSweep).toBeNull();
    await saveSweep({ plan, cells: plan.tasks.map((t) => handCell(t)) });
    await state().restoreCompare();
    expect(state().compareStatus).toBe('done');
  });

  it('starts a new sweep on the loaded data; the tiny test plan is two cheap candidates × 2 folds', async () => {
    const ds = state().dataset!;
    const tiny = buildComparePlan(comparePlan, ds, 'Demo', DEFAULT_COMPARE_SETTINGS, true);
    expect(tiny.folds).toBe(2);
    expect(tiny.candidates.map((c) => c.encoder)).toEqual(['mlp', 'resmlp_moe']);
    expect(tiny.tasks.every((t) => tiny.candidates.some((c) => c.key === t.candidateKey))).toBe(
      true,
    );
    expect(tiny.tasks).toHaveLength(2 * 2 * tiny.seeds.length);
    expect(tiny.dataFingerprint).toBe(dataFingerprint(ds));
    expect(tiny.threshold).toEqual({ value: 3.3, direction: 'below' });

    localStorage.setItem(COMPARE_TEST_PROFILE_KEY, 'tiny');
    await state().startCompare();
    expect(calls.map(taskKey)).toEqual(tiny.tasks.map(taskKey));
    expect(state().compareStatus).toBe('done');
    expect(state().compareSweep?.plan.dataLabel).toBe('Demo trial (seed 7)');
  });
});

describe('opening a results file', () => {
  it("makes the file's cells the sweep, paused with the rest to run, and saves it", async () => {
    const { cellsFileText } = await import('../../core/compare/cellsFile');
    const ds = state().dataset!;
    const plan = comparePlan(ds, { profile: 'quick', dataLabel: 'anything' });
    const cells = plan.tasks.slice(0, 4).map((t) => handCell(t));
    expect(await state().openCompareCells(cellsFileText(plan, cells), 'run.cells.jsonl')).toBe(
      null,
    );
    expect(state().compareStatus).toBe('paused');
    expect(state().compareSweep?.cells).toEqual(cells);
    expect(state().compareSweep?.plan.tasks).toEqual(plan.tasks);
    expect((await loadSweep())?.cells).toEqual(cells);
    // Every task done: done.
    const all = plan.tasks.map((t) => handCell(t));
    expect(await state().openCompareCells(cellsFileText(plan, all), 'all.cells.jsonl')).toBe(null);
    expect(state().compareStatus).toBe('done');
  });

  it('refuses a file of other data or no cells file, and keeps the sweep it had', async () => {
    const { cellsFileText } = await import('../../core/compare/cellsFile');
    const saved = halfDone();
    await saveSweep(saved);
    await state().restoreCompare();
    const { demoDataset } = await import('../../testing/demo');
    const other = comparePlan(demoDataset(99).ds, { profile: 'quick', dataLabel: 'x' });
    const problem = await state().openCompareCells(
      cellsFileText(other, [handCell(other.tasks[0])]),
      'other.cells.jsonl',
    );
    expect(problem).toMatch(/other data.*Load the data set it was run on/);
    expect(await state().openCompareCells('ID,TIME,DV\n', 'data.csv')).toMatch(
      /data\.csv is not a cells file of compare/,
    );
    expect(state().compareSweep).toEqual(saved);
  });
});
