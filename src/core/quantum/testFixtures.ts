/**
 * Test fixtures of the quantum simulator: random states, unitaries and circuits (all from a
 * seeded RNG), dense Kronecker-built operators, and the golden file of the seed circuit.
 * Imported by tests only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../../testing/close';
import type { Rng } from '../util/rng';
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
import { identity, toComplexMatrix, type Matrix } from './gates';
import type { StateVector } from './state';
import {
  angleEmbedding,
  basicEntanglerLayers,
  dataReuploading,
  stronglyEntanglingLayers,
} from './templates';

/** Tolerances of the quantum tests. */
export const QTOL = {
  /** Two float64 evaluations of the same quantity: only rounding differs. */
  exact: 1e-10,
  /** The golden file, computed elsewhere in float64. */
  golden: 1e-9,
  /** Central finite differences with step FD_STEP: O(h²) truncation plus rounding/h. */
  finiteDifference: 1e-6,
} as const;

/** Step of the central finite differences (radians). */
export const FD_STEP = 1e-5;

/** A random normalised state of n qubits. */
export function randomState(rng: Rng, nQubits: number): StateVector {
  const s = new Float64Array(2 << nQubits);
  for (let k = 0; k < s.length; k++) s[k] = rng.normal();
  const norm = Math.hypot(...s);
  for (let k = 0; k < s.length; k++) s[k] /= norm;
  return s;
}

/** A random d×d unitary: Gram–Schmidt on the columns of a complex Gaussian matrix. */
export function randomUnitary(rng: Rng, d: number): Matrix {
  const m = new Float64Array(2 * d * d);
  for (let k = 0; k < m.length; k++) m[k] = rng.normal();
  const at = (r: number, c: number) => 2 * (r * d + c);
  for (let c = 0; c < d; c++) {
    for (let p = 0; p < c; p++) {
      // m[:, c] −= ⟨m[:, p], m[:, c]⟩·m[:, p]
      let re = 0;
      let im = 0;
      for (let r = 0; r < d; r++) {
        const [pr, pi, cr, ci] = [m[at(r, p)], m[at(r, p) + 1], m[at(r, c)], m[at(r, c) + 1]];
        re += pr * cr + pi * ci;
        im += pr * ci - pi * cr;
      }
      for (let r = 0; r < d; r++) {
        const [pr, pi] = [m[at(r, p)], m[at(r, p) + 1]];
        m[at(r, c)] -= re * pr - im * pi;
        m[at(r, c) + 1] -= re * pi + im * pr;
      }
    }
    let norm = 0;
    for (let r = 0; r < d; r++) norm += m[at(r, c)] ** 2 + m[at(r, c) + 1] ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < d; r++) {
      m[at(r, c)] /= norm;
      m[at(r, c) + 1] /= norm;
    }
  }
  return m;
}

/** a ⊗ b. */
export function kron(a: Matrix, b: Matrix): Matrix {
  const da = Math.round(Math.sqrt(a.length / 2));
  const db = Math.round(Math.sqrt(b.length / 2));
  const d = da * db;
  const out = new Float64Array(2 * d * d);
  for (let ar = 0; ar < da; ar++)
    for (let ac = 0; ac < da; ac++)
      for (let br = 0; br < db; br++)
        for (let bc = 0; bc < db; bc++) {
          const x = 2 * (ar * da + ac);
          const y = 2 * (br * db + bc);
          const o = 2 * ((ar * db + br) * d + (ac * db + bc));
          out[o] = a[x] * b[y] - a[x + 1] * b[y + 1];
          out[o + 1] = a[x] * b[y + 1] + a[x + 1] * b[y];
        }
  return out;
}

/** The full 2^n × 2^n operator of a one-qubit matrix on `wire`: I⊗…⊗m⊗…⊗I, wire 0 leftmost. */
export function denseOneQubit(nQubits: number, wire: number, m: Matrix): Matrix {
  let out = identity(1);
  for (let w = 0; w < nQubits; w++) out = kron(out, w === wire ? m : identity(2));
  return out;
}

/**
 * The full operator of a two-qubit matrix on wires [a, b] (any order, not necessarily
 * adjacent): Σ_{jk} |j⟩⟨k| on (a, b) ⊗ identity elsewhere, from Kronecker products of the
 * single-wire outer products |x⟩⟨y|.
 */
export function denseTwoQubit(
  nQubits: number,
  wires: readonly [number, number],
  m: Matrix,
): Matrix {
  const dim = 1 << nQubits;
  const total = new Float64Array(2 * dim * dim);
  const outer = (x: number, y: number) => {
    const e = new Float64Array(8);
    e[2 * (x * 2 + y)] = 1;
    return e;
  };
  for (let j = 0; j < 4; j++) {
    for (let k = 0; k < 4; k++) {
      const mr = m[2 * (j * 4 + k)];
      const mi = m[2 * (j * 4 + k) + 1];
      if (mr === 0 && mi === 0) continue;
      let term = identity(1);
      for (let w = 0; w < nQubits; w++) {
        const factor =
          w === wires[0]
            ? outer(j >> 1, k >> 1)
            : w === wires[1]
              ? outer(j & 1, k & 1)
              : identity(2);
        term = kron(term, factor);
      }
      for (let t = 0; t < total.length; t += 2) {
        total[t] += mr * term[t] - mi * term[t + 1];
        total[t + 1] += mr * term[t + 1] + mi * term[t];
      }
    }
  }
  return total;
}

/** M·ψ for a dense operator. */
export function denseApply(m: Matrix, state: StateVector): StateVector {
  const d = state.length / 2;
  const out = new Float64Array(state.length);
  for (let r = 0; r < d; r++) {
    let re = 0;
    let im = 0;
    for (let c = 0; c < d; c++) {
      const [a, b] = [m[2 * (r * d + c)], m[2 * (r * d + c) + 1]];
      re += a * state[2 * c] - b * state[2 * c + 1];
      im += a * state[2 * c + 1] + b * state[2 * c];
    }
    out[2 * r] = re;
    out[2 * r + 1] = im;
  }
  return out;
}

const AXES: readonly RotationAxis[] = ['X', 'Y', 'Z'];

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[Math.floor(rng.uniform() * xs.length)];
}

function randomAngle(rng: Rng, nInputs: number, nWeights: number): Angle {
  const u = rng.uniform();
  if (u < 0.2) return rng.normal();
  if (u < 0.4) return { input: Math.floor(rng.uniform() * nInputs), scale: 0.5 + rng.uniform() };
  if (u < 0.6) return { input: Math.floor(rng.uniform() * nInputs) };
  return { weight: Math.floor(rng.uniform() * nWeights) };
}

function twoWires(rng: Rng, n: number): [number, number] {
  const a = Math.floor(rng.uniform() * n);
  const b = (a + 1 + Math.floor(rng.uniform() * (n - 1))) % n;
  return [a, b];
}

/**
 * A random circuit on n qubits using every gate kind (two-qubit kinds when n ≥ 2) and every
 * template, angles drawn among constants, (scaled) inputs and weights, so that inputs and
 * weights are shared between gates. Readouts: X, Y, Z on every wire and some ZZ pairs.
 */
export function randomCircuit(rng: Rng, nQubits: number, nGates = 12): CircuitDefinition {
  const nInputs = nQubits + 1;
  const nWeights = 5;
  const ops: Operation[] = [];
  const kinds =
    nQubits >= 2
      ? (['RX', 'RY', 'RZ', 'Rot', 'CNOT', 'CZ', 'Unitary1', 'Unitary2'] as const)
      : (['RX', 'RY', 'RZ', 'Rot', 'Unitary1'] as const);
  // Every kind once, then random kinds.
  const sequence = [...kinds, ...Array.from({ length: nGates }, () => pick(rng, kinds))];
  for (const kind of sequence) {
    const wire = Math.floor(rng.uniform() * nQubits);
    const angle = () => randomAngle(rng, nInputs, nWeights);
    switch (kind) {
      case 'RX':
      case 'RY':
      case 'RZ':
        ops.push({ kind, wire, angle: angle() });
        break;
      case 'Rot':
        ops.push({ kind, wire, angles: [angle(), angle(), angle()] });
        break;
      case 'CNOT':
      case 'CZ':
        ops.push({ kind, wires: twoWires(rng, nQubits) });
        break;
      case 'Unitary1':
        ops.push({ kind, wire, matrix: toComplexMatrix(randomUnitary(rng, 2)) });
        break;
      case 'Unitary2':
        ops.push({
          kind,
          wires: twoWires(rng, nQubits),
          matrix: toComplexMatrix(randomUnitary(rng, 4)),
        });
        break;
    }
  }
  let def = createCircuit({ nQubits, operations: ops, nInputs, nWeights });
  def = angleEmbedding(def, { rotation: pick(rng, AXES), scale: 0.7 });
  def = stronglyEntanglingLayers(def, { nLayers: 2 });
  def = basicEntanglerLayers(def, { nLayers: 1, rotation: pick(rng, AXES) });
  def = dataReuploading(def, {
    nLayers: 2,
    embedding: ['X', 'Z'],
    inputOffset: 1,
    layer: (d) => stronglyEntanglingLayers(d, { nLayers: 1 }),
  });
  def = appendOperations(def, [{ kind: 'RY', wire: 0, angle: { weight: 0 } }]);
  const readouts: Readout[] = [];
  for (let w = 0; w < nQubits; w++) for (const kind of AXES) readouts.push({ kind, wire: w });
  if (nQubits >= 2) {
    readouts.push({ kind: 'ZZ', wires: [0, nQubits - 1] });
    readouts.push({ kind: 'ZZ', wires: twoWires(rng, nQubits) });
  }
  return withReadouts(def, readouts);
}

/** n values from N(0, sd²). */
export function randomVector(rng: Rng, n: number, sd = 1): Float64Array {
  return Float64Array.from({ length: n }, () => sd * rng.normal());
}

/** One case of shared/golden/qnn-circuit.json. */
export interface GoldenQnnCase {
  readonly n_qubits: number;
  readonly n_layers: number;
  readonly batch: number;
  /** [batch][n] */
  readonly inputs: number[][];
  /** [L][n][3] */
  readonly weights: number[][][];
  /** [batch][4n] */
  readonly outputs: number[][];
  /** [4n] */
  readonly loss_coefficients: number[];
  /** [batch][n] */
  readonly grad_inputs: number[][];
  /** [L][n][3], summed over the batch. */
  readonly grad_weights: number[][][];
}

export const goldenQnnPath = path.join(sharedDir, 'golden/qnn-circuit.json');

export function loadGoldenQnn(): GoldenQnnCase[] {
  return (JSON.parse(fs.readFileSync(goldenQnnPath, 'utf8')) as { cases: GoldenQnnCase[] }).cases;
}
