import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng } from '../util/rng';
import { applyCnot, applyCz, applyOneQubit, applyOperation, applyTwoQubit } from './applyGate';
import type { Operation } from './circuit';
import { CNOT_MATRIX, CZ_MATRIX, rot, rx, toComplexMatrix } from './gates';
import { normSquared, type StateVector } from './state';
import {
  denseApply,
  denseOneQubit,
  denseTwoQubit,
  QTOL,
  randomState,
  randomUnitary,
} from './testFixtures';

function expectStatesClose(a: StateVector, b: StateVector, context: string): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, k) =>
    expectClose(v, b[k], { abs: QTOL.exact, rel: 0, context: `${context} [${k}]` }),
  );
}

describe('applying gates equals multiplying by the Kronecker-built 2^n × 2^n matrix', () => {
  const rng = createRng(11);

  for (const n of [1, 2, 3, 4]) {
    it(`one-qubit gates on every wire of ${n} qubits`, () => {
      for (let wire = 0; wire < n; wire++) {
        const m = randomUnitary(rng, 2);
        const psi = randomState(rng, n);
        const expected = denseApply(denseOneQubit(n, wire, m), psi);
        expectStatesClose(applyOneQubit(psi.slice(), n, wire, m), expected, `n=${n} wire ${wire}`);
      }
    });
  }

  for (const n of [2, 3, 4]) {
    it(`two-qubit gates on every ordered wire pair of ${n} qubits`, () => {
      for (let a = 0; a < n; a++) {
        for (let b = 0; b < n; b++) {
          if (a === b) continue;
          const psi = randomState(rng, n);
          const m = randomUnitary(rng, 4);
          const ctx = `n=${n} wires (${a}, ${b})`;
          expectStatesClose(
            applyTwoQubit(psi.slice(), n, [a, b], m),
            denseApply(denseTwoQubit(n, [a, b], m), psi),
            `${ctx} unitary`,
          );
          expectStatesClose(
            applyCnot(psi.slice(), n, a, b),
            denseApply(denseTwoQubit(n, [a, b], CNOT_MATRIX), psi),
            `${ctx} CNOT`,
          );
          expectStatesClose(
            applyCz(psi.slice(), n, a, b),
            denseApply(denseTwoQubit(n, [a, b], CZ_MATRIX), psi),
            `${ctx} CZ`,
          );
        }
      }
    });
  }
});

describe('applyOperation', () => {
  const rng = createRng(12);
  const n = 3;

  it('applies Rot as RZ(φ) then RY(θ) then RZ(ω), angles bound to inputs and weights', () => {
    const psi = randomState(rng, n);
    const op: Operation = {
      kind: 'Rot',
      wire: 1,
      angles: [{ input: 0, scale: 2 }, { weight: 1 }, 0.3],
    };
    const inputs = [0.4];
    const weights = [9, -1.1];
    const expected = applyOneQubit(psi.slice(), n, 1, rot(0.8, -1.1, 0.3));
    expectStatesClose(applyOperation(psi.slice(), n, op, inputs, weights), expected, 'Rot');
  });

  it('undoes every gate kind with inverse = true, and preserves the norm', () => {
    const ops: Operation[] = [
      { kind: 'RX', wire: 0, angle: 0.7 },
      { kind: 'RY', wire: 1, angle: { input: 0 } },
      { kind: 'RZ', wire: 2, angle: { weight: 0 } },
      { kind: 'Rot', wire: 2, angles: [0.1, 0.2, 0.3] },
      { kind: 'CNOT', wires: [2, 0] },
      { kind: 'CZ', wires: [0, 1] },
      { kind: 'Unitary1', wire: 1, matrix: toComplexMatrix(randomUnitary(rng, 2)) },
      { kind: 'Unitary2', wires: [2, 1], matrix: toComplexMatrix(randomUnitary(rng, 4)) },
    ];
    for (const op of ops) {
      const psi = randomState(rng, n);
      const phi = applyOperation(psi.slice(), n, op, [1.3], [-0.4]);
      expectClose(normSquared(phi), 1, { abs: QTOL.exact, context: `${op.kind} norm` });
      expectStatesClose(
        applyOperation(phi, n, op, [1.3], [-0.4], true),
        psi,
        `${op.kind}†${op.kind}`,
      );
    }
  });

  it('rejects bad wires and matrices with a clear error', () => {
    const psi = randomState(rng, 2);
    expect(() => applyOneQubit(psi, 2, 2, rx(1))).toThrow(/wire must be a whole number in 0..1/);
    expect(() => applyCnot(psi, 2, 1, 1)).toThrow(/two different wires/);
    expect(() => applyTwoQubit(psi, 2, [0, 1], rx(1))).toThrow(/32 numbers/);
  });
});
