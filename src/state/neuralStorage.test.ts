import { describe, expect, it } from 'vitest';
import { encodeNeuralModel, type NeuralModelRecord } from '../core/neural/modelFile';
import { fakeNeuralRecord } from '../testing/fakeNeural';
import {
  deleteNeuralModel,
  getNeuralModel,
  listNeuralModels,
  memoryModelStore,
  modelFileName,
  readModelFile,
  saveNeuralModel,
  type ModelStore,
} from './neuralStorage';

/** A small, valid record (the weights need not fit a network to be stored). */
function record(id: string, createdAt: string, label = `model ${id}`): NeuralModelRecord {
  return fakeNeuralRecord(id, createdAt, { label });
}

/** A store whose writes fail the way a full disk does. */
function fullStore(): ModelStore {
  const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
  return {
    ...memoryModelStore(),
    set: async () => {
      throw quota;
    },
  };
}

describe('neural model storage', () => {
  it('saves, lists newest first without weights, reads back with weights, deletes', async () => {
    const store = memoryModelStore();
    const older = record('neural-a', '2025-01-01T10:00:00.000Z');
    const newer = record('neural-b', '2025-03-01T10:00:00.000Z');
    await saveNeuralModel(older, store);
    await saveNeuralModel(newer, store);
    const list = await listNeuralModels(store);
    expect(list.map((m) => m.id)).toEqual(['neural-b', 'neural-a']);
    expect(list.every((m) => !('weights' in m))).toBe(true);
    // toEqual treats a missing property as undefined: everything but the weights.
    expect(list[1]).toEqual({ ...older, weights: undefined });
    const back = await getNeuralModel('neural-a', store);
    expect(back).toEqual(older);
    expect(back?.weights[0].values).toBeInstanceOf(Float32Array);
    await deleteNeuralModel('neural-a', store);
    expect(await getNeuralModel('neural-a', store)).toBeUndefined();
    expect((await listNeuralModels(store)).map((m) => m.id)).toEqual(['neural-b']);
    // Nothing of the deleted model is left behind.
    expect([...store.entries.keys()].some((k) => k.includes('neural-a'))).toBe(false);
    await expect(deleteNeuralModel('never-saved', store)).resolves.toBeUndefined();
  });

  it('replaces a model saved again under the same id', async () => {
    const store = memoryModelStore();
    await saveNeuralModel(record('neural-a', '2025-01-01T10:00:00.000Z', 'first'), store);
    await saveNeuralModel(record('neural-a', '2025-01-01T10:00:00.000Z', 'second'), store);
    const list = await listNeuralModels(store);
    expect(list.map((m) => m.label)).toEqual(['second']);
  });

  it('rejects in plain words where IndexedDB is missing or the storage is full', async () => {
    expect(typeof indexedDB).toBe('undefined');
    await expect(listNeuralModels()).rejects.toThrow('this browser does not offer IndexedDB');
    await expect(saveNeuralModel(record('x', '2025-01-01T00:00:00Z'))).rejects.toThrow(/IndexedDB/);
    await expect(saveNeuralModel(record('x', '2025-01-01T00:00:00Z'), fullStore())).rejects.toThrow(
      "the browser's storage is full while saving the model",
    );
  });
});

describe('model files', () => {
  it('names the file after the label', () => {
    expect(modelFileName({ label: 'cascade resmlp on Demo trial (14:05)' })).toBe(
      'cascade-resmlp-on-demo-trial-14-05.neural.json',
    );
    expect(modelFileName({ label: '→ ?' })).toBe('neural-model.neural.json');
  });

  it('reads a file back, with a fresh id when that id is taken', () => {
    const saved = record('neural-a', '2025-01-01T10:00:00.000Z');
    const text = encodeNeuralModel(saved);
    expect(readModelFile(text)).toEqual(saved);
    expect(readModelFile(text, ['neural-b'])).toEqual(saved);
    expect(readModelFile(text, ['neural-a']).id).toBe('neural-a-2');
    expect(readModelFile(text, ['neural-a', 'neural-a-2']).id).toBe('neural-a-3');
    const copy = readModelFile(text, ['neural-a']);
    expect({ ...copy, id: saved.id }).toEqual(saved);
  });

  it("passes the decoder's message on for a wrong file", () => {
    expect(() => readModelFile('{"hello": 1}')).toThrow('Not a neural model file');
    expect(() => readModelFile('not json')).toThrow('not valid JSON');
  });
});
