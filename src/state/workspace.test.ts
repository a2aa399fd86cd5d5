import { describe, expect, it, vi } from 'vitest';
import type { NeuralModelRecord } from '../core/neural/modelFile';
import { fakeNeuralRecord } from '../testing/fakeNeural';
import { buildFitSpec } from '../core/nlme/models';
import { generateDemoTrial } from '../core/trial/demoTrial';
import { handCell, handPlan } from '../testing/compareFakes';
import { fakeFitResult } from '../testing/fakeFit';
import { loadSweep, memorySweepStore, saveSweep } from './compareStorage';
import { fitMeta } from './fitFile';
import { listSavedFits, loadFitResult, saveFit } from './fitStorage';
import { getNeuralModel, memoryModelStore, saveNeuralModel } from './neuralStorage';
import { PERSIST_MAX_CHARS } from './slices/dataSlice';
import { restoreData, useWorkbench } from './store';
import {
  exportWorkspace,
  importWorkspace,
  parseWorkspace,
  WORKSPACE_FORMAT,
  WorkspaceFileError,
  workspaceFileName,
  type WorkspaceFile,
} from './workspace';

// Local storage as a browser has it: the store persists its settings there.
const memoryStorage = await vi.hoisted(async () =>
  (await import('../testing/memoryStorage')).installMemoryStorage(),
);

const state = () => useWorkbench.getState();
const SETTINGS_KEY = 'pkpd-workbench';

/** IndexedDB's part of a workspace, in memory (Node has no IndexedDB). */
function memoryStores() {
  return { fits: memoryModelStore(), models: memoryModelStore(), sweep: memorySweepStore() };
}
type Stores = ReturnType<typeof memoryStores>;

/** What a reload does to the store: a fresh state, the settings from local storage, the data. */
async function reload(): Promise<void> {
  // Setting the state persists it: the page's fresh state must not overwrite what was stored.
  const stored = memoryStorage.getItem(SETTINGS_KEY);
  useWorkbench.setState(useWorkbench.getInitialState(), true);
  if (stored === null) memoryStorage.removeItem(SETTINGS_KEY);
  else memoryStorage.setItem(SETTINGS_KEY, stored);
  await useWorkbench.persist.rehydrate();
  await restoreData();
}

/** Everything cleared: local storage, the stores, the page. */
async function clearEverything(stores: Stores): Promise<void> {
  memoryStorage.clear();
  stores.fits.entries.clear();
  stores.models.entries.clear();
  stores.sweep.entries.clear();
  await reload();
}

/** A trained model's record; the weights hold values a lossy encoding would change. */
function neuralRecord(id: string, createdAt: string): NeuralModelRecord {
  const base = fakeNeuralRecord(id, createdAt, {}, 'trial.csv');
  const names = base.scaler.featureNames;
  return {
    ...base,
    scaler: {
      ...base.scaler,
      features: names.map((_, i) => ({ mean: i / 3, sd: 1 + i / 7 })),
      logTargets: true,
    },
    weights: [
      {
        name: 'pk/head/w',
        shape: [3, 2],
        values: Float32Array.from([0.1, -1 / 3, 1e-40, -0, 3.4e38, Math.PI]),
      },
    ],
  };
}

/**
 * A workspace with something in every part: a data file with a column mapping, changed
 * settings, two fits (one open and predicting in the Regimen explorer), two neural models and
 * a half-done comparison.
 */
async function buildWorkspace(stores: Stores, csv = generateDemoTrial(7).csv): Promise<void> {
  await state().loadText('trial.csv', csv, { DV: 'DV' });
  expect(state().status).toBe('ready');
  const dataset = state().dataset!;
  const pk = fakeFitResult(buildFitSpec('pk1-oral', dataset), dataset);
  const pkpd = { ...fakeFitResult(buildFitSpec('pk1-oral-idr1', dataset), dataset), ofv: -99.25 };
  const fits = [fitMeta(pk, 'fit-a', 'PK only'), fitMeta(pkpd, 'fit-b', 'PK and PD')];
  await saveFit(fits[0], pk, stores.fits);
  await saveFit(fits[1], pkpd, stores.fits);
  await saveNeuralModel(neuralRecord('neural-1', '2025-05-02T10:00:00.000Z'), stores.models);
  await saveNeuralModel(neuralRecord('neural-2', '2025-05-03T10:00:00.000Z'), stores.models);
  const plan = handPlan();
  await saveSweep({ plan, cells: [handCell(plan.tasks[0], 1.5)] }, stores.sweep);
  state().setRegimen({ dose: 7.5, interval: 168 });
  state().setDosingSettings({ size: 2500, seed: 11 });
  useWorkbench.setState({ currentFitId: 'fit-b', regimenModelId: 'fit-a' });
}

/** The file's text as a download would have it, and the document without its date. */
const text = (file: WorkspaceFile) => JSON.stringify(file);
const undated = (file: WorkspaceFile) => text({ ...file, exportedAt: '' });

describe('the workspace file', () => {
  it('round-trips exactly: export, clear everything, import, export again', async () => {
    const stores = memoryStores();
    await buildWorkspace(stores);
    const first = await exportWorkspace(stores);
    expect(first).toMatchObject({ format: WORKSPACE_FORMAT, version: 1, appVersion: '0.1.0' });
    expect(first.data?.name).toBe('trial.csv');
    expect(first.settings).toMatchObject({ source: { kind: 'file', name: 'trial.csv' } });
    expect(first.settings.fileText).toBeUndefined();
    expect(first.fits.map((f) => f.id)).toEqual(['fit-a', 'fit-b']);
    expect(first.neuralModels.map((m) => m.id)).toEqual(['neural-2', 'neural-1']);
    expect(first.comparison).not.toBeNull();

    await clearEverything(stores);
    const empty = await exportWorkspace(stores);
    expect(empty).toMatchObject({ data: null, fits: [], neuralModels: [], comparison: null });
    expect(state().source).toMatchObject({ kind: 'demo' });

    let reloads = 0;
    await importWorkspace(text(first), {
      stores,
      reload: async () => {
        reloads++;
        await reload();
      },
    });
    expect(reloads).toBe(1);
    const second = await exportWorkspace(stores);
    expect(undated(second)).toBe(undated(first));

    // The same answers: the data set, the open models, the fits' numbers and the weights' bits.
    expect(state()).toMatchObject({
      source: { kind: 'file', name: 'trial.csv' },
      mapping: { DV: 'DV' },
      currentFitId: 'fit-b',
      regimenModelId: 'fit-a',
      regimen: { dose: 7.5, interval: 168 },
      dosingSettings: { size: 2500, seed: 11 },
    });
    expect(state().summary?.subjects).toBe(48);
    expect((await listSavedFits(stores.fits)).map((f) => [f.id, f.label, f.ofv])).toEqual([
      ['fit-a', 'PK only', -1234.5],
      ['fit-b', 'PK and PD', -99.25],
    ]);
    const result = await loadFitResult('fit-a', stores.fits);
    expect(result?.subjects[0].observations[1].cwres).toBeNaN();
    const model = await getNeuralModel('neural-1', stores.models);
    expect(model?.weights[0].values).toEqual(neuralRecord('x', '').weights[0].values);
    expect(Object.is(model?.weights[0].values[3], -0)).toBe(true);
    expect((await loadSweep(stores.sweep))?.cells).toHaveLength(1);
  });

  it('carries a data file too large for local storage through the reload', async () => {
    const stores = memoryStores();
    const csv = generateDemoTrial(7).csv;
    // Comment-free padding the importer ignores: an extra column of long notes.
    const [header, ...rows] = csv.trimEnd().split('\n');
    const note = 'x'.repeat(Math.ceil((PERSIST_MAX_CHARS * 1.1) / rows.length));
    const big = [`${header},NOTE`, ...rows.map((r) => `${r},${note}`)].join('\n');
    expect(big.length).toBeGreaterThan(PERSIST_MAX_CHARS);
    await buildWorkspace(stores, big);
    const first = await exportWorkspace(stores);
    expect(first.data?.text === big).toBe(true);

    await clearEverything(stores);
    await importWorkspace(text(first), { stores, reload });
    // Local storage keeps no text this large; the reload took it from the hand-over.
    const persisted = JSON.parse(memoryStorage.getItem(SETTINGS_KEY) ?? '{}').state;
    expect(persisted.fileText).toBeNull();
    expect(state().fileText?.length).toBe(big.length);
    expect(undated(await exportWorkspace(stores))).toBe(undated(first));
  });

  it('names the file after the day', () => {
    expect(workspaceFileName(new Date(2026, 0, 5, 23, 30))).toBe('pkpd-workspace-2026-01-05.json');
  });
});

describe('a workspace file that is wrong is refused, saying why, and nothing changes', () => {
  /** Builds a workspace, exports it, and returns it with what the stores and settings hold. */
  async function current() {
    const stores = memoryStores();
    await buildWorkspace(stores);
    const file = await exportWorkspace(stores);
    const snapshot = async () => ({
      settings: memoryStorage.getItem(SETTINGS_KEY),
      fits: structuredClone(stores.fits.entries),
      models: structuredClone(stores.models.entries),
      sweep: structuredClone(stores.sweep.entries),
    });
    return { stores, file, snapshot, before: await snapshot() };
  }

  /** Imports `bad` over the current workspace; returns the problems, checking nothing changed. */
  async function refusal(bad: (file: WorkspaceFile) => string): Promise<string[]> {
    const { stores, file, snapshot, before } = await current();
    const reload = vi.fn();
    let error: unknown;
    try {
      await importWorkspace(bad(file), { stores, reload });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkspaceFileError);
    expect((error as Error).message).toMatch(/not imported .*nothing was changed/);
    expect(reload).not.toHaveBeenCalled();
    expect(await snapshot()).toEqual(before);
    expect(before.fits.size).toBe(4);
    return [...(error as WorkspaceFileError).problems];
  }

  it('a damaged (cut short) file', async () => {
    const problems = await refusal((f) => text(f).slice(0, 5000));
    expect(problems).toEqual([expect.stringMatching(/not a JSON file, or it is damaged/)]);
  });

  it('a file of another format (a single fit)', async () => {
    const problems = await refusal((f) => JSON.stringify({ ...f.fits[0] }));
    expect(problems).toEqual([
      expect.stringContaining(
        'format: expected "pkpd-workbench-workspace" (a workspace exported from the workbench), got "pkpd-workbench-fit"',
      ),
    ]);
  });

  it('a file from a newer workbench', async () => {
    const problems = await refusal((f) => text({ ...f, version: 2 }));
    expect(problems).toEqual([
      'This workspace was saved by a newer version of the workbench (file version 2, this one reads up to 1).',
    ]);
  });

  it('a fit that does not decode, named by its place and id', async () => {
    const problems = await refusal((f) => {
      const fits = f.fits.map((fit, i) =>
        i === 1 ? { ...fit, result: { ...(fit.result as object), ofv: 'low' } } : fit,
      );
      return text({ ...f, fits });
    });
    expect(problems).toEqual([
      'fits[1] (fit "fit-b"): result.ofv: expected a finite number, got "low"',
    ]);
  });

  it('a neural model with damaged weights, two fits with one id, a sweep that is not one', async () => {
    const problems = await refusal((f) => {
      const [m0, m1] = f.neuralModels;
      const weights = m1.weights as { values: string }[];
      const damaged = { ...m1, weights: [{ ...weights[0], values: '@@@' }] };
      return text({
        ...f,
        fits: [f.fits[0], f.fits[0]],
        neuralModels: [m0, damaged],
        comparison: { version: 1, plan: 'none', cells: [] },
      });
    });
    expect(problems).toEqual([
      'fits[1].id: expected an id no other fit has, got "fit-a"',
      expect.stringMatching(/^neuralModels\[1\]: .*not valid base64/),
      expect.stringMatching(/^comparison: expected a comparison sweep/),
    ]);
  });

  it('a data file that no longer loads, with the line and column', async () => {
    const problems = await refusal((f) =>
      text({ ...f, data: { name: 'trial.csv', text: 'ID,TIME,DV\n1,abc,3\n' } }),
    );
    expect(problems[0]).toMatch(/^data \("trial.csv"\): line \d+/);
  });

  it('a data file that is not the data source the settings name', async () => {
    const problems = await refusal((f) =>
      text({ ...f, data: { name: 'other.csv', text: f.data!.text } }),
    );
    expect(problems).toEqual([expect.stringMatching(/^data: the file "other.csv" is not/)]);
  });

  it('a browser that refuses to store it part-way: the previous workspace is put back', async () => {
    const { stores, file } = await current();
    const before = undated(await exportWorkspace(stores));
    const settings = memoryStorage.getItem(SETTINGS_KEY);
    // The next write of a model's weights fails as on a full disk (once: putting back works).
    const set = stores.models.set;
    let armed = true;
    stores.models.set = async (key, value) => {
      if (armed && key.startsWith('weights:')) {
        armed = false;
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return set(key, value);
    };
    const other = { ...file, fits: file.fits.slice(0, 1), comparison: null };
    const reload = vi.fn();
    await expect(importWorkspace(text(other), { stores, reload })).rejects.toThrow(
      /could not be stored \(the browser's storage is full while saving the model.*\); the previous workspace was put back/,
    );
    expect(armed).toBe(false);
    expect(reload).not.toHaveBeenCalled();
    expect(memoryStorage.getItem(SETTINGS_KEY)).toBe(settings);
    expect(undated(await exportWorkspace(stores))).toBe(before);
  });

  it('parses its own export without problems', async () => {
    const { file } = await current();
    expect(() => parseWorkspace(text(file))).not.toThrow();
  });
});
