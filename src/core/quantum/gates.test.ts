import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng } from '../util/rng';
import {
  CNOT_MATRIX,
  CZ_MATRIX,
  dagger,
  identity,
  matmul,
  PAULI_X,
  PAULI_Y,
  PAULI_Z,
  rot,
  rotation,
  rotationDerivative,
  rx,
  ry,
  rz,
  scale,
  u3,
  u3Angles,
  type Matrix,
} from './gates';
import { FD_STEP, QTOL, randomUnitary } from './testFixtures';

function expectMatrixClose(a: Matrix, b: Matrix, tol: number, context: string): void {
  expect(a.length).toBe(b.length);
  a.forEach((v, k) => expectClose(v, b[k], { abs: tol, rel: 0, context: `${context} [${k}]` }));
}

describe('gate matrices', () => {
  const theta = 0.83;
  const c = Math.cos(theta / 2);
  const s = Math.sin(theta / 2);

  it('follow the reference conventions (DOMAIN.md)', () => {
    // RX = [[c, −is], [−is, c]], RY = [[c, −s], [s, c]], RZ = diag(e^{−iθ/2}, e^{iθ/2})
    expectMatrixClose(rx(theta), Float64Array.of(c, 0, 0, -s, 0, -s, c, 0), 0, 'RX');
    expectMatrixClose(ry(theta), Float64Array.of(c, 0, -s, 0, s, 0, c, 0), 0, 'RY');
    expectMatrixClose(rz(theta), Float64Array.of(c, -s, 0, 0, 0, 0, c, s), 0, 'RZ');
  });

  it('are exp(−iθP/2) = cos(θ/2)·I − i·sin(θ/2)·P', () => {
    for (const [axis, p] of [
      ['X', PAULI_X],
      ['Y', PAULI_Y],
      ['Z', PAULI_Z],
    ] as const) {
      const expected = Float64Array.from(identity(2), (v, k) => c * v + s * scale(p, 0, -1)[k]);
      expectMatrixClose(rotation(axis, theta), expected, QTOL.exact, `R${axis}`);
    }
  });

  it('are unitary, and Rot = RZ(ω)·RY(θ)·RZ(φ)', () => {
    const rng = createRng(1);
    for (let t = 0; t < 10; t++) {
      const [phi, th, om] = [rng.normal(), rng.normal(), rng.normal()];
      const r = rot(phi, th, om);
      expectMatrixClose(matmul(dagger(r), r), identity(2), QTOL.exact, 'Rot†Rot');
      // Applying RZ(φ), then RY(θ), then RZ(ω) to |0⟩ and |1⟩ column by column.
      expectMatrixClose(r, matmul(rz(om), matmul(ry(th), rz(phi))), QTOL.exact, 'Rot');
    }
    expectMatrixClose(matmul(CNOT_MATRIX, CNOT_MATRIX), identity(4), 0, 'CNOT²');
    expectMatrixClose(matmul(CZ_MATRIX, CZ_MATRIX), identity(4), 0, 'CZ²');
  });

  it('derivatives match central finite differences', () => {
    for (const axis of ['X', 'Y', 'Z'] as const) {
      for (const th of [-2.1, 0, 0.4, 3]) {
        const fd = Float64Array.from(
          rotation(axis, th + FD_STEP),
          (v, k) => (v - rotation(axis, th - FD_STEP)[k]) / (2 * FD_STEP),
        );
        expectMatrixClose(rotationDerivative(axis, th), fd, QTOL.finiteDifference, `dR${axis}`);
      }
    }
  });

  it('u3Angles reads back any unitary up to a global phase', () => {
    const rng = createRng(2);
    const cases: Matrix[] = [
      ...Array.from({ length: 20 }, () => randomUnitary(rng, 2)),
      identity(2),
      PAULI_X,
      PAULI_Y,
      PAULI_Z,
      rz(1.3),
      scale(PAULI_Y, Math.cos(0.7), Math.sin(0.7)),
    ];
    for (const m of cases) {
      const a = u3Angles(m);
      const rebuilt = scale(u3(a.theta, a.phi, a.lambda), Math.cos(a.phase), Math.sin(a.phase));
      expectMatrixClose(rebuilt, m, QTOL.exact, `u3 of [${Array.from(m).join(', ')}]`);
    }
  });
});
