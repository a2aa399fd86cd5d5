import type { StateCreator } from 'zustand';
import { QUANTUM_ENCODERS, type NeuralConfig } from '../../core/neural/types';
import type { NeuralModelRecord } from '../../core/neural/modelFile';
import { isReadoutName, type ReadoutName } from '../../core/quantum/templates';
import type { WorkbenchState } from '../store';

/**
 * The Quantum circuit panel's choices: which circuit it shows (a configuration with seeded
 * random angles, or one circuit of a trained hybrid model), the input angles x_i fed to it and
 * the quantum volume it is checked against. A trained model's circuit angles are read from
 * storage on demand and kept here as plain numbers (never tensors).
 */

export type CircuitSource = 'config' | 'model';

/** The panel draws and sliders up to this many wires (the Neural models panel's limit too). */
export const CIRCUIT_MAX_QUBITS = 12;

/** Allowed ranges (inclusive); every one is a whole number. */
export const CIRCUIT_LIMITS = {
  qubits: { min: 2, max: CIRCUIT_MAX_QUBITS },
  layers: { min: 1, max: 8 },
  seed: { min: 0, max: 2 ** 31 - 1 },
  /** QV = 2^k; 2^40 is far beyond any device announced, and still exact in a double. */
  quantumVolume: { min: 2, max: 2 ** 40 },
} as const;

/** Input angles x_i are radians in [−π, π] (one slider turn of a rotation). */
export const INPUT_ANGLE_LIMIT = Math.PI;

/**
 * Default input angles (radians), one per possible wire: spread over both signs so the
 * expectation values of a fresh panel are neither all ±1 nor all 0.
 */
export const DEFAULT_CIRCUIT_INPUTS: readonly number[] = [
  0.5, -1, 1.5, -0.5, 1, -1.5, 0.25, -0.75, 1.25, -1.25, 0.75, -0.25,
];

/** The seed paper's quantum volume (IBM Heron r1, seed poster Table 1). */
export const DEFAULT_QUANTUM_VOLUME = 512;

export interface CircuitSettings {
  readonly source: CircuitSource;
  /** Configuration source: the circuit's shape. */
  readonly qubits: number;
  readonly layers: number;
  readonly readout: ReadoutName;
  /** Configuration source: the seed of the random trainable angles (uniform on [−π, π)). */
  readonly seed: number;
  /** Trained-model source: the saved neural model and the name of one of its circuits. */
  readonly modelId: string | null;
  readonly circuitName: string | null;
  /** Input angles x_0..x_11 (radians); a circuit of n qubits reads the first n. */
  readonly inputs: readonly number[];
  readonly quantumVolume: number;
}

/** The circuit shape the Neural models settings train with. */
export type NeuralCircuitShape = Pick<NeuralConfig, 'qubits' | 'qlayers' | 'readout'>;

/** Defaults: the configuration source with the Neural models panel's circuit shape. */
export function defaultCircuitSettings(shape?: NeuralCircuitShape): CircuitSettings {
  const inRange = (v: unknown, lim: { min: number; max: number }) =>
    typeof v === 'number' && Number.isInteger(v) && v >= lim.min && v <= lim.max;
  return {
    source: 'config',
    qubits: inRange(shape?.qubits, CIRCUIT_LIMITS.qubits) ? shape!.qubits : 4,
    layers: inRange(shape?.qlayers, CIRCUIT_LIMITS.layers) ? shape!.qlayers : 2,
    readout: isReadoutName(shape?.readout) ? shape!.readout : 'xyzzz',
    seed: 1,
    modelId: null,
    circuitName: null,
    inputs: DEFAULT_CIRCUIT_INPUTS,
    quantumVolume: DEFAULT_QUANTUM_VOLUME,
  };
}

function wholeIn(value: unknown, lim: { min: number; max: number }): value is number {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= lim.min && value <= lim.max
  );
}

/**
 * Settings read back after a reload: anything unknown, of the wrong type or out of range takes
 * its default (the shape's defaults being the Neural models settings' circuit).
 */
export function restoreCircuitSettings(
  value: unknown,
  shape?: NeuralCircuitShape,
): CircuitSettings {
  const d = defaultCircuitSettings(shape);
  if (typeof value !== 'object' || value === null) return d;
  const v = value as Partial<Record<keyof CircuitSettings, unknown>>;
  const raw = Array.isArray(v.inputs) ? (v.inputs as unknown[]) : [];
  const inputs = d.inputs.map((fallback, i) => {
    const x = raw[i];
    return typeof x === 'number' && Number.isFinite(x) && Math.abs(x) <= INPUT_ANGLE_LIMIT
      ? x
      : fallback;
  });
  return {
    source: v.source === 'model' ? 'model' : 'config',
    qubits: wholeIn(v.qubits, CIRCUIT_LIMITS.qubits) ? v.qubits : d.qubits,
    layers: wholeIn(v.layers, CIRCUIT_LIMITS.layers) ? v.layers : d.layers,
    readout: isReadoutName(v.readout) ? v.readout : d.readout,
    seed: wholeIn(v.seed, CIRCUIT_LIMITS.seed) ? v.seed : d.seed,
    modelId: typeof v.modelId === 'string' && v.modelId !== '' ? v.modelId : null,
    circuitName: typeof v.circuitName === 'string' && v.circuitName !== '' ? v.circuitName : null,
    inputs,
    quantumVolume: wholeIn(v.quantumVolume, CIRCUIT_LIMITS.quantumVolume)
      ? v.quantumVolume
      : d.quantumVolume,
  };
}

// ---- trained circuits ----------------------------------------------------------------------

/** One circuit of a trained hybrid model: its trained angles w[l, i, k] as plain numbers. */
export interface TrainedCircuit {
  /** The hybrid layer's name in the network, e.g. "pk/hybrid0" or "pd/block0/hybrid". */
  readonly name: string;
  readonly qubits: number;
  readonly layers: number;
  /** Row-major [layers, qubits, 3] (hybridWeightIndex order): φ, θ, ω of each Rot. */
  readonly angles: readonly number[];
}

/** What a circuit's trained angles are called among a hybrid model's weights. */
export const CIRCUIT_WEIGHT_SUFFIX = '/circuit/angles';

/** A weight as stored (Float32Array values) or as read back from elsewhere (any numbers). */
export interface StoredWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: ArrayLike<number>;
}

/**
 * The circuits among a hybrid model's named weights (those ending in /circuit/angles, shape
 * [layers, qubits, 3]), in the network's order. Throws an error naming the weight when one is
 * malformed or larger than the panel shows.
 */
export function circuitsFromWeights(weights: readonly StoredWeight[]): TrainedCircuit[] {
  return weights
    .filter((w) => typeof w.name === 'string' && w.name.endsWith(CIRCUIT_WEIGHT_SUFFIX))
    .map((w) => {
      const name = w.name.slice(0, -CIRCUIT_WEIGHT_SUFFIX.length);
      const shape = Array.isArray(w.shape) ? w.shape : [];
      const [layers, qubits, three] = shape;
      if (shape.length !== 3 || three !== 3) {
        throw new Error(
          `Circuit "${name}": its angles have shape [${shape.join(', ')}], expected [layers, qubits, 3].`,
        );
      }
      if (!wholeIn(qubits, CIRCUIT_LIMITS.qubits) || !wholeIn(layers, CIRCUIT_LIMITS.layers)) {
        throw new Error(
          `Circuit "${name}" has ${qubits} qubits and ${layers} layers; this panel shows ${CIRCUIT_LIMITS.qubits.min}–${CIRCUIT_LIMITS.qubits.max} qubits and ${CIRCUIT_LIMITS.layers.min}–${CIRCUIT_LIMITS.layers.max} layers.`,
        );
      }
      const values = w.values;
      const size = layers * qubits * 3;
      if (!values || values.length !== size) {
        throw new Error(
          `Circuit "${name}": ${values?.length ?? 0} angles stored, expected ${layers}×${qubits}×3 = ${size}.`,
        );
      }
      const angles = Array.from(values, Number);
      const bad = angles.findIndex((a) => !Number.isFinite(a));
      if (bad >= 0) throw new Error(`Circuit "${name}": angle ${bad} is not a finite number.`);
      return { name, qubits, layers, angles };
    });
}

/** A saved model's circuits; throws a plain sentence when it has none or they are unreadable. */
export function trainedCircuits(
  record: Pick<NeuralModelRecord, 'label' | 'config' | 'weights'>,
): TrainedCircuit[] {
  if (!QUANTUM_ENCODERS.includes(record.config.encoder)) {
    throw new Error(
      `"${record.label}" uses the ${record.config.encoder} encoder, which has no quantum circuit. Choose a model trained with the QNN or QNN-ResMLP+MoE encoder.`,
    );
  }
  const circuits = circuitsFromWeights(record.weights);
  if (circuits.length === 0) {
    throw new Error(`"${record.label}" has no circuit angles among its weights.`);
  }
  return circuits;
}

/** A trained model's circuits as the panel holds them (loading, ready or why not). */
export type CircuitModelState =
  | { readonly id: string; readonly status: 'loading' }
  | {
      readonly id: string;
      readonly status: 'ready';
      readonly label: string;
      readonly readout: ReadoutName;
      readonly circuits: readonly TrainedCircuit[];
    }
  | { readonly id: string; readonly status: 'error'; readonly error: string };

export interface CircuitSlice {
  circuitSettings: CircuitSettings;
  /** The chosen trained model's circuits (not persisted: read again from storage). */
  circuitModel: CircuitModelState | null;
  setCircuitSettings: (patch: Partial<Omit<CircuitSettings, 'inputs'>>) => void;
  /** Sets input angle x_index (radians, kept within ±π). */
  setCircuitInput: (index: number, value: number) => void;
  resetCircuitInputs: () => void;
  /** Takes qubits, layers and readout from the Neural models settings. */
  adoptNeuralCircuitShape: () => void;
  /** Chooses a saved model (null: none) and reads its circuits. */
  chooseCircuitModel: (id: string | null) => Promise<void>;
  /** Reads a saved model's circuit angles from storage into circuitModel. */
  loadCircuitModel: (id: string) => Promise<void>;
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const createCircuitSlice: StateCreator<WorkbenchState, [], [], CircuitSlice> = (
  set,
  get,
) => {
  return {
    circuitSettings: defaultCircuitSettings(),
    circuitModel: null,

    setCircuitSettings: (patch) =>
      set((s) => ({ circuitSettings: { ...s.circuitSettings, ...patch } })),

    setCircuitInput: (index, value) =>
      set((s) => {
        if (!Number.isInteger(index) || index < 0 || index >= CIRCUIT_MAX_QUBITS) return {};
        if (!Number.isFinite(value)) return {};
        const inputs = [...s.circuitSettings.inputs];
        inputs[index] = Math.max(-INPUT_ANGLE_LIMIT, Math.min(INPUT_ANGLE_LIMIT, value));
        return { circuitSettings: { ...s.circuitSettings, inputs } };
      }),

    resetCircuitInputs: () =>
      set((s) => ({ circuitSettings: { ...s.circuitSettings, inputs: DEFAULT_CIRCUIT_INPUTS } })),

    adoptNeuralCircuitShape: () =>
      set((s) => {
        const d = defaultCircuitSettings(s.neuralSettings.config);
        return {
          circuitSettings: {
            ...s.circuitSettings,
            source: 'config',
            qubits: d.qubits,
            layers: d.layers,
            readout: d.readout,
          },
        };
      }),

    chooseCircuitModel: async (id) => {
      set((s) => ({
        circuitSettings: {
          ...s.circuitSettings,
          modelId: id,
          circuitName: id === s.circuitSettings.modelId ? s.circuitSettings.circuitName : null,
        },
        ...(id === null ? { circuitModel: null } : {}),
      }));
      if (id !== null) await get().loadCircuitModel(id);
    },

    loadCircuitModel: async (id) => {
      set({ circuitModel: { id, status: 'loading' } });
      // A later choice wins: a slow read for an earlier one is dropped.
      const current = () => get().circuitModel?.id === id;
      let record: NeuralModelRecord | undefined;
      try {
        record = await get().readNeuralModel(id);
      } catch (err) {
        if (current()) {
          set({
            circuitModel: {
              id,
              status: 'error',
              error: `The model could not be read: ${reason(err)}`,
            },
          });
        }
        return;
      }
      if (!current()) return;
      if (!record) {
        set({
          circuitModel: {
            id,
            status: 'error',
            error: 'That model is no longer in this browser (it may have been deleted).',
          },
        });
        return;
      }
      let circuits: TrainedCircuit[];
      try {
        circuits = trainedCircuits(record);
      } catch (err) {
        set({ circuitModel: { id, status: 'error', error: reason(err) } });
        return;
      }
      set((s) => ({
        circuitModel: {
          id,
          status: 'ready',
          label: record.label,
          readout: record.config.readout,
          circuits,
        },
        circuitSettings: circuits.some((c) => c.name === s.circuitSettings.circuitName)
          ? s.circuitSettings
          : { ...s.circuitSettings, circuitName: circuits[0].name },
      }));
    },
  };
};
