/**
 * The circuit the Quantum circuit panel shows, worked out from its settings: the definition and
 * the trainable angles bound to it (seeded random, or a trained model's). The input angles are
 * bound separately (they change with every slider step; the circuit does not).
 * Pure: the panel memoises it and the tests call it directly.
 */
import type { CircuitDefinition, Readout } from '../../core/quantum/circuit';
import { hybridLayerCircuit, type ReadoutName } from '../../core/quantum/templates';
import { createRng, uniformBetween } from '../../core/util/rng';
import type { CircuitModelState, CircuitSettings } from '../../state/slices/circuitSlice';
import { subscript } from './circuitLayout';

/** The readouts' names, with what each one measures (4n, 3n or n values). */
export const READOUT_CHOICES: readonly { value: ReadoutName; label: string; hint: string }[] = [
  { value: 'xyzzz', label: '⟨X⟩⟨Y⟩⟨Z⟩⟨ZZ⟩', hint: '4 values per qubit (the seed).' },
  { value: 'xyz', label: '⟨X⟩⟨Y⟩⟨Z⟩', hint: '3 values per qubit.' },
  { value: 'z', label: '⟨Z⟩', hint: 'One value per qubit.' },
];

export function readoutChoiceLabel(readout: ReadoutName): string {
  return READOUT_CHOICES.find((r) => r.value === readout)?.label ?? readout;
}

/**
 * 3·n·L trainable angles, uniform on [−π, π), from a seeded generator: the same seed and shape
 * give the same angles (row-major [L, n, 3], hybridWeightIndex order).
 */
export function seededAngles(nQubits: number, nLayers: number, seed: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: 3 * nQubits * nLayers }, () =>
    uniformBetween(rng, -Math.PI, Math.PI),
  );
}

/** A readout's label with subscripts: ⟨X₀⟩, ⟨Z₀Z₁⟩. */
export function readoutName(r: Readout): string {
  return r.kind === 'ZZ'
    ? `⟨Z${subscript(r.wires[0])}Z${subscript(r.wires[1])}⟩`
    : `⟨${r.kind}${subscript(r.wire)}⟩`;
}

export interface CircuitView {
  readonly def: CircuitDefinition;
  readonly qubits: number;
  readonly layers: number;
  readonly readout: ReadoutName;
  /** Bound trainable angles, row-major [layers, qubits, 3]. */
  readonly weights: readonly number[];
  /** Where the angles come from, in words ("seeded random angles (seed 1)", "trained: …"). */
  readonly origin: string;
  /** A short name for files: "hybrid-4q-2l" or "<circuit>-4q-2l". */
  readonly fileStem: string;
}

/** What the panel shows instead of a circuit, and why. */
export interface NoCircuit {
  readonly reason: 'choose-model' | 'loading' | 'error';
  readonly message: string;
}

function slug(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'circuit'
  );
}

/** The circuit for the panel's settings, or why there is none to show yet. */
export function circuitView(
  settings: Omit<CircuitSettings, 'inputs' | 'quantumVolume'>,
  model: CircuitModelState | null,
): CircuitView | NoCircuit {
  if (settings.source === 'config') {
    const { qubits, layers, readout, seed } = settings;
    return {
      def: hybridLayerCircuit({ nQubits: qubits, nLayers: layers, readout }),
      qubits,
      layers,
      readout,
      weights: seededAngles(qubits, layers, seed),
      origin: `seeded random angles (seed ${seed})`,
      fileStem: `hybrid-${qubits}q-${layers}l`,
    };
  }
  if (!settings.modelId) {
    return { reason: 'choose-model', message: 'Choose a trained model to see its circuit.' };
  }
  if (!model || model.id !== settings.modelId || model.status === 'loading') {
    return { reason: 'loading', message: 'Reading the model’s circuit angles…' };
  }
  if (model.status === 'error') return { reason: 'error', message: model.error };
  const circuit = model.circuits.find((c) => c.name === settings.circuitName) ?? model.circuits[0];
  const { qubits, layers } = circuit;
  return {
    def: hybridLayerCircuit({ nQubits: qubits, nLayers: layers, readout: model.readout }),
    qubits,
    layers,
    readout: model.readout,
    weights: circuit.angles,
    origin: `trained angles of ${circuit.name} in “${model.label}”`,
    fileStem: `${slug(circuit.name)}-${qubits}q-${layers}l`,
  };
}

export function isCircuitView(v: CircuitView | NoCircuit): v is CircuitView {
  return 'def' in v;
}
