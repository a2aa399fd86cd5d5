/**
 * What a circuit costs: its statistics (computed from a CircuitDefinition, never stored in
 * it), the seed poster's parameter counts of classical and hybrid layers, and the quantum
 * volume check of whether today's hardware runs a circuit faithfully.
 */
import {
  decompose,
  GATE_KINDS,
  isInputRef,
  operationAngles,
  operationWires,
  type CircuitDefinition,
  type GateKind,
  type Operation,
} from './circuit';

export interface CircuitStats {
  readonly qubits: number;
  /**
   * The number of layers when every gate is placed as early as it can go and no two gates of
   * a layer touch the same wire (ASAP scheduling). Each operation is one gate (Rot too) unless
   * the stats were asked for with Rot expanded into RZ·RY·RZ.
   */
  readonly depth: number;
  /** Gate count per kind (every kind present, zeros included). */
  readonly gateCounts: Readonly<Record<GateKind, number>>;
  readonly totalGates: number;
  /** CNOT, CZ and general two-qubit unitaries. */
  readonly twoQubitGates: number;
  /** Distinct trainable angles the circuit reads (its weight vector's length). */
  readonly trainableAngles: number;
  /** Distinct data values the circuit reads (its input vector's length). */
  readonly encodedInputs: number;
  /** Rotation angles bound to inputs, counted per gate (re-uploading counts every time). */
  readonly inputEncodingGates: number;
  readonly readouts: number;
}

/** Statistics of a circuit; `expandRot` counts Rot as its three rotations (as on hardware). */
export function circuitStats(
  def: CircuitDefinition,
  opts: { readonly expandRot?: boolean } = {},
): CircuitStats {
  const ops: readonly Operation[] = opts.expandRot
    ? def.operations.flatMap(decompose)
    : def.operations;
  const gateCounts = Object.fromEntries(GATE_KINDS.map((k) => [k, 0])) as Record<GateKind, number>;
  const wireDepth = new Array<number>(def.nQubits).fill(0);
  let twoQubitGates = 0;
  let inputEncodingGates = 0;
  for (const op of ops) {
    gateCounts[op.kind]++;
    const wires = operationWires(op);
    if (wires.length === 2) twoQubitGates++;
    const level = Math.max(...wires.map((w) => wireDepth[w])) + 1;
    for (const w of wires) wireDepth[w] = level;
    for (const a of operationAngles(op)) if (isInputRef(a)) inputEncodingGates++;
  }
  return {
    qubits: def.nQubits,
    depth: Math.max(0, ...wireDepth),
    gateCounts,
    totalGates: ops.length,
    twoQubitGates,
    trainableAngles: def.nWeights,
    encodedInputs: def.nInputs,
    inputEncodingGates,
    readouts: def.readouts.length,
  };
}

/*
 * Parameter counts, from the seed poster's table (shared/docs/seed-poster.txt, "Model / # Qubit
 * / # C params. / # Q params."):
 *   "Classical NN  -  (N_in + M_out)M_in + M_in^2(L_nn + 2)  -"
 *   "HQNN  M_in  (N_in + M_out)M_in  3M_in L_qnn"
 * N_in inputs, M_out outputs, M_in the hidden width (for the hybrid layer, the qubit count),
 * L_nn hidden layers of the classical network, L_qnn layers of the circuit. The poster's
 * formulas count weight matrices only (no biases).
 */

/** Classical NN: (N_in + M_out)·M_in + M_in²·(L_nn + 2) weights (seed poster). */
export function classicalNnParameterCount(p: {
  readonly nIn: number;
  readonly mOut: number;
  readonly mIn: number;
  readonly nnLayers: number;
}): number {
  return (p.nIn + p.mOut) * p.mIn + p.mIn * p.mIn * (p.nnLayers + 2);
}

/**
 * Hybrid QNN (HQNN): (N_in + M_out)·M_in classical weights around a circuit of M_in qubits
 * with 3·M_in·L_qnn trainable angles (seed poster).
 */
export function hybridQnnParameterCount(p: {
  readonly nIn: number;
  readonly mOut: number;
  /** M_in = the number of qubits. */
  readonly mIn: number;
  readonly qnnLayers: number;
}): { readonly classical: number; readonly quantum: number; readonly total: number } {
  const classical = (p.nIn + p.mOut) * p.mIn;
  const quantum = 3 * p.mIn * p.qnnLayers;
  return { classical, quantum, total: classical + quantum };
}

/** Both of the poster's counts for one shape (L_nn and L_qnn given separately). */
export function hybridLayerParameterCounts(p: {
  readonly nIn: number;
  readonly mOut: number;
  readonly mIn: number;
  readonly nnLayers: number;
  readonly qnnLayers: number;
}): {
  readonly classicalNn: number;
  readonly hybrid: { readonly classical: number; readonly quantum: number; readonly total: number };
} {
  return { classicalNn: classicalNnParameterCount(p), hybrid: hybridQnnParameterCount(p) };
}

/**
 * The largest square circuit (n qubits, depth n) a device of quantum volume QV runs faithfully:
 * log2(QV) (QV = 2^n by definition; floor for values between powers of two).
 */
export function quantumVolumeSize(quantumVolume: number): number {
  if (!(Number.isFinite(quantumVolume) && quantumVolume >= 1)) {
    throw new Error(`quantum volume must be a number ≥ 1, got ${quantumVolume}`);
  }
  // The epsilon keeps exact powers of two from rounding below their log.
  return Math.floor(Math.log2(quantumVolume) + 1e-12);
}

/**
 * Whether a circuit of n qubits and depth d runs faithfully on a device of quantum volume QV:
 * n ≤ log2(QV) and d ≤ log2(QV). The seed poster: "QV = 512 ⇒ T ≤ 9. That is, (9 qubits and
 * 9 depth)".
 */
export function fitsQuantumVolume(
  circuit: { readonly qubits: number; readonly depth: number },
  quantumVolume: number,
): boolean {
  const size = quantumVolumeSize(quantumVolume);
  return circuit.qubits <= size && circuit.depth <= size;
}

export interface QuantumHardware {
  readonly name: string;
  readonly vendor: string;
  readonly qubits: number;
  readonly quantumVolume: number;
  /** Error per layered gate, as a fraction (0.008 = 0.8 %). */
  readonly eplg: number;
  /** Circuit layer operations per second. */
  readonly clops: number;
  readonly t1Microseconds: number;
  readonly t2Microseconds: number;
  readonly region: string;
  readonly processor: string;
  /** Where the figures come from. */
  readonly source: string;
}

const POSTER_TABLE_1 =
  "seed poster, Table 1: The up-to-date IBM Quantum's quantum computers (shared/docs/seed-poster.txt)";

/**
 * The hardware the seed poster lists (its Table 1), exactly as printed there, names included
 * (its "ibm_toronto", a 133-qubit Heron r1, may be a misprint of ibm_torino; kept as printed).
 * Figures change as IBM recalibrates; these are the poster's snapshot. Nothing is added that
 * the poster does not list.
 */
export const QUANTUM_HARDWARE: readonly QuantumHardware[] = [
  {
    name: 'ibm_fez',
    vendor: 'IBM',
    qubits: 156,
    quantumVolume: 512,
    eplg: 0.008,
    clops: 3800,
    t1Microseconds: 136.52,
    t2Microseconds: 78.58,
    region: 'us-east',
    processor: 'Heron r1',
    source: POSTER_TABLE_1,
  },
  {
    name: 'ibm_toronto',
    vendor: 'IBM',
    qubits: 133,
    quantumVolume: 512,
    eplg: 0.01,
    clops: 3800,
    t1Microseconds: 158.27,
    t2Microseconds: 122.18,
    region: 'us-east',
    processor: 'Heron r1',
    source: POSTER_TABLE_1,
  },
];

/** The listed devices that run the circuit faithfully (empty when none do). */
export function feasibleHardware(
  circuit: { readonly qubits: number; readonly depth: number },
  hardware: readonly QuantumHardware[] = QUANTUM_HARDWARE,
): QuantumHardware[] {
  return hardware.filter(
    (h) => circuit.qubits <= h.qubits && fitsQuantumVolume(circuit, h.quantumVolume),
  );
}
