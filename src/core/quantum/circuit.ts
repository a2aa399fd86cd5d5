/**
 * A circuit definition: a small immutable, JSON-serialisable value (qubit count, operations,
 * readouts) that can be saved, shared and compared. What is computed from it — states,
 * readout values, gradients, statistics — lives in other types (simulate.ts, circuitStats.ts).
 *
 * Conventions (DOMAIN.md, "Reference conventions"): wire 0 is the most significant bit of a
 * basis index; RX(θ) = [[c, −is], [−is, c]], RY(θ) = [[c, −s], [s, c]],
 * RZ(θ) = diag(e^{−iθ/2}, e^{iθ/2}) with c = cos θ/2, s = sin θ/2; Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ)
 * (RZ(φ) acts first, as in PennyLane).
 */

/** A trainable angle: entry `weight` of the circuit's weight vector (radians). */
export interface WeightRef {
  readonly weight: number;
}

/**
 * An encoded data value: `scale`·inputs[input] radians (scale 1 when absent). Gradients reach
 * the input through the chain rule: dL/dx = scale·dL/dθ, summed over every gate that uses it.
 */
export interface InputRef {
  readonly input: number;
  readonly scale?: number;
}

/** A rotation angle: a constant (radians), an encoded input or a trainable weight. */
export type Angle = number | InputRef | WeightRef;

/**
 * A complex matrix as two real matrices of the same shape (rows of columns), so that it
 * survives JSON. A two-qubit matrix's row/column index is 2·bit(wires[0]) + bit(wires[1]).
 */
export interface ComplexMatrix {
  readonly re: readonly (readonly number[])[];
  readonly im: readonly (readonly number[])[];
}

export type RotationAxis = 'X' | 'Y' | 'Z';

/** A single-parameter rotation exp(−iθP/2), P the axis' Pauli matrix. */
export interface RotationOp {
  readonly kind: 'RX' | 'RY' | 'RZ';
  readonly wire: number;
  readonly angle: Angle;
}

/** Rot(φ, θ, ω) = RZ(ω)·RY(θ)·RZ(φ); `angles` is [φ, θ, ω]. */
export interface RotOp {
  readonly kind: 'Rot';
  readonly wire: number;
  readonly angles: readonly [Angle, Angle, Angle];
}

/** CNOT with wires [control, target]; CZ is symmetric in its wires. */
export interface TwoQubitFixedOp {
  readonly kind: 'CNOT' | 'CZ';
  readonly wires: readonly [number, number];
}

/** A constant single-qubit unitary (2×2). */
export interface Unitary1Op {
  readonly kind: 'Unitary1';
  readonly wire: number;
  readonly matrix: ComplexMatrix;
}

/** A constant two-qubit unitary (4×4), index 2·bit(wires[0]) + bit(wires[1]). */
export interface Unitary2Op {
  readonly kind: 'Unitary2';
  readonly wires: readonly [number, number];
  readonly matrix: ComplexMatrix;
}

export type Operation = RotationOp | RotOp | TwoQubitFixedOp | Unitary1Op | Unitary2Op;
/** The operations the simulator applies directly: everything but Rot. */
export type PrimitiveOperation = RotationOp | TwoQubitFixedOp | Unitary1Op | Unitary2Op;
export type GateKind = Operation['kind'];

export const GATE_KINDS: readonly GateKind[] = [
  'RX',
  'RY',
  'RZ',
  'Rot',
  'CNOT',
  'CZ',
  'Unitary1',
  'Unitary2',
];

/** An expectation value: ⟨X_w⟩, ⟨Y_w⟩, ⟨Z_w⟩ or ⟨Z_a Z_b⟩. */
export type Readout =
  | { readonly kind: 'X' | 'Y' | 'Z'; readonly wire: number }
  | { readonly kind: 'ZZ'; readonly wires: readonly [number, number] };

export interface CircuitDefinition {
  readonly nQubits: number;
  /** Length of the input vector the circuit reads (≥ 1 + the largest input index used). */
  readonly nInputs: number;
  /** Length of the weight vector the circuit reads (≥ 1 + the largest weight index used). */
  readonly nWeights: number;
  readonly operations: readonly Operation[];
  readonly readouts: readonly Readout[];
}

/** Simulating 2^n amplitudes in float64: 2^24 amplitudes is 256 MiB, past a browser's comfort. */
export const MAX_QUBITS = 24;

export function isInputRef(a: Angle): a is InputRef {
  return typeof a === 'object' && 'input' in a;
}

export function isWeightRef(a: Angle): a is WeightRef {
  return typeof a === 'object' && 'weight' in a;
}

/** The angle's value in radians for these inputs and weights. */
export function resolveAngle(
  a: Angle,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): number {
  if (typeof a === 'number') return a;
  if (isInputRef(a)) return (a.scale ?? 1) * inputs[a.input];
  return weights[a.weight];
}

/** The wires an operation touches, in the operation's order. */
export function operationWires(op: Operation): readonly number[] {
  return 'wire' in op ? [op.wire] : op.wires;
}

/** The angles an operation reads (none for fixed gates). */
export function operationAngles(op: Operation): readonly Angle[] {
  if (op.kind === 'Rot') return op.angles;
  if (op.kind === 'RX' || op.kind === 'RY' || op.kind === 'RZ') return [op.angle];
  return [];
}

/** Rot(φ, θ, ω) as RZ(φ), RY(θ), RZ(ω) in application order; other operations unchanged. */
export function decompose(op: Operation): readonly PrimitiveOperation[] {
  if (op.kind !== 'Rot') return [op];
  const [phi, theta, omega] = op.angles;
  return [
    { kind: 'RZ', wire: op.wire, angle: phi },
    { kind: 'RY', wire: op.wire, angle: theta },
    { kind: 'RZ', wire: op.wire, angle: omega },
  ];
}

/** Every operation of the circuit as primitive operations, in application order. */
export function primitiveOperations(def: CircuitDefinition): readonly PrimitiveOperation[] {
  return def.operations.flatMap(decompose);
}

function checkIndex(what: string, value: number, bound: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= bound) {
    throw new Error(`${what} must be a whole number in 0..${bound - 1}, got ${value}`);
  }
}

function checkMatrix(what: string, m: ComplexMatrix, dim: number): void {
  const ok = (rows: readonly (readonly number[])[]) =>
    Array.isArray(rows) &&
    rows.length === dim &&
    rows.every((r) => Array.isArray(r) && r.length === dim && r.every(Number.isFinite));
  if (!ok(m.re) || !ok(m.im)) {
    throw new Error(`${what}: matrix must have finite re and im parts of shape ${dim}×${dim}`);
  }
  // Unitarity: (M†M)_jk = Σ_r conj(M_rj)·M_rk = δ_jk, to a tolerance that forgives matrices
  // typed with ~12 significant digits.
  for (let j = 0; j < dim; j++) {
    for (let k = 0; k < dim; k++) {
      let sr = 0;
      let si = 0;
      for (let r = 0; r < dim; r++) {
        sr += m.re[r][j] * m.re[r][k] + m.im[r][j] * m.im[r][k];
        si += m.re[r][j] * m.im[r][k] - m.im[r][j] * m.re[r][k];
      }
      if (Math.abs(sr - (j === k ? 1 : 0)) > 1e-9 || Math.abs(si) > 1e-9) {
        throw new Error(`${what}: matrix is not unitary (M†M differs from I at [${j}][${k}])`);
      }
    }
  }
}

/**
 * Checks an operation against a qubit count; throws an error naming the operation's position.
 */
function checkOperation(op: Operation, index: number, nQubits: number): void {
  const where = `operation ${index} (${op.kind})`;
  if (!GATE_KINDS.includes(op.kind)) throw new Error(`${where}: unknown gate kind`);
  const wires = operationWires(op);
  wires.forEach((w, k) => checkIndex(`${where}: wire ${k}`, w, nQubits));
  if (wires.length === 2 && wires[0] === wires[1]) {
    throw new Error(`${where}: its two wires must differ, got ${wires[0]} twice`);
  }
  for (const a of operationAngles(op)) {
    if (typeof a === 'number') {
      if (!Number.isFinite(a)) throw new Error(`${where}: angle must be finite, got ${a}`);
    } else if (isInputRef(a)) {
      checkIndex(`${where}: input index`, a.input, Number.MAX_SAFE_INTEGER);
      if (a.scale !== undefined && !Number.isFinite(a.scale)) {
        throw new Error(`${where}: input scale must be finite, got ${a.scale}`);
      }
    } else if (isWeightRef(a)) {
      checkIndex(`${where}: weight index`, a.weight, Number.MAX_SAFE_INTEGER);
    } else {
      throw new Error(`${where}: an angle is a number, {input} or {weight}`);
    }
  }
  if (op.kind === 'Unitary1') checkMatrix(where, op.matrix, 2);
  if (op.kind === 'Unitary2') checkMatrix(where, op.matrix, 4);
}

function checkReadout(r: Readout, index: number, nQubits: number): void {
  const where = `readout ${index} (${r.kind})`;
  if (r.kind === 'ZZ') {
    r.wires.forEach((w, k) => checkIndex(`${where}: wire ${k}`, w, nQubits));
    if (r.wires[0] === r.wires[1]) throw new Error(`${where}: its two wires must differ`);
  } else if (r.kind === 'X' || r.kind === 'Y' || r.kind === 'Z') {
    checkIndex(`${where}: wire`, r.wire, nQubits);
  } else {
    throw new Error(`${where}: unknown readout kind`);
  }
}

/** 1 + the largest input and weight indices the operations use (0 when none). */
function usedLengths(ops: readonly Operation[]): { inputs: number; weights: number } {
  let inputs = 0;
  let weights = 0;
  for (const op of ops) {
    for (const a of operationAngles(op)) {
      if (isInputRef(a)) inputs = Math.max(inputs, a.input + 1);
      else if (isWeightRef(a)) weights = Math.max(weights, a.weight + 1);
    }
  }
  return { inputs, weights };
}

/**
 * A validated circuit. `nInputs`/`nWeights` default to what the operations use and may be
 * given larger (a layer that reads a wider vector than its gates use); never smaller.
 */
export function createCircuit(spec: {
  readonly nQubits: number;
  readonly operations?: readonly Operation[];
  readonly readouts?: readonly Readout[];
  readonly nInputs?: number;
  readonly nWeights?: number;
}): CircuitDefinition {
  const { nQubits } = spec;
  if (!Number.isInteger(nQubits) || nQubits < 1 || nQubits > MAX_QUBITS) {
    throw new Error(`nQubits must be a whole number in 1..${MAX_QUBITS}, got ${nQubits}`);
  }
  const operations = spec.operations ?? [];
  const readouts = spec.readouts ?? [];
  operations.forEach((op, i) => checkOperation(op, i, nQubits));
  readouts.forEach((r, i) => checkReadout(r, i, nQubits));
  const used = usedLengths(operations);
  const nInputs = spec.nInputs ?? used.inputs;
  const nWeights = spec.nWeights ?? used.weights;
  if (!Number.isInteger(nInputs) || nInputs < used.inputs) {
    throw new Error(
      `nInputs must be a whole number ≥ ${used.inputs} (inputs used), got ${nInputs}`,
    );
  }
  if (!Number.isInteger(nWeights) || nWeights < used.weights) {
    throw new Error(
      `nWeights must be a whole number ≥ ${used.weights} (weights used), got ${nWeights}`,
    );
  }
  return Object.freeze({
    nQubits,
    nInputs,
    nWeights,
    operations: Object.freeze([...operations]),
    readouts: Object.freeze([...readouts]),
  });
}

/** A new circuit with `ops` appended (input and weight counts grow to cover them). */
export function appendOperations(
  def: CircuitDefinition,
  ops: readonly Operation[],
): CircuitDefinition {
  const used = usedLengths(ops);
  return createCircuit({
    nQubits: def.nQubits,
    operations: [...def.operations, ...ops],
    readouts: def.readouts,
    nInputs: Math.max(def.nInputs, used.inputs),
    nWeights: Math.max(def.nWeights, used.weights),
  });
}

/** A new circuit with these readouts in place of the old ones. */
export function withReadouts(
  def: CircuitDefinition,
  readouts: readonly Readout[],
): CircuitDefinition {
  return createCircuit({ ...def, readouts });
}

/** Throws unless inputs and weights have the lengths the circuit reads. */
export function checkParameters(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): void {
  if (inputs.length !== def.nInputs) {
    throw new Error(`The circuit reads ${def.nInputs} inputs, got ${inputs.length}`);
  }
  if (weights.length !== def.nWeights) {
    throw new Error(`The circuit reads ${def.nWeights} weights, got ${weights.length}`);
  }
}

/** A readable label: "⟨X_0⟩", "⟨Z_1 Z_2⟩". */
export function readoutLabel(r: Readout): string {
  return r.kind === 'ZZ' ? `⟨Z_${r.wires[0]} Z_${r.wires[1]}⟩` : `⟨${r.kind}_${r.wire}⟩`;
}
