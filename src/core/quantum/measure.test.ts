import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng } from '../util/rng';
import { applyCnot, applyOneQubit } from './applyGate';
import type { Readout } from './circuit';
import { rx, ry, rz } from './gates';
import { applyReadoutObservable, expectation, expectations } from './measure';
import { innerProduct, probabilities, zeroState } from './state';
import { QTOL, randomState, randomVector } from './testFixtures';

const close = (a: number, b: number, context: string) =>
  expectClose(a, b, { abs: QTOL.exact, rel: 0, context });

describe('expectation values (closed forms)', () => {
  const angles = [-2.5, -0.3, 0, 0.7, 1.9, Math.PI];

  it('after RX(θ): ⟨Z⟩ = cos θ, ⟨Y⟩ = −sin θ, ⟨X⟩ = 0', () => {
    for (const t of angles) {
      const s = applyOneQubit(zeroState(1), 1, 0, rx(t));
      close(expectation(s, 1, { kind: 'Z', wire: 0 }), Math.cos(t), `Z after RX(${t})`);
      close(expectation(s, 1, { kind: 'Y', wire: 0 }), -Math.sin(t), `Y after RX(${t})`);
      close(expectation(s, 1, { kind: 'X', wire: 0 }), 0, `X after RX(${t})`);
    }
  });

  it('after RY(θ): ⟨X⟩ = sin θ, ⟨Z⟩ = cos θ; RZ(φ)·RY(π/2): ⟨X⟩ = cos φ, ⟨Y⟩ = sin φ', () => {
    for (const t of angles) {
      const s = applyOneQubit(zeroState(1), 1, 0, ry(t));
      close(expectation(s, 1, { kind: 'X', wire: 0 }), Math.sin(t), `X after RY(${t})`);
      close(expectation(s, 1, { kind: 'Z', wire: 0 }), Math.cos(t), `Z after RY(${t})`);
      applyOneQubit(applyOneQubit(zeroState(1), 1, 0, ry(Math.PI / 2)), 1, 0, rz(t)).forEach(
        (v, k) => (s[k] = v),
      );
      close(expectation(s, 1, { kind: 'X', wire: 0 }), Math.cos(t), `X after RZ(${t})`);
      close(expectation(s, 1, { kind: 'Y', wire: 0 }), Math.sin(t), `Y after RZ(${t})`);
    }
  });

  it('a rotation on wire w of n qubits acts on that wire only (wire 0 the most significant bit)', () => {
    const n = 3;
    const s = applyOneQubit(zeroState(n), n, 1, rx(Math.PI));
    // |010⟩: basis index 2.
    expect(Array.from(probabilities(s)).map((p) => Math.round(p))).toEqual([
      0, 0, 1, 0, 0, 0, 0, 0,
    ]);
    close(expectation(s, n, { kind: 'Z', wire: 1 }), -1, 'Z_1');
    close(expectation(s, n, { kind: 'Z', wire: 0 }), 1, 'Z_0');
    close(expectation(s, n, { kind: 'ZZ', wires: [0, 1] }), -1, 'Z_0 Z_1');
  });

  it('Bell state (|00⟩ + |11⟩)/√2: ⟨Z_0 Z_1⟩ = 1, every single-wire value 0', () => {
    const s = applyCnot(applyOneQubit(zeroState(2), 2, 0, ry(Math.PI / 2)), 2, 0, 1);
    close(expectation(s, 2, { kind: 'ZZ', wires: [0, 1] }), 1, 'ZZ');
    close(expectation(s, 2, { kind: 'ZZ', wires: [1, 0] }), 1, 'ZZ reversed');
    for (const kind of ['X', 'Y', 'Z'] as const)
      for (const wire of [0, 1]) close(expectation(s, 2, { kind, wire }), 0, `${kind}_${wire}`);
    const p = probabilities(s);
    close(p[0], 0.5, 'p(00)');
    close(p[3], 0.5, 'p(11)');
  });
});

describe('applyReadoutObservable', () => {
  it('⟨ψ|M ψ⟩ = Σ_k g_k·⟨O_k⟩ on random states', () => {
    const rng = createRng(21);
    const n = 4;
    const readouts: Readout[] = [];
    for (let w = 0; w < n; w++)
      for (const kind of ['X', 'Y', 'Z'] as const) readouts.push({ kind, wire: w });
    readouts.push({ kind: 'ZZ', wires: [0, 3] }, { kind: 'ZZ', wires: [2, 1] });
    for (let t = 0; t < 5; t++) {
      const psi = randomState(rng, n);
      const g = randomVector(rng, readouts.length);
      const values = expectations(psi, n, readouts);
      const [re, im] = innerProduct(psi, applyReadoutObservable(psi, n, readouts, g));
      close(
        re,
        values.reduce((a, v, k) => a + g[k] * v, 0),
        `trial ${t}`,
      );
      close(im, 0, `trial ${t}: M is Hermitian`);
      // One readout at a time: ⟨ψ|O_k ψ⟩ = ⟨O_k⟩.
      readouts.forEach((_, k) => {
        const unit = new Float64Array(readouts.length);
        unit[k] = 1;
        close(
          innerProduct(psi, applyReadoutObservable(psi, n, readouts, unit))[0],
          values[k],
          `O_${k}`,
        );
      });
    }
  });

  it('needs one coefficient per readout', () => {
    expect(() => applyReadoutObservable(zeroState(1), 1, [{ kind: 'Z', wire: 0 }], [1, 2])).toThrow(
      /needs 1 coefficients, got 2/,
    );
  });
});
