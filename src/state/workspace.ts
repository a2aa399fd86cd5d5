import { version as APP_VERSION } from '../../package.json';
import type { FitResult } from '../core/nlme/types';
import type { NeuralModelRecord } from '../core/neural/modelFile';
import { encodeNeuralModel } from '../core/neural/modelFile';
import {
  decodeSweep,
  deleteSweep,
  loadSweep,
  saveSweep,
  SWEEP_VERSION,
  type SavedSweep,
  type SweepStore,
} from './compareStorage';
import type { ColumnMapping } from '../core/data/types';
import { formatProblem } from '../core/data/problems';
import { importInWorker } from '../workers/importClient';
import { Decoder, MAX_PROBLEMS } from './decode';
import { fitFileText, fitMeta, parseFitFile, type SavedFitMeta } from './fitFile';
import { clearSavedFits, listSavedFits, loadFitResult, saveFit } from './fitStorage';
import { handOverData } from './importedData';
import { isNeuralModelId } from './neuralModels';
import {
  clearNeuralModels,
  getNeuralModel,
  listNeuralModels,
  readModelFile,
  saveNeuralModel,
  type ModelStore,
} from './neuralStorage';
import { PERSIST_MAX_CHARS } from './slices/dataSlice';
import { DEMO_TRUTH_ID } from './slices/savedFitsSlice';
import { useWorkbench, type WorkbenchState } from './store';

/**
 * A whole workspace as one file: the persisted settings (regimen, population, dosing scenario,
 * fit, neural, circuit and comparison settings, which models are open), the loaded data file
 * with its column mapping, every saved fit with its result, every trained neural model with
 * its weights and the comparison sweep. Importing one replaces the workspace: the file is
 * checked completely first and nothing changes when any part of it is wrong.
 *
 * What is computed from these (the Dosing panel's answers, the Regimen explorer's curves) is
 * not in the file: it is recomputed from the same settings and models and so comes out the
 * same.
 */

export const WORKSPACE_FORMAT = 'pkpd-workbench-workspace';
export const WORKSPACE_VERSION = 1;
/** Larger files are refused before parsing (a browser's strings stop near 500 MB). */
export const MAX_WORKSPACE_CHARS = 400_000_000;

/** The file as written: plain JSON values only, so parsing it back gives an equal object. */
export interface WorkspaceFile {
  readonly format: typeof WORKSPACE_FORMAT;
  readonly version: number;
  /** When it was exported (ISO 8601). */
  readonly exportedAt: string;
  /** The workbench that wrote it (package.json's version). */
  readonly appVersion: string;
  /** The version of the settings' shape (the store's persist version). */
  readonly settingsVersion: number;
  /** What local storage keeps across a reload, without the data file's text. */
  readonly settings: Record<string, unknown>;
  /** The loaded data file (the demo trial is named by its seed in the settings instead). */
  readonly data: { readonly name: string; readonly text: string } | null;
  /** Each saved fit as its own fit file (fitFile.ts) with the id it is kept under. */
  readonly fits: readonly Record<string, unknown>[];
  /** Each trained model as its own model file (modelFile.ts: weights as base64 float32). */
  readonly neuralModels: readonly Record<string, unknown>[];
  /** The comparison sweep as compareStorage keeps it, or null. */
  readonly comparison: Record<string, unknown> | null;
}

/** Where the workspace's parts are kept; each defaults to the browser's IndexedDB. */
export interface WorkspaceStores {
  readonly fits?: ModelStore;
  readonly models?: ModelStore;
  readonly sweep?: SweepStore;
}

/** A file that cannot be imported: what is wrong, each problem naming where. */
export class WorkspaceFileError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[],
  ) {
    super(message);
    this.name = 'WorkspaceFileError';
  }
}

/** A workspace's parts as the browser keeps them. */
export interface WorkspaceContents {
  readonly settingsVersion: number;
  readonly settings: Record<string, unknown>;
  readonly data: { readonly name: string; readonly text: string } | null;
  readonly fits: readonly { readonly meta: SavedFitMeta; readonly result: FitResult }[];
  readonly models: readonly NeuralModelRecord[];
  readonly sweep: SavedSweep | null;
}

// The store's own persistence options, taken once: what a reload restores is exactly what
// partialize keeps, and the import writes it where the store reads it.
const persistOptions = useWorkbench.persist.getOptions();
const SETTINGS_KEY = persistOptions.name ?? 'pkpd-workbench';
const SETTINGS_VERSION = persistOptions.version ?? 0;
const partialize = persistOptions.partialize as (s: WorkbenchState) => Record<string, unknown>;

/**
 * A deep copy as JSON has it (NaN and ±Infinity become null, as in every file the app writes),
 * each object's keys in alphabetical order: the decoders an import runs may rebuild objects in
 * another order, and the same workspace should always give the same file, byte for byte.
 */
function asJson<T>(value: T): T {
  const sorted = (_key: string, v: unknown): unknown =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v;
  return JSON.parse(JSON.stringify(value, sorted)) as T;
}

/** Newest first, ties by id, so the same workspace always gives the same file. */
function newestFirst<T>(items: T[], date: (t: T) => string, id: (t: T) => string): T[] {
  return items.sort((a, b) =>
    date(a) !== date(b) ? (date(a) < date(b) ? 1 : -1) : id(a) < id(b) ? -1 : 1,
  );
}

async function readContents(stores: WorkspaceStores): Promise<WorkspaceContents> {
  const state = useWorkbench.getState();
  const settings = { ...partialize(state) };
  // The file's text travels once, in `data`, whatever its size.
  delete settings.fileText;
  const data =
    state.source?.kind === 'file' && state.fileText !== null
      ? { name: state.source.name, text: state.fileText }
      : null;
  const fits: { meta: SavedFitMeta; result: FitResult }[] = [];
  for (const meta of await listSavedFits(stores.fits)) {
    const result = await loadFitResult(meta.id, stores.fits);
    // A description without its result cannot be opened in the app either; it is left out.
    if (result) fits.push({ meta, result });
  }
  const models: NeuralModelRecord[] = [];
  for (const meta of await listNeuralModels(stores.models)) {
    const record = await getNeuralModel(meta.id, stores.models);
    if (record) models.push(record);
  }
  return {
    settingsVersion: SETTINGS_VERSION,
    settings,
    data,
    fits: newestFirst(
      fits,
      (f) => f.meta.date,
      (f) => f.meta.id,
    ),
    models: newestFirst(
      models,
      (m) => m.createdAt,
      (m) => m.id,
    ),
    sweep: await loadSweep(stores.sweep),
  };
}

/** The current workspace as a file (see WorkspaceFile). */
export async function exportWorkspace(stores: WorkspaceStores = {}): Promise<WorkspaceFile> {
  const c = await readContents(stores);
  return {
    format: WORKSPACE_FORMAT,
    version: WORKSPACE_VERSION,
    exportedAt: new Date().toISOString(),
    appVersion: APP_VERSION,
    settingsVersion: c.settingsVersion,
    settings: asJson(c.settings),
    data: c.data,
    fits: c.fits.map(({ meta, result }) =>
      asJson({
        id: meta.id,
        ...(JSON.parse(fitFileText(meta, result)) as Record<string, unknown>),
      }),
    ),
    neuralModels: c.models.map((m) =>
      asJson(JSON.parse(encodeNeuralModel(m)) as Record<string, unknown>),
    ),
    comparison: c.sweep ? asJson({ version: SWEEP_VERSION, ...c.sweep }) : null,
  };
}

/** The file name for a workspace exported on `date` (local calendar day). */
export function workspaceFileName(date: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `pkpd-workspace-${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}.json`;
}

/** True when there is something an import would replace: a data file, fits, models, a sweep. */
export function hasWorkspaceContent(
  s: Pick<WorkbenchState, 'source' | 'savedFits' | 'neuralModels' | 'compareSweep'>,
): boolean {
  return (
    s.source?.kind === 'file' ||
    s.savedFits.length > 0 ||
    s.neuralModels.length > 0 ||
    s.compareSweep !== null
  );
}

// ---- reading a file (a file from anywhere: check everything before anything changes) ------

function refuse(problems: string[]): never {
  throw new WorkspaceFileError(
    `This workspace file was not imported (${problems.length === 1 ? 'one problem' : `${problems.length} problems`}); nothing was changed.`,
    problems,
  );
}

function decodeSettings(d: Decoder, v: unknown): Record<string, unknown> {
  const settings = d.object(v, 'settings');
  const source = settings.source;
  if (source !== undefined && source !== null) {
    const o = d.object(source, 'settings.source');
    const kind = d.oneOf(o.kind, 'settings.source.kind', ['demo', 'file'] as const);
    if (kind === 'demo') d.number(o.seed, 'settings.source.seed', true);
    else d.string(o.name, 'settings.source.name');
  }
  if (settings.mapping !== undefined) d.object(settings.mapping, 'settings.mapping');
  return settings;
}

function decodeData(d: Decoder, v: unknown): WorkspaceContents['data'] {
  if (v === null || v === undefined) return null;
  const o = d.object(v, 'data');
  return { name: d.string(o.name, 'data.name'), text: d.string(o.text, 'data.text') };
}

function decodeFits(d: Decoder, v: unknown): WorkspaceContents['fits'] {
  const fits: { meta: SavedFitMeta; result: FitResult }[] = [];
  const ids = new Set<string>();
  d.array(v, 'fits', (entry, path) => {
    const o = d.object(entry, path);
    const id = d.string(o.id, `${path}.id`);
    if (id === '' || id === DEMO_TRUTH_ID || isNeuralModelId(id)) {
      d.fail(`${path}.id`, 'the id of a saved fit', id);
    } else if (ids.has(id)) d.fail(`${path}.id`, 'an id no other fit has', id);
    ids.add(id);
    const { id: _id, ...file } = o;
    void _id;
    const parsed = parseFitFile(JSON.stringify(file));
    if (!parsed.ok) {
      for (const problem of parsed.problems)
        d.note(`${path} (fit ${JSON.stringify(id)}): ${problem}`);
      return null;
    }
    fits.push({
      meta: fitMeta(parsed.result, id, parsed.label, parsed.domain),
      result: parsed.result,
    });
    return null;
  });
  return fits;
}

function decodeModels(d: Decoder, v: unknown): NeuralModelRecord[] {
  const models: NeuralModelRecord[] = [];
  d.array(v, 'neuralModels', (entry, path) => {
    try {
      const record = readModelFile(JSON.stringify(entry));
      if (models.some((m) => m.id === record.id)) {
        d.fail(`${path}.id`, 'an id no other model has', record.id);
      } else models.push(record);
    } catch (err) {
      d.note(`${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
    return null;
  });
  return models;
}

function decodeComparison(d: Decoder, v: unknown): SavedSweep | null {
  if (v === null || v === undefined) return null;
  const sweep = decodeSweep(v);
  if (!sweep) {
    d.note(
      `comparison: expected a comparison sweep (version ${SWEEP_VERSION}, a plan and its cells) this workbench can read`,
    );
  }
  return sweep;
}

/** Checks a parsed file; throws WorkspaceFileError naming every problem found. */
function decodeWorkspace(json: unknown): WorkspaceContents {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    refuse([
      `This is not a workspace file: expected a JSON object with "format": "${WORKSPACE_FORMAT}".`,
    ]);
  }
  const top = json as Record<string, unknown>;
  if (top.format !== WORKSPACE_FORMAT) {
    refuse([
      `format: expected "${WORKSPACE_FORMAT}" (a workspace exported from the workbench), got ${JSON.stringify(top.format) ?? 'nothing'}.`,
    ]);
  }
  const d = new Decoder();
  const version = d.number(top.version, 'version', true);
  if (!d.ok) refuse(d.report());
  if (version > WORKSPACE_VERSION) {
    refuse([
      `This workspace was saved by a newer version of the workbench (file version ${version}, this one reads up to ${WORKSPACE_VERSION}).`,
    ]);
  }
  const settingsVersion = d.number(top.settingsVersion, 'settingsVersion', true);
  if (d.ok && settingsVersion !== SETTINGS_VERSION) {
    d.note(
      `settingsVersion: the settings are in shape ${settingsVersion}, this workbench reads shape ${SETTINGS_VERSION}`,
    );
  }
  const settings = decodeSettings(d, top.settings);
  const data = decodeData(d, top.data);
  const source = settings.source as { kind?: unknown; name?: unknown } | null | undefined;
  if (data && (source?.kind !== 'file' || source.name !== data.name)) {
    d.note(
      `data: the file ${JSON.stringify(data.name)} is not the data source the settings name (${JSON.stringify(source?.name ?? source?.kind ?? null)})`,
    );
  }
  const fits = decodeFits(d, top.fits);
  const models = decodeModels(d, top.neuralModels);
  const sweep = decodeComparison(d, top.comparison);
  if (!d.ok) refuse(d.report());
  return { settingsVersion, settings, data, fits, models, sweep };
}

/** Reads a workspace file's text; throws WorkspaceFileError (with every problem) when it is wrong. */
export function parseWorkspace(text: string): WorkspaceContents {
  if (text.length > MAX_WORKSPACE_CHARS) {
    refuse([`The file is larger than ${MAX_WORKSPACE_CHARS / 1e6} MB.`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    refuse([
      `This is not a JSON file, or it is damaged or cut short (${err instanceof Error ? err.message : String(err)}).`,
    ]);
  }
  return decodeWorkspace(json);
}

/**
 * The data file must load as it did when it was exported (else the reloaded page would fall
 * back to the demo trial and give other answers): it is imported now, off the main thread.
 */
async function checkData(c: WorkspaceContents): Promise<void> {
  if (!c.data) return;
  const mapping = (c.settings.mapping ?? {}) as Partial<ColumnMapping>;
  const result = await importInWorker(c.data.text, { name: c.data.name, mapping });
  if (!result.ok) {
    const name = JSON.stringify(c.data.name);
    const shown = result.problems.slice(0, MAX_PROBLEMS);
    refuse([
      ...shown.map((p) => `data (${name}): ${formatProblem(p)}`),
      ...(result.problems.length > shown.length
        ? [`…and ${result.problems.length - shown.length} more problems in the data file`]
        : []),
    ]);
  }
}

// ---- replacing the workspace ---------------------------------------------------------------

async function writeStores(c: WorkspaceContents, stores: WorkspaceStores): Promise<void> {
  await clearSavedFits(stores.fits);
  await clearNeuralModels(stores.models);
  await deleteSweep(stores.sweep);
  for (const { meta, result } of c.fits) await saveFit(meta, result, stores.fits);
  for (const record of c.models) await saveNeuralModel(record, stores.models);
  if (c.sweep) await saveSweep(c.sweep, stores.sweep);
  // A file too large for local storage is handed to the next page through IndexedDB.
  await handOverData(c.data && c.data.text.length > PERSIST_MAX_CHARS ? c.data : null);
}

/** The settings entry as the store's persistence writes it, with the file's text when it fits. */
function settingsEntry(c: WorkspaceContents): string {
  const fileText = c.data && c.data.text.length <= PERSIST_MAX_CHARS ? c.data.text : null;
  return JSON.stringify({ state: { ...c.settings, fileText }, version: c.settingsVersion });
}

/**
 * The page opens the imported workspace the way it opens after any reload: settings from
 * local storage, fits, models and the sweep from IndexedDB. A reload also ends whatever this
 * page was running and drops every cache of the old workspace, which re-hydrating in place
 * would have to hunt down slice by slice. Until the page unloads, the store writes the
 * imported settings instead of its own, so a late update cannot put the old ones back.
 */
function reloadPage(entry: string): void {
  const state = JSON.parse(entry) as { state: Record<string, unknown> };
  useWorkbench.persist.setOptions({ partialize: () => state.state as never });
  location.reload();
}

export interface ImportOptions {
  readonly stores?: WorkspaceStores;
  /**
   * Opens the imported workspace once it is stored; by default the page reloads. Tests pass
   * their own (re-hydrating the store from local storage).
   */
  readonly reload?: () => void | Promise<void>;
}

/**
 * Replaces the current workspace with the one in `text`: checks the whole file first
 * (WorkspaceFileError, nothing changed), keeps a copy of the current workspace, clears the
 * fits, models and sweep, writes the new ones and the settings, then reloads. When the browser
 * refuses to store the new workspace part-way, the copy is written back and the error says so.
 */
export async function importWorkspace(text: string, options: ImportOptions = {}): Promise<void> {
  const stores = options.stores ?? {};
  const next = parseWorkspace(text);
  await checkData(next);
  const entry = settingsEntry(next);
  let previous: WorkspaceContents;
  try {
    previous = await readContents(stores);
  } catch (err) {
    throw new Error(
      `The current workspace could not be read (${err instanceof Error ? err.message : String(err)}), so nothing was changed.`,
    );
  }
  const previousEntry = localStorage.getItem(SETTINGS_KEY);
  try {
    await writeStores(next, stores);
    localStorage.setItem(SETTINGS_KEY, entry);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    try {
      await writeStores({ ...previous, data: null }, stores);
      if (previousEntry !== null) localStorage.setItem(SETTINGS_KEY, previousEntry);
    } catch {
      throw new Error(
        `The workspace could not be stored (${why}), and the previous one could not be put back completely: export what is left and reload.`,
      );
    }
    throw new Error(
      `The workspace could not be stored (${why}); the previous workspace was put back.`,
    );
  }
  if (options.reload) await options.reload();
  else reloadPage(entry);
}
