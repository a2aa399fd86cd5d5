import { beforeEach, describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { NeuralModelRecord } from '../../core/neural/modelFile';
import { DEFAULT_NEURAL_CONFIG } from '../../core/neural/types';
import { getNeuralModel } from '../neuralStorage';
import type { WorkbenchState } from '../store';
import {
  CIRCUIT_MAX_QUBITS,
  DEFAULT_CIRCUIT_INPUTS,
  DEFAULT_QUANTUM_VOLUME,
  circuitsFromWeights,
  createCircuitSlice,
  defaultCircuitSettings,
  restoreCircuitSettings,
  trainedCircuits,
} from './circuitSlice';
import { DEFAULT_NEURAL_SETTINGS } from './neuralSlice';

// Local storage as a browser has it, holding settings saved by an older or tampered page.
await vi.hoisted(async () =>
  (await import('../../testing/memoryStorage')).installMemoryStorage([
    [
      'pkpd-workbench',
      JSON.stringify({
        version: 1,
        state: {
          neuralSettings: { config: { qubits: 5, qlayers: 3 } },
          circuitSettings: { qubits: 99, layers: 0, seed: 7, inputs: [9, 0.5] },
        },
      }),
    ],
  ]),
);

vi.mock('../neuralStorage', async (original) => ({
  ...(await original<typeof import('../neuralStorage')>()),
  getNeuralModel: vi.fn(),
}));

const shape = { qubits: 6, qlayers: 3, readout: 'xyz' as const };

describe('circuit settings after a reload', () => {
  it('default to the Neural models circuit shape when nothing was saved', () => {
    const d = restoreCircuitSettings(undefined, shape);
    expect(d).toMatchObject({ source: 'config', qubits: 6, layers: 3, readout: 'xyz', seed: 1 });
    expect(d.quantumVolume).toBe(DEFAULT_QUANTUM_VOLUME);
    expect(d.inputs).toEqual(DEFAULT_CIRCUIT_INPUTS);
    expect(d.inputs).toHaveLength(CIRCUIT_MAX_QUBITS);
    expect(restoreCircuitSettings(null)).toEqual(defaultCircuitSettings());
    expect(restoreCircuitSettings('nonsense', shape)).toEqual(defaultCircuitSettings(shape));
  });

  it('keep valid saved values', () => {
    const saved = {
      source: 'model',
      qubits: 12,
      layers: 8,
      readout: 'z',
      seed: 2 ** 31 - 1,
      modelId: 'neural-abc',
      circuitName: 'pk/hybrid0',
      inputs: [Math.PI, -Math.PI, 0, 0.25],
      quantumVolume: 4096,
    };
    const r = restoreCircuitSettings(saved, shape);
    expect(r).toMatchObject({ ...saved, inputs: expect.any(Array) });
    expect(r.inputs.slice(0, 4)).toEqual([Math.PI, -Math.PI, 0, 0.25]);
    // Missing entries take their defaults, so every wire has an input.
    expect(r.inputs.slice(4)).toEqual(DEFAULT_CIRCUIT_INPUTS.slice(4));
  });

  it('replace anything out of range or of the wrong type by its default', () => {
    const r = restoreCircuitSettings(
      {
        source: 'somewhere',
        qubits: 13,
        layers: 0,
        readout: 'xx',
        seed: -1,
        modelId: 42,
        circuitName: '',
        inputs: [4, 'a', null, Number.NaN, 1, -3.2],
        quantumVolume: 1,
      },
      shape,
    );
    expect(r.source).toBe('config');
    expect(r.qubits).toBe(6);
    expect(r.layers).toBe(3);
    expect(r.readout).toBe('xyz');
    expect(r.seed).toBe(1);
    expect(r.modelId).toBeNull();
    expect(r.circuitName).toBeNull();
    expect(r.quantumVolume).toBe(DEFAULT_QUANTUM_VOLUME);
    expect(r.inputs.slice(0, 6)).toEqual([
      DEFAULT_CIRCUIT_INPUTS[0],
      DEFAULT_CIRCUIT_INPUTS[1],
      DEFAULT_CIRCUIT_INPUTS[2],
      DEFAULT_CIRCUIT_INPUTS[3],
      1,
      DEFAULT_CIRCUIT_INPUTS[5],
    ]);
    // Non-integers are out of range too.
    expect(
      restoreCircuitSettings({ qubits: 4.5, layers: 2.5, quantumVolume: 512.5 }),
    ).toMatchObject({ qubits: 4, layers: 2, quantumVolume: DEFAULT_QUANTUM_VOLUME });
  });

  it('fall back to 4 qubits × 2 layers when the neural shape itself is out of range', () => {
    expect(
      defaultCircuitSettings({ qubits: 16, qlayers: 9, readout: 'nope' as never }),
    ).toMatchObject({ qubits: 4, layers: 2, readout: 'xyzzz' });
  });
});

describe('the store', () => {
  it('restores saved circuit settings, out-of-range ones from the restored network’s shape', async () => {
    const { useWorkbench } = await import('../store');
    await useWorkbench.persist.rehydrate();
    const s = useWorkbench.getState().circuitSettings;
    expect(s).toMatchObject({ source: 'config', qubits: 5, layers: 3, seed: 7 });
    expect(s.inputs.slice(0, 3)).toEqual([
      DEFAULT_CIRCUIT_INPUTS[0],
      0.5,
      DEFAULT_CIRCUIT_INPUTS[2],
    ]);
    // What is kept is what the panel chose.
    useWorkbench.getState().setCircuitSettings({ quantumVolume: 1024 });
    const saved = JSON.parse(localStorage.getItem('pkpd-workbench') ?? '{}');
    expect(saved.state.circuitSettings.quantumVolume).toBe(1024);
    expect(saved.state.circuitModel).toBeUndefined();
  });
});

/** A stored angles weight of a hybrid layer, [L, n, 3]. */
function anglesWeight(name: string, layers: number, qubits: number) {
  const values = new Float32Array(layers * qubits * 3).map((_, i) => i / 10);
  return { name: `${name}/circuit/angles`, shape: [layers, qubits, 3], values };
}

describe('trained circuits from a model’s weights', () => {
  it('finds each circuit by name and keeps its angles as plain numbers', () => {
    const circuits = circuitsFromWeights([
      { name: 'pk/in/w', shape: [14, 4], values: new Float32Array(56) },
      anglesWeight('pk/hybrid0', 2, 4),
      anglesWeight('pd/block0/hybrid', 2, 4),
    ]);
    expect(circuits.map((c) => c.name)).toEqual(['pk/hybrid0', 'pd/block0/hybrid']);
    expect(circuits[0]).toMatchObject({ qubits: 4, layers: 2 });
    expect(Array.isArray(circuits[0].angles)).toBe(true);
    expect(circuits[0].angles).toHaveLength(24);
    expect(circuits[0].angles[5]).toBeCloseTo(0.5, 6);
  });

  it('names the circuit whose angles are malformed', () => {
    expect(() =>
      circuitsFromWeights([{ name: 'pk/hybrid0/circuit/angles', shape: [2, 4], values: [] }]),
    ).toThrow(/pk\/hybrid0.*shape \[2, 4\]/);
    expect(() =>
      circuitsFromWeights([
        { name: 'pk/hybrid0/circuit/angles', shape: [2, 4, 3], values: new Float32Array(5) },
      ]),
    ).toThrow(/5 angles stored, expected 2×4×3 = 24/);
    expect(() => circuitsFromWeights([anglesWeight('pk/hybrid0', 2, 16)])).toThrow(
      /16 qubits.*2–12 qubits/,
    );
    const nan = anglesWeight('pd/hybrid1', 1, 2);
    nan.values[3] = Number.NaN;
    expect(() => circuitsFromWeights([nan])).toThrow(/pd\/hybrid1.*angle 3/);
  });

  it('refuses a model without a quantum encoder or without circuits, in plain words', () => {
    const record = {
      label: 'cascade mlp',
      config: { ...DEFAULT_NEURAL_CONFIG, encoder: 'mlp' as const },
      weights: [],
    };
    expect(() => trainedCircuits(record)).toThrow(/mlp encoder, which has no quantum circuit/);
    expect(() =>
      trainedCircuits({ ...record, config: { ...record.config, encoder: 'qnn' } }),
    ).toThrow(/no circuit angles/);
  });
});

describe('loading a trained model into the panel', () => {
  // The slice alone, with the neural settings it reads.
  const makeStore = () =>
    create<WorkbenchState>()(
      (...a) =>
        ({
          neuralSettings: DEFAULT_NEURAL_SETTINGS,
          // As the neural slice reads a model: its memory first, then storage (mocked here).
          readNeuralModel: (id: string) => getNeuralModel(id),
          ...createCircuitSlice(...a),
        }) as WorkbenchState,
    );
  const mocked = vi.mocked(getNeuralModel);
  // A block body: a function returned from beforeEach would run as its clean-up.
  beforeEach(() => {
    mocked.mockReset();
  });

  const record = (encoder: 'qnn' | 'mlp'): NeuralModelRecord =>
    ({
      id: 'neural-1',
      label: 'cascade qnn',
      config: { ...DEFAULT_NEURAL_CONFIG, encoder, readout: 'z' },
      weights: [anglesWeight('pk/hybrid0', 2, 3), anglesWeight('pd/hybrid0', 2, 3)],
    }) as unknown as NeuralModelRecord;

  it('keeps only the circuits’ angles, as plain arrays, and picks the first circuit', async () => {
    mocked.mockResolvedValue(record('qnn'));
    const store = makeStore();
    await store.getState().chooseCircuitModel('neural-1');
    const s = store.getState();
    expect(s.circuitSettings.modelId).toBe('neural-1');
    expect(s.circuitSettings.circuitName).toBe('pk/hybrid0');
    expect(s.circuitModel).toMatchObject({ status: 'ready', label: 'cascade qnn', readout: 'z' });
    if (s.circuitModel?.status !== 'ready') throw new Error('not ready');
    expect(s.circuitModel.circuits).toHaveLength(2);
    for (const c of s.circuitModel.circuits) {
      expect(Array.isArray(c.angles)).toBe(true);
      expect(c.angles.every((a) => typeof a === 'number')).toBe(true);
    }
    // The store stays serialisable.
    expect(JSON.parse(JSON.stringify(s.circuitModel))).toEqual(s.circuitModel);
  });

  it('says why when the model has no circuit, is gone or cannot be read', async () => {
    const store = makeStore();
    mocked.mockResolvedValue(record('mlp'));
    await store.getState().chooseCircuitModel('neural-1');
    expect(store.getState().circuitModel).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/no quantum circuit/),
    });
    mocked.mockResolvedValue(undefined);
    await store.getState().loadCircuitModel('neural-1');
    expect(store.getState().circuitModel).toMatchObject({
      status: 'error',
      error: expect.stringMatching(/no longer in this browser/),
    });
    mocked.mockRejectedValue(new Error('the browser refuses storage'));
    await store.getState().loadCircuitModel('neural-1');
    expect(store.getState().circuitModel).toMatchObject({
      status: 'error',
      error: 'The model could not be read: the browser refuses storage',
    });
  });

  it('reads a model the neural slice keeps only in memory (no storage here)', async () => {
    const store = makeStore();
    store.setState({
      readNeuralModel: async (id) => (id === 'neural-1' ? record('qnn') : undefined),
    });
    await store.getState().chooseCircuitModel('neural-1');
    expect(mocked).not.toHaveBeenCalled();
    expect(store.getState().circuitModel).toMatchObject({ status: 'ready', label: 'cascade qnn' });
  });

  it('drops a slow read for a model that is no longer chosen', async () => {
    let finish: (r: NeuralModelRecord) => void = () => {};
    mocked.mockImplementationOnce(() => new Promise((resolve) => (finish = resolve)));
    mocked.mockResolvedValueOnce({ ...record('qnn'), id: 'neural-2', label: 'second' });
    const store = makeStore();
    const first = store.getState().chooseCircuitModel('neural-1');
    await store.getState().chooseCircuitModel('neural-2');
    finish(record('qnn'));
    await first;
    expect(store.getState().circuitModel).toMatchObject({ id: 'neural-2', label: 'second' });
  });

  it('sets inputs within ±π, and takes the Neural models circuit shape on request', () => {
    const store = makeStore();
    store.getState().setCircuitInput(2, 10);
    store.getState().setCircuitInput(3, Number.NaN);
    store.getState().setCircuitInput(12, 1);
    const inputs = store.getState().circuitSettings.inputs;
    expect(inputs[2]).toBe(Math.PI);
    expect(inputs[3]).toBe(DEFAULT_CIRCUIT_INPUTS[3]);
    expect(inputs).toHaveLength(CIRCUIT_MAX_QUBITS);
    store.setState({
      neuralSettings: {
        ...DEFAULT_NEURAL_SETTINGS,
        config: { ...DEFAULT_NEURAL_SETTINGS.config, qubits: 9, qlayers: 1, readout: 'z' },
      },
    });
    store.getState().setCircuitSettings({ source: 'model' });
    store.getState().adoptNeuralCircuitShape();
    expect(store.getState().circuitSettings).toMatchObject({
      source: 'config',
      qubits: 9,
      layers: 1,
      readout: 'z',
    });
  });
});
