import { createStore, del, get, getMany, keys, set, type UseStore } from 'idb-keyval';
import type { NamedWeight } from '../core/neural/netLayers';
import { isNeuralModelId, NEURAL_ID_PREFIX } from './neuralModels';
import { decodeNeuralModel, type NeuralModelRecord } from '../core/neural/modelFile';

/**
 * Trained neural models live in IndexedDB, in their own database: one entry for everything
 * but the weights (what the list shows) and one for the weights (typed arrays, hundreds of KB
 * for a large network), so the list loads without them. Every failure of the storage — none
 * in this browser, a private mode that refuses it, a full disk — rejects with an Error whose
 * message says so in plain words; callers show it and carry on with the model in memory.
 */

const DB_NAME = 'pkpd-workbench-neural';
const STORE_NAME = 'models';
const META = 'meta:';
const WEIGHTS = 'weights:';

/** What the saved-models list shows: a record without its weights. */
export type NeuralModelMeta = Omit<NeuralModelRecord, 'weights'>;

/**
 * The few key-value operations the models need. The default is IndexedDB through idb-keyval;
 * tests pass an in-memory one (memoryModelStore).
 */
export interface ModelStore {
  get<T>(key: string): Promise<T | undefined>;
  getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

function idbModelStore(store: UseStore): ModelStore {
  return {
    get: (key) => get(key, store),
    getMany: (k) => getMany([...k], store),
    set: (key, value) => set(key, value, store),
    del: (key) => del(key, store),
    keys: async () => (await keys(store)).filter((k): k is string => typeof k === 'string'),
  };
}

/** A store in memory (tests; values are copied in and out the way IndexedDB clones them). */
export function memoryModelStore(): ModelStore & { readonly entries: Map<string, unknown> } {
  const entries = new Map<string, unknown>();
  const copy = <T>(v: T): T => (v === undefined ? v : structuredClone(v));
  return {
    entries,
    get: async <T>(key: string) => copy(entries.get(key) as T | undefined),
    getMany: async <T>(k: readonly string[]) => k.map((key) => copy(entries.get(key) as T)),
    set: async (key, value) => {
      entries.set(key, copy(value));
    },
    del: async (key) => {
      entries.delete(key);
    },
    keys: async () => [...entries.keys()],
  };
}

let defaultStore: ModelStore | null = null;

/** Opened on first use: where IndexedDB is missing (Node, some private modes) calls reject. */
function modelStore(): ModelStore {
  if (typeof indexedDB === 'undefined') {
    throw new Error('this browser does not offer IndexedDB storage');
  }
  defaultStore ??= idbModelStore(createStore(DB_NAME, STORE_NAME));
  return defaultStore;
}

/** The storage's error in plain words (the browser's own message is often a bare name). */
function storageError(err: unknown, doing: string): Error {
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  const message = err instanceof Error || err instanceof DOMException ? err.message : String(err);
  if (name === 'QuotaExceededError') {
    return new Error(`the browser's storage is full while ${doing}; delete or export some models`);
  }
  if (name === 'InvalidStateError' || name === 'SecurityError') {
    return new Error(`the browser refuses storage while ${doing} (private browsing?)`);
  }
  return new Error(`${doing} failed: ${message || name || 'unknown storage error'}`);
}

/** Runs one storage operation, turning any failure (even opening the store) into a plain Error. */
async function withStore<T>(
  store: ModelStore | undefined,
  doing: string,
  run: (s: ModelStore) => Promise<T>,
): Promise<T> {
  let s: ModelStore;
  try {
    s = store ?? modelStore();
  } catch (err) {
    throw err instanceof Error ? err : storageError(err, doing);
  }
  try {
    return await run(s);
  } catch (err) {
    throw storageError(err, doing);
  }
}

/**
 * A record's list entry: every field but the weights, named one by one (a new field of the
 * record is a type error here until it is listed).
 */
export function neuralModelMeta(record: NeuralModelRecord): NeuralModelMeta {
  const { id, label, createdAt, config, features, scaler, inputWidth, domain, training } = record;
  return { id, label, createdAt, config, features, scaler, inputWidth, domain, training };
}

function isMeta(v: unknown): v is NeuralModelMeta {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as NeuralModelMeta).id === 'string' &&
    typeof (v as NeuralModelMeta).createdAt === 'string'
  );
}

/** Saves (or replaces) a model. */
export async function saveNeuralModel(
  record: NeuralModelRecord,
  store?: ModelStore,
): Promise<void> {
  await withStore(store, 'saving the model', async (s) => {
    // The weights first: a description without its weights would list a model that cannot load.
    await s.set(WEIGHTS + record.id, record.weights);
    await s.set(META + record.id, neuralModelMeta(record));
  });
}

/** The saved models without their weights, newest first. */
export async function listNeuralModels(store?: ModelStore): Promise<NeuralModelMeta[]> {
  return withStore(store, 'listing the saved models', async (s) => {
    const metaKeys = (await s.keys()).filter((k) => k.startsWith(META));
    const metas = await s.getMany<NeuralModelMeta>(metaKeys);
    return metas
      .filter(isMeta)
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  });
}

/** A saved model with its weights; undefined when there is none with that id. */
export async function getNeuralModel(
  id: string,
  store?: ModelStore,
): Promise<NeuralModelRecord | undefined> {
  return withStore(store, 'reading the model', async (s) => {
    const [meta, weights] = await s.getMany<unknown>([META + id, WEIGHTS + id]);
    if (!isMeta(meta) || !Array.isArray(weights)) return undefined;
    return { ...meta, weights: weights as NamedWeight[] };
  });
}

/** Deletes a model (nothing happens when there is none with that id). */
export async function deleteNeuralModel(id: string, store?: ModelStore): Promise<void> {
  await withStore(store, 'deleting the model', async (s) => {
    // The description first: weights without one are never listed.
    await s.del(META + id);
    await s.del(WEIGHTS + id);
  });
}

/** Deletes every saved model (descriptions first: weights without one are never listed). */
export async function clearNeuralModels(store?: ModelStore): Promise<void> {
  await withStore(store, 'deleting the saved models', async (s) => {
    const all = await s.keys();
    for (const k of all.filter((k) => k.startsWith(META))) await s.del(k);
    for (const k of all.filter((k) => k.startsWith(WEIGHTS))) await s.del(k);
  });
}

/** A file name for the model from its label: letters, digits and dashes only. */
export function modelFileName(record: Pick<NeuralModelRecord, 'label'>): string {
  const slug = record.label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'neural-model'}.neural.json`;
}

/**
 * A model read from a file's text (decodeNeuralModel: throws a plain message when the file is
 * wrong). When a model with the same id is already kept (`existingIds`), the imported one gets
 * a fresh id, the old one with -2, -3, … appended, so importing never replaces a model.
 */
export function readModelFile(text: string, existingIds: Iterable<string> = []): NeuralModelRecord {
  const record = decodeNeuralModel(text);
  // Every neural model's id says it is one (a file from elsewhere may not), and is unique.
  const base = isNeuralModelId(record.id) ? record.id : `${NEURAL_ID_PREFIX}${record.id}`;
  const taken = new Set(existingIds);
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id === record.id ? record : { ...record, id };
}
