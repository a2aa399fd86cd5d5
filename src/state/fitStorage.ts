import { createStore, del, get, getMany, keys, set, type UseStore } from 'idb-keyval';
import type { FitResult } from '../core/nlme/types';
import type { SavedFitMeta } from './fitFile';

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

/** Saved fits, newest first. */
export async function listSavedFits(): Promise<SavedFitMeta[]> {
  const s = fitStore();
  const metaKeys = (await keys<string>(s)).filter(
    (k) => typeof k === 'string' && k.startsWith(META),
  );
  const metas = await getMany<SavedFitMeta>(metaKeys, s);
  return metas
    .filter((m): m is SavedFitMeta => typeof m === 'object' && m !== null && 'id' in m)
    .sort((a, b) => (a.date < b.date ? 1 : a.date > b.date ? -1 : 0));
}

export async function saveFit(meta: SavedFitMeta, result: FitResult): Promise<void> {
  const s = fitStore();
  // The result first: a description without its result would list a fit that cannot load.
  await set(RESULT + meta.id, result, s);
  await set(META + meta.id, meta, s);
}

export async function loadFitResult(id: string): Promise<FitResult | undefined> {
  return get<FitResult>(RESULT + id, fitStore());
}

export async function deleteSavedFit(id: string): Promise<void> {
  const s = fitStore();
  await del(META + id, s);
  await del(RESULT + id, s);
}

/** A fresh id for a saved fit. */
export function newFitId(): string {
  const random =
    typeof crypto !== 'undefined' && 'randomUUID' in crypto
      ? crypto.randomUUID().slice(0, 8)
      : Math.floor(Math.random() * 0xffffffff).toString(16);
  return `fit-${Date.now().toString(36)}-${random}`;
}
