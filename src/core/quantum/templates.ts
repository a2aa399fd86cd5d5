/**
 * Circuit templates (after PennyLane's templates of the same names): each takes a circuit and
 * returns a new one with the template's operations appended, so templates compose. Weights
 * are numbered from `weightOffset` (default: after the circuit's current weights), inputs from
 * `inputOffset` (default 0: embeddings re-read the same data).
 *
 * `hybridLayerCircuit` is the seed model's circuit (DOMAIN.md, "Hybrid quantum layer").
 */
import {
  appendOperations,
  createCircuit,
  withReadouts,
  type Angle,
  type CircuitDefinition,
  type Operation,
  type Readout,
  type RotationAxis,
} from './circuit';

/** The named readout sets of the hybrid layer: 4n, 3n or n values. */
export const READOUTS = ['xyzzz', 'xyz', 'z'] as const;
export type ReadoutName = (typeof READOUTS)[number];

export function isReadoutName(value: unknown): value is ReadoutName {
  return typeof value === 'string' && (READOUTS as readonly string[]).includes(value);
}

/** The number of values a named readout gives on n qubits. */
export function readoutWidth(readout: ReadoutName, nQubits: number): number {
  return readout === 'xyzzz' ? 4 * nQubits : readout === 'xyz' ? 3 * nQubits : nQubits;
}

/**
 * The readouts of a named set on n wires, in the seed's order: ⟨X_0..X_{n−1}⟩, ⟨Y_0..⟩,
 * ⟨Z_0..⟩, then ⟨Z_i Z_{(i+1) mod n}⟩ for i = 0..n−1 ('xyzzz' only; for n = 2 both (0,1) and
 * (1,0) are kept, as in the seed and the golden file).
 */
export function namedReadouts(readout: ReadoutName, nQubits: number): Readout[] {
  const wires = Array.from({ length: nQubits }, (_, i) => i);
  const single = (kind: 'X' | 'Y' | 'Z') => wires.map((wire): Readout => ({ kind, wire }));
  if (readout === 'z') return single('Z');
  const xyz = [...single('X'), ...single('Y'), ...single('Z')];
  if (readout === 'xyz') return xyz;
  if (nQubits < 2) throw new Error('The ZZ readouts need at least 2 qubits');
  return [...xyz, ...wires.map((i): Readout => ({ kind: 'ZZ', wires: [i, (i + 1) % nQubits] }))];
}

/** A circuit with no operations and no readouts. */
export function emptyCircuit(nQubits: number): CircuitDefinition {
  return createCircuit({ nQubits });
}

const ROTATION_KIND = { X: 'RX', Y: 'RY', Z: 'RZ' } as const;

function wiresOf(def: CircuitDefinition): number[] {
  return Array.from({ length: def.nQubits }, (_, i) => i);
}

function checkLayers(nLayers: number): void {
  if (!Number.isInteger(nLayers) || nLayers < 0) {
    throw new Error(`nLayers must be a whole number ≥ 0, got ${nLayers}`);
  }
}

/**
 * Angle embedding: R_axis(scale·x_{inputOffset+i}) on wire i, for every wire.
 */
export function angleEmbedding(
  def: CircuitDefinition,
  opts: { readonly rotation: RotationAxis; readonly inputOffset?: number; readonly scale?: number },
): CircuitDefinition {
  const offset = opts.inputOffset ?? 0;
  const ops = wiresOf(def).map((wire): Operation => ({
    kind: ROTATION_KIND[opts.rotation],
    wire,
    angle:
      opts.scale === undefined
        ? { input: offset + wire }
        : { input: offset + wire, scale: opts.scale },
  }));
  return appendOperations(def, ops);
}

/**
 * PennyLane's default ranges of StronglyEntanglingLayers: r_l = (l mod (n − 1)) + 1, and no
 * entanglers on a single wire.
 */
export function defaultRanges(nQubits: number, nLayers: number): number[] {
  return Array.from({ length: nLayers }, (_, l) => (nQubits > 1 ? (l % (nQubits - 1)) + 1 : 0));
}

/**
 * Strongly entangling layers: per layer l, Rot(w[l,i,0], w[l,i,1], w[l,i,2]) on every wire i,
 * then CNOT(i, (i + r_l) mod n) for i = 0..n−1 (none on one wire). Weight w[l,i,k] is
 * weightOffset + (l·n + i)·3 + k: 3·n·nLayers weights.
 */
export function stronglyEntanglingLayers(
  def: CircuitDefinition,
  opts: {
    readonly nLayers: number;
    readonly weightOffset?: number;
    /** r_l per layer, 1 ≤ r_l < n (PennyLane's defaults when absent). */
    readonly ranges?: readonly number[];
  },
): CircuitDefinition {
  checkLayers(opts.nLayers);
  const n = def.nQubits;
  const offset = opts.weightOffset ?? def.nWeights;
  const ranges = opts.ranges ?? defaultRanges(n, opts.nLayers);
  if (ranges.length !== opts.nLayers) {
    throw new Error(`ranges needs one entry per layer (${opts.nLayers}), got ${ranges.length}`);
  }
  const ops: Operation[] = [];
  for (let l = 0; l < opts.nLayers; l++) {
    for (let i = 0; i < n; i++) {
      const w = (k: number): Angle => ({ weight: offset + (l * n + i) * 3 + k });
      ops.push({ kind: 'Rot', wire: i, angles: [w(0), w(1), w(2)] });
    }
    if (n === 1) continue;
    const r = ranges[l];
    if (!Number.isInteger(r) || r < 1 || r >= n) {
      throw new Error(`ranges[${l}] must be a whole number in 1..${n - 1}, got ${r}`);
    }
    for (let i = 0; i < n; i++) ops.push({ kind: 'CNOT', wires: [i, (i + r) % n] });
  }
  return appendOperations(def, ops);
}

/**
 * Basic entangler layers: per layer l, R_axis(w[l,i]) on every wire i, then a CNOT ring
 * CNOT(i, (i+1) mod n) — a single CNOT(0, 1) on two wires and none on one, as in PennyLane.
 * Weight w[l,i] is weightOffset + l·n + i.
 */
export function basicEntanglerLayers(
  def: CircuitDefinition,
  opts: {
    readonly nLayers: number;
    readonly rotation?: RotationAxis;
    readonly weightOffset?: number;
  },
): CircuitDefinition {
  checkLayers(opts.nLayers);
  const n = def.nQubits;
  const offset = opts.weightOffset ?? def.nWeights;
  const kind = ROTATION_KIND[opts.rotation ?? 'X'];
  const ops: Operation[] = [];
  for (let l = 0; l < opts.nLayers; l++) {
    for (let i = 0; i < n; i++) ops.push({ kind, wire: i, angle: { weight: offset + l * n + i } });
    if (n === 2) ops.push({ kind: 'CNOT', wires: [0, 1] });
    else if (n > 2) for (let i = 0; i < n; i++) ops.push({ kind: 'CNOT', wires: [i, (i + 1) % n] });
  }
  return appendOperations(def, ops);
}

/**
 * Data re-uploading: per layer l, the angle embedding of the same inputs once per listed
 * rotation (in order), then `layer(circuit, l)`.
 */
export function dataReuploading(
  def: CircuitDefinition,
  opts: {
    readonly nLayers: number;
    readonly embedding: readonly RotationAxis[];
    readonly inputOffset?: number;
    readonly scale?: number;
    readonly layer: (def: CircuitDefinition, layer: number) => CircuitDefinition;
  },
): CircuitDefinition {
  checkLayers(opts.nLayers);
  let out = def;
  for (let l = 0; l < opts.nLayers; l++) {
    for (const rotation of opts.embedding) {
      out = angleEmbedding(out, {
        rotation,
        ...(opts.inputOffset !== undefined ? { inputOffset: opts.inputOffset } : {}),
        ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
      });
    }
    out = opts.layer(out, l);
  }
  return out;
}

/** The index of the seed circuit's weight w[l, i, k] in its weight vector. */
export function hybridWeightIndex(nQubits: number, layer: number, wire: number, k: number): number {
  return (layer * nQubits + wire) * 3 + k;
}

/**
 * THE seed circuit of the hybrid quantum layer: per layer l, RY(x_i) on every wire, then
 * RX(x_i) on every wire, then Rot(w[l,i,0], w[l,i,1], w[l,i,2]) on every wire, then
 * CNOT(i, (i+1) mod n) for i = 0..n−1 (range 1 on every layer, unlike PennyLane's default
 * ranges). n inputs, 3·n·nLayers weights (hybridWeightIndex), readouts as named.
 */
export function hybridLayerCircuit(opts: {
  readonly nQubits: number;
  readonly nLayers: number;
  readonly readout?: ReadoutName;
}): CircuitDefinition {
  const { nQubits: n, nLayers } = opts;
  if (!Number.isInteger(n) || n < 2) {
    throw new Error(`The hybrid layer's CNOT ring needs a whole number ≥ 2 of qubits, got ${n}`);
  }
  if (!Number.isInteger(nLayers) || nLayers < 1) {
    throw new Error(`The hybrid layer needs a whole number ≥ 1 of layers, got ${nLayers}`);
  }
  const readout = opts.readout ?? 'xyzzz';
  if (!isReadoutName(readout)) {
    throw new Error(`readout must be one of ${READOUTS.join(', ')}, got "${String(readout)}"`);
  }
  const circuit = dataReuploading(emptyCircuit(n), {
    nLayers,
    embedding: ['Y', 'X'],
    layer: (d, l) =>
      stronglyEntanglingLayers(d, {
        nLayers: 1,
        weightOffset: hybridWeightIndex(n, l, 0, 0),
        ranges: [1],
      }),
  });
  return withReadouts(circuit, namedReadouts(readout, n));
}
