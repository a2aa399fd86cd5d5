import { createStore, del, get, getMany, keys, set, type UseStore } from 'idb-keyval';
import type { FitResult } from '../core/nlme/types';
import type { SavedFitMeta } from './fitFile';
import type { ModelStore } from './neuralStorage';

/**
 * Saved fits live in IndexedDB (a result with per-observation diagnostics is several hundred KB,
 * too big for local storage): one entry for the small description and one for the result, so
 * the list loads without the results.
 */

const DB_NAME = 'pkpd-workbench';
const STORE_NAME = 'fits';
const META = 'meta:';
const RESULT = 'result:';

let store: UseStore | null = null;

/** Opened on first use: where IndexedDB is missing (Node, some private modes) calls reject. */
function fitStore(): UseStore {
  if (typeof indexedDB === 'undefined') {
    throw new Error('this browser does not offer IndexedDB storage');
  }
  store ??= createStore(DB_NAME, STORE_NAME);
  return store;
}

/**
 * The key-value operations on the fits' store: the given one (tests pass memoryModelStore, the
 * same few operations) or IndexedDB.
 */
function fitKeyValues(given?: ModelStore): ModelStore {
  if (given) return given;
  const s = fitStore();
  return {
    get: (key) => get(key, s),
    getMany: (k) => getMany([...k], s),
    set: (key, value) => set(key, value, s),
    del: (key) => del(key, s),
    keys: async () => (await keys(s)).filter((k): k is string => typeof k === 'string'),
  };
}

/** Saved fits, newest first. */
export async function listSavedFits(given?: ModelStore): Promise<SavedFitMeta[]> {
  const s = fitKeyValues(given);
  const metaKeys = (await s.keys()).filter((k) => k.startsWith(META));
  const metas = await s.getMany<SavedFitMeta>(metaKeys);
  return metas
    .filter((m): m is SavedFitMeta => typeof m === 'object' && m !== null && 'id' in m)
    .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

export async function saveFit(
  meta: SavedFitMeta,
  result: FitResult,
  given?: ModelStore,
): Promise<void> {
  const s = fitKeyValues(given);
  // The result first: a description without its result would list a fit that cannot load.
  await s.set(RESULT + meta.id, result);
  await s.set(META + meta.id, meta);
}

export async function loadFitResult(
  id: string,
  given?: ModelStore,
): Promise<FitResult | undefined> {
  return fitKeyValues(given).get<FitResult>(RESULT + id);
}

export async function deleteSavedFit(id: string, given?: ModelStore): Promise<void> {
  const s = fitKeyValues(given);
  await s.del(META + id);
  await s.del(RESULT + id);
}

/** Deletes every saved fit (descriptions first: a result without one is never listed). */
export async function clearSavedFits(given?: ModelStore): Promise<void> {
  const s = fitKeyValues(given);
  const all = await s.keys();
  for (const k of all.filter((k) => k.startsWith(META))) await s.del(k);
  for (const k of all.filter((k) => k.startsWith(RESULT))) await s.del(k);
}

/** A fresh id for a saved fit. */
export function newFitId(): string {
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID().slice(0, 8)
      : Math.floor(Math.random() * 0xffffffff).toString(16);
  return `fit-${Date.now().toString(36)}-${random}`;
}
