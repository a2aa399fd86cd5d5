import { describe, expect, it } from 'vitest';
import { handCell, handPlan } from '../testing/compareFakes';
import {
  decodeSweep,
  deleteSweep,
  loadSweep,
  memorySweepStore,
  saveSweep,
  sweepStorageProblem,
  type SweepStore,
} from './compareStorage';
import { taskKey } from '../core/compare/cells';

const plan = handPlan();
const sweep = { plan, cells: [handCell(plan.tasks[0], 1.5), handCell(plan.tasks[1], 2.5)] };

describe('sweep storage', () => {
  it('saves and reads back the plan with its cells, and forgets them', async () => {
    const store = memorySweepStore();
    expect(await loadSweep(store)).toBeNull();
    await saveSweep(sweep, store);
    expect(await loadSweep(store)).toEqual(sweep);
    await saveSweep({ ...sweep, cells: [...sweep.cells, handCell(plan.tasks[2])] }, store);
    expect((await loadSweep(store))?.cells).toHaveLength(3);
    await deleteSweep(store);
    expect(await loadSweep(store)).toBeNull();
    expect(store.entries.size).toBe(0);
  });

  it('keeps the sweep in memory where IndexedDB is missing, and says it will not survive a reload', async () => {
    expect(typeof indexedDB).toBe('undefined');
    await saveSweep(sweep);
    expect(await loadSweep()).toEqual(sweep);
    expect(sweepStorageProblem()).toMatch(/does not offer IndexedDB/);
    await deleteSweep();
    expect(await loadSweep()).toBeNull();
  });

  it('rejects in plain words when the storage is full', async () => {
    const full: SweepStore = {
      ...memorySweepStore(),
      set: async () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
    };
    await expect(saveSweep(sweep, full)).rejects.toThrow(
      "the browser's storage is full while saving the comparison",
    );
  });
});

describe('decodeSweep', () => {
  const entry = (patch: Record<string, unknown> = {}) => ({
    version: 1,
    savedAt: '2026-01-01T00:00:00.000Z',
    plan,
    cells: sweep.cells,
    ...patch,
  });

  it('reads a saved entry', () => {
    expect(decodeSweep(entry())).toEqual(sweep);
  });

  it('ignores what is not a sweep of this version', () => {
    expect(decodeSweep(undefined)).toBeNull();
    expect(decodeSweep('sweep')).toBeNull();
    expect(decodeSweep(entry({ version: 0 }))).toBeNull();
    expect(decodeSweep(entry({ plan: { ...plan, profile: 'huge' } }))).toBeNull();
    expect(decodeSweep(entry({ plan: { ...plan, tasks: [{ seed: 1 }] } }))).toBeNull();
    expect(decodeSweep(entry({ cells: 'none' }))).toBeNull();
  });

  it('drops cells of tasks the plan lacks or that are not cells, and keeps a task’s last cell', () => {
    const stray = handCell({ candidateKey: 'zzz', seed: 1, fold: 0 });
    const again = handCell(plan.tasks[0], 9);
    const broken = { ...handCell(plan.tasks[2]), pkRows: -1 };
    const out = decodeSweep(entry({ cells: [...sweep.cells, stray, again, broken] }));
    expect(out?.cells.map(taskKey)).toEqual([taskKey(plan.tasks[0]), taskKey(plan.tasks[1])]);
    expect(out?.cells[0].pdRmse).toBe(9);
  });
});
