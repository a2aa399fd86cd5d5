import { createStore, del, get, set, type UseStore } from 'idb-keyval';
import { isCompareCell, isCompareTask, taskKey } from '../core/compare/cells';
import { COMPARE_PROFILES, type CompareCell, type ComparePlan } from '../core/compare/types';

/**
 * The current sweep lives in IndexedDB, in its own database: its plan and the cells done so
 * far, rewritten after every cell, so a half-done sweep survives a reload and resumes where it
 * stopped. One entry holds both, so the plan and its cells never come from different sweeps.
 * Where IndexedDB is missing or refuses (Node, some private modes), the sweep is kept in memory
 * until the page closes and the caller is told why it will not survive a reload.
 */

const DB_NAME = 'pkpd-workbench-compare';
const STORE_NAME = 'sweeps';
const KEY = 'current';
/** Bump when the saved shape changes; an older entry is then ignored (and overwritten). */
export const SWEEP_VERSION = 1;

/** A sweep as saved: its plan and the cells done, in the order they finished. */
export interface SavedSweep {
  readonly plan: ComparePlan;
  readonly cells: readonly CompareCell[];
}

interface SweepEntry extends SavedSweep {
  readonly version: number;
  /** When it was last written (ISO 8601), for the reader's curiosity only. */
  readonly savedAt: string;
}

/** The few key-value operations the sweep needs (IndexedDB, or memory in tests and as fallback). */
export interface SweepStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
}

function idbSweepStore(store: UseStore): SweepStore {
  return {
    get: (key) => get(key, store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
  };
}

/** A store in memory; values are copied in and out the way IndexedDB clones them. */
export function memorySweepStore(): SweepStore & { readonly entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  const copy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  return {
    entries,
    get: async (key) => copy(entries.get(key)),
    set: async (key, value) => {
      entries.set(key, copy(value));
    },
    del: async (key) => {
      entries.delete(key);
    },
  };
}

let defaultStore: SweepStore | null = null;
let fallbackReason: string | null = null;

/**
 * IndexedDB when the browser offers it, else memory. The store is chosen once; a browser that
 * offers IndexedDB but refuses it (a private mode) fails at the first use, and switchToMemory
 * then keeps the sweep in memory.
 */
function sweepStore(): SweepStore {
  if (defaultStore) return defaultStore;
  if (typeof indexedDB === 'undefined') {
    fallbackReason = 'this browser does not offer IndexedDB storage';
    defaultStore = memorySweepStore();
  } else {
    defaultStore = idbSweepStore(createStore(DB_NAME, STORE_NAME));
  }
  return defaultStore;
}

function switchToMemory(reason: string): void {
  fallbackReason = reason;
  defaultStore = memorySweepStore();
}

/**
 * Why the sweep will not survive a reload (the default store is memory), or null when it is in
 * IndexedDB. Known once the store has been used.
 */
export function sweepStorageProblem(): string | null {
  return fallbackReason;
}

/** The storage's error in plain words (the browser's own message is often a bare name). */
function storageError(err: unknown, doing: string): string {
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  const message = err instanceof Error || err instanceof DOMException ? err.message : String(err);
  if (name === 'QuotaExceededError') return `the browser's storage is full while ${doing}`;
  if (name === 'InvalidStateError' || name === 'SecurityError') {
    return `the browser refuses storage while ${doing} (private browsing?)`;
  }
  return `${doing} failed: ${message || name || 'unknown storage error'}`;
}

/**
 * Runs an operation on the given store, or on the default one; a default IndexedDB store that
 * fails is replaced by memory and the operation runs again there, so the sweep carries on.
 * A given store's failure rejects with the reason in words.
 */
async function withStore<T>(
  store: SweepStore | undefined,
  doing: string,
  run: (s: SweepStore) => Promise<T>,
): Promise<T> {
  if (store) {
    try {
      return await run(store);
    } catch (err) {
      throw new Error(storageError(err, doing));
    }
  }
  const s = sweepStore();
  try {
    return await run(s);
  } catch (err) {
    if (s !== defaultStore) throw new Error(storageError(err, doing));
    switchToMemory(storageError(err, doing));
    return run(sweepStore());
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function isPlan(v: unknown): v is ComparePlan {
  return (
    isObject(v) &&
    COMPARE_PROFILES.includes(v.profile as never) &&
    typeof v.dataLabel === 'string' &&
    typeof v.dataFingerprint === 'string' &&
    isCount(v.folds) &&
    Array.isArray(v.seeds) &&
    Array.isArray(v.candidates) &&
    v.candidates.every((c) => isObject(c) && typeof c.key === 'string') &&
    Array.isArray(v.tasks) &&
    v.tasks.every(isCompareTask) &&
    isObject(v.threshold) &&
    typeof v.threshold.value === 'number'
  );
}

/**
 * A saved entry read back, or null when it is missing, from another version or not a sweep.
 * Cells of tasks the plan does not have are dropped, and a task done twice keeps its last cell.
 */
export function decodeSweep(value: unknown): SavedSweep | null {
  if (!isObject(value) || value.version !== SWEEP_VERSION || !isPlan(value.plan)) return null;
  if (!Array.isArray(value.cells)) return null;
  const planned = new Set(value.plan.tasks.map(taskKey));
  const cells = new Map<string, CompareCell>();
  for (const c of value.cells) {
    if (isCompareCell(c) && planned.has(taskKey(c))) cells.set(taskKey(c), c);
  }
  return { plan: value.plan, cells: [...cells.values()] };
}

/** Saves (replaces) the current sweep. */
export async function saveSweep(sweep: SavedSweep, store?: SweepStore): Promise<void> {
  const entry: SweepEntry = {
    version: SWEEP_VERSION,
    savedAt: new Date().toISOString(),
    plan: sweep.plan,
    cells: sweep.cells,
  };
  await withStore(store, 'saving the comparison', (s) => s.set(KEY, entry));
}

/** The saved sweep, or null when there is none (or it cannot be read as one). */
export async function loadSweep(store?: SweepStore): Promise<SavedSweep | null> {
  return withStore(store, 'reading the saved comparison', async (s) =>
    decodeSweep(await s.get(KEY)),
  );
}

/** Forgets the saved sweep (nothing happens when there is none). */
export async function deleteSweep(store?: SweepStore): Promise<void> {
  await withStore(store, 'deleting the comparison', (s) => s.del(KEY));
}
