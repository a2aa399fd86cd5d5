/**
 * Exporting a circuit, its inputs and weights bound (numbers substituted), as OpenQASM 2.0 or
 * 3.0 text for other tools and hardware. Qubit q[i] is wire i. RX/RY/RZ become rx/ry/rz,
 * Rot(φ, θ, ω) becomes rz(φ); ry(θ); rz(ω), CNOT cx, CZ cz, and a constant one-qubit unitary
 * u3(θ, φ, λ) (gates.ts u3Angles). Global phases are dropped: they change no readout. General
 * two-qubit unitaries are not exported (they would need a KAK decomposition).
 *
 * The readouts are expectation values, not in-circuit measurements, so the text names them in
 * a comment and measures nothing; the classical register is declared for tools that expect one.
 */
import {
  checkParameters,
  decompose,
  resolveAngle,
  type CircuitDefinition,
  type Operation,
  type Readout,
} from './circuit';
import { fromComplexMatrix, u3Angles } from './gates';

export type QasmVersion = '2.0' | '3.0';

/**
 * A number as an OpenQASM real literal that reads back to the same double: the shortest
 * round-trip form, with a decimal point before any exponent (OpenQASM 2's grammar needs it).
 */
export function qasmNumber(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`OpenQASM has no literal for ${x}`);
  const s = String(x);
  const e = s.indexOf('e');
  return e >= 0 && !s.slice(0, e).includes('.') ? `${s.slice(0, e)}.0${s.slice(e)}` : s;
}

function readoutText(r: Readout): string {
  return r.kind === 'ZZ' ? `<Z${r.wires[0]} Z${r.wires[1]}>` : `<${r.kind}${r.wire}>`;
}

function gateLines(
  op: Operation,
  index: number,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): string[] {
  const q = (w: number) => `q[${w}]`;
  switch (op.kind) {
    case 'RX':
    case 'RY':
    case 'RZ':
      return [
        `${op.kind.toLowerCase()}(${qasmNumber(resolveAngle(op.angle, inputs, weights))}) ${q(op.wire)};`,
      ];
    case 'Rot':
      return decompose(op).flatMap((p) => gateLines(p, index, inputs, weights));
    case 'CNOT':
      return [`cx ${q(op.wires[0])}, ${q(op.wires[1])};`];
    case 'CZ':
      return [`cz ${q(op.wires[0])}, ${q(op.wires[1])};`];
    case 'Unitary1': {
      const a = u3Angles(fromComplexMatrix(op.matrix));
      return [
        `u3(${qasmNumber(a.theta)}, ${qasmNumber(a.phi)}, ${qasmNumber(a.lambda)}) ${q(op.wire)};`,
      ];
    }
    case 'Unitary2':
      throw new Error(
        `Operation ${index} (Unitary2 on wires ${op.wires[0]}, ${op.wires[1]}) is not expressible in OpenQASM by this exporter: a general two-qubit unitary needs a KAK decomposition into cx and one-qubit gates.`,
      );
  }
}

/** The circuit as OpenQASM text, inputs and weights bound. */
export function toQasm(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
  version: QasmVersion = '2.0',
): string {
  checkParameters(def, inputs, weights);
  const n = def.nQubits;
  const body = def.operations.flatMap((op, i) => gateLines(op, i, inputs, weights));
  const header =
    version === '2.0'
      ? ['OPENQASM 2.0;', 'include "qelib1.inc";']
      : ['OPENQASM 3.0;', 'include "stdgates.inc";'];
  const readouts = def.readouts.map(readoutText).join(', ');
  const registers =
    version === '2.0' ? [`qreg q[${n}];`, `creg c[${n}];`] : [`qubit[${n}] q;`, `bit[${n}] c;`];
  return [
    ...header,
    `// PK/PD Dosing Workbench circuit: ${n} qubits, ${def.operations.length} operations, inputs and weights bound.`,
    `// Readouts (expectation values): ${readouts || 'none'}.`,
    '// q[i] is wire i; wire 0 is the most significant bit of a basis index. Global phases dropped.',
    ...registers,
    ...body,
    '',
  ].join('\n');
}

/** OpenQASM 2.0 (qelib1.inc) text of the circuit, inputs and weights bound. */
export function toQasm2(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): string {
  return toQasm(def, inputs, weights, '2.0');
}

/** OpenQASM 3.0 (stdgates.inc) text of the circuit, inputs and weights bound. */
export function toQasm3(
  def: CircuitDefinition,
  inputs: ArrayLike<number>,
  weights: ArrayLike<number>,
): string {
  return toQasm(def, inputs, weights, '3.0');
}
