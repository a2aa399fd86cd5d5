import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng, type Rng } from '../util/rng';
import { createCircuit, type Angle, type CircuitDefinition, type Operation } from './circuit';
import { toComplexMatrix, u3 } from './gates';
import { qasmNumber, toQasm2, toQasm3 } from './qasm';
import { finalState } from './simulate';
import { innerProduct } from './state';
import { hybridLayerCircuit } from './templates';
import { QTOL, randomUnitary, randomVector } from './testFixtures';

/**
 * A tiny OpenQASM 2.0 reader for what toQasm2 writes: rx/ry/rz/u3 with numeric arguments, cx
 * and cz. Returns the circuit (angles as constants) and the declared qubit count.
 */
function parseQasm2(text: string): CircuitDefinition {
  const lines = text
    .split('\n')
    .map((l) => l.replace(/\/\/.*$/, '').trim())
    .filter(Boolean);
  expect(lines.slice(0, 2)).toEqual(['OPENQASM 2.0;', 'include "qelib1.inc";']);
  const qreg = /^qreg q\[(\d+)\];$/.exec(lines[2]);
  expect(qreg).not.toBeNull();
  expect(lines[3]).toBe(`creg c[${qreg![1]}];`);
  const ops: Operation[] = [];
  for (const line of lines.slice(4)) {
    const m = /^(\w+)(?:\(([^)]*)\))? (.*);$/.exec(line);
    if (!m) throw new Error(`unreadable line: ${line}`);
    const args = m[2] ? m[2].split(',').map(Number) : [];
    const wires = m[3].split(',').map((q) => Number(/q\[(\d+)\]/.exec(q)![1]));
    switch (m[1]) {
      case 'rx':
      case 'ry':
      case 'rz':
        ops.push({ kind: m[1].toUpperCase() as 'RX', wire: wires[0], angle: args[0] });
        break;
      case 'u3':
        ops.push({
          kind: 'Unitary1',
          wire: wires[0],
          matrix: toComplexMatrix(u3(args[0], args[1], args[2])),
        });
        break;
      case 'cx':
        ops.push({ kind: 'CNOT', wires: [wires[0], wires[1]] });
        break;
      case 'cz':
        ops.push({ kind: 'CZ', wires: [wires[0], wires[1]] });
        break;
      default:
        throw new Error(`unknown gate: ${line}`);
    }
  }
  return createCircuit({ nQubits: Number(qreg![1]), operations: ops });
}

/** A random circuit of the exportable gate kinds (no general two-qubit unitaries). */
function exportableCircuit(rng: Rng, n: number, withU3: boolean): CircuitDefinition {
  const ops: Operation[] = [];
  const angle = (): Angle => {
    const u = rng.uniform();
    return u < 0.3
      ? rng.normal()
      : u < 0.6
        ? { input: Math.floor(rng.uniform() * n), scale: 1.5 }
        : { weight: Math.floor(rng.uniform() * 4) };
  };
  for (let k = 0; k < 25; k++) {
    const wire = Math.floor(rng.uniform() * n);
    const other = (wire + 1 + Math.floor(rng.uniform() * (n - 1))) % n;
    const kinds = withU3 ? 7 : 6;
    switch (Math.floor(rng.uniform() * kinds)) {
      case 0:
        ops.push({ kind: 'RX', wire, angle: angle() });
        break;
      case 1:
        ops.push({ kind: 'RY', wire, angle: angle() });
        break;
      case 2:
        ops.push({ kind: 'RZ', wire, angle: angle() });
        break;
      case 3:
        ops.push({ kind: 'Rot', wire, angles: [angle(), angle(), angle()] });
        break;
      case 4:
        ops.push({ kind: 'CNOT', wires: [wire, other] });
        break;
      case 5:
        ops.push({ kind: 'CZ', wires: [wire, other] });
        break;
      default:
        ops.push({ kind: 'Unitary1', wire, matrix: toComplexMatrix(randomUnitary(rng, 2)) });
    }
  }
  return createCircuit({ nQubits: n, operations: ops, nInputs: n, nWeights: 4 });
}

describe('OpenQASM export', () => {
  const def = hybridLayerCircuit({ nQubits: 3, nLayers: 2 });
  const x = [0.1, 0.2, 0.3];
  const w = Array.from({ length: def.nWeights }, (_, k) => k / 10);

  it('2.0: header, registers, a readout comment and one line per gate (Rot as three)', () => {
    const text = toQasm2(def, x, w);
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('OPENQASM 2.0;');
    expect(lines[1]).toBe('include "qelib1.inc";');
    expect(lines).toContain('qreg q[3];');
    expect(lines).toContain('creg c[3];');
    expect(text).toMatch(
      /\/\/ Readouts \(expectation values\): <X0>, <X1>, <X2>, <Y0>, .*<Z2 Z0>\./,
    );
    const gates = lines.filter((l) => !l.startsWith('//') && /^(rx|ry|rz|cx|cz|u3)\b/.test(l));
    // Per layer: 3 RY + 3 RX + 3 Rot·3 + 3 CNOT = 18.
    expect(gates).toHaveLength(36);
    expect(gates.slice(0, 3)).toEqual(['ry(0.1) q[0];', 'ry(0.2) q[1];', 'ry(0.3) q[2];']);
    // Rot(w0, w1, w2) on wire 0: rz(w0), ry(w1), rz(w2).
    expect(gates.slice(6, 9)).toEqual(['rz(0) q[0];', 'ry(0.1) q[0];', 'rz(0.2) q[0];']);
    expect(gates.slice(15, 18)).toEqual(['cx q[0], q[1];', 'cx q[1], q[2];', 'cx q[2], q[0];']);
  });

  it('3.0: header and registers; the same gate lines', () => {
    const text3 = toQasm3(def, x, w).split('\n');
    const text2 = toQasm2(def, x, w).split('\n');
    expect(text3.slice(0, 2)).toEqual(['OPENQASM 3.0;', 'include "stdgates.inc";']);
    expect(text3).toContain('qubit[3] q;');
    expect(text3).toContain('bit[3] c;');
    const gatesOf = (ls: string[]) => ls.filter((l) => /^(rx|ry|rz|cx|cz|u3)\b/.test(l));
    expect(gatesOf(text3)).toEqual(gatesOf(text2));
  });

  it('reads back to the same state (exactly without u3; up to a global phase with it)', () => {
    const rng = createRng(61);
    for (const n of [2, 3, 4]) {
      for (const withU3 of [false, true]) {
        const circuit = exportableCircuit(rng, n, withU3);
        const inputs = randomVector(rng, n);
        const weights = randomVector(rng, 4);
        const original = finalState(circuit, inputs, weights);
        const parsed = parseQasm2(toQasm2(circuit, inputs, weights));
        expect(parsed.nQubits).toBe(n);
        const back = finalState(parsed, [], []);
        const [re, im] = innerProduct(original, back);
        expectClose(Math.hypot(re, im), 1, { abs: QTOL.exact, context: `n=${n} u3=${withU3}` });
        if (!withU3) {
          back.forEach((v, k) => expectClose(v, original[k], { abs: QTOL.exact, rel: 0 }));
        }
      }
    }
  });

  it('writes numbers that read back to the same double', () => {
    for (const v of [0, -0.5, 1e-7, -3e21, Math.PI, 1 / 3]) {
      const s = qasmNumber(v);
      expect(Number(s)).toBe(v);
      expect(s).not.toMatch(/^-?\d+e/);
    }
    expect(qasmNumber(1e-7)).toBe('1.0e-7');
  });

  it('refuses general two-qubit unitaries with a clear error', () => {
    const c = createCircuit({
      nQubits: 2,
      operations: [
        { kind: 'RX', wire: 0, angle: 1 },
        {
          kind: 'Unitary2',
          wires: [0, 1],
          matrix: toComplexMatrix(randomUnitary(createRng(1), 4)),
        },
      ],
    });
    expect(() => toQasm2(c, [], [])).toThrow(
      /Operation 1 \(Unitary2 on wires 0, 1\) is not expressible/,
    );
  });
});
