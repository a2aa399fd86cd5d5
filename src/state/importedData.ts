import { createStore, del, get, set, type UseStore } from 'idb-keyval';

/**
 * A data file too large for local storage (see PERSIST_MAX_CHARS), handed from an imported
 * workspace to the page that reload opens: IndexedDB keeps it for that one restore, which takes
 * it (reads and deletes it). Like any large file dropped on the Data panel, it is then kept for
 * the session only. Where IndexedDB is missing (Node) the hand-over is kept in memory.
 */

const DB_NAME = 'pkpd-workbench-workspace';
const STORE_NAME = 'handover';
const KEY = 'data';

interface HandedOverData {
  readonly name: string;
  readonly text: string;
}

let store: UseStore | null = null;
let inMemory: HandedOverData | null = null;

function idb(): UseStore | null {
  if (typeof indexedDB === 'undefined') return null;
  store ??= createStore(DB_NAME, STORE_NAME);
  return store;
}

/** Keeps the file for the next restore; null forgets any file kept before. */
export async function handOverData(data: HandedOverData | null): Promise<void> {
  const s = idb();
  if (!s) {
    inMemory = data;
    return;
  }
  if (data) await set(KEY, data, s);
  else await del(KEY, s);
}

/**
 * The text handed over for a file of this name, or null; either way nothing stays kept. Never
 * rejects: a storage that cannot be read counts as nothing handed over.
 */
export async function takeHandedOverData(name: string): Promise<string | null> {
  const s = idb();
  let data: unknown = inMemory;
  inMemory = null;
  if (s) {
    try {
      data = await get(KEY, s);
      await del(KEY, s);
    } catch {
      return null;
    }
  }
  const d = data as Partial<HandedOverData> | null | undefined;
  return d && d.name === name && typeof d.text === 'string' ? d.text : null;
}
