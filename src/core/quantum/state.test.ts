import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng } from '../util/rng';
import { innerProduct, normSquared, probabilities, stateQubits, zeroState } from './state';
import { QTOL, randomState } from './testFixtures';

describe('state vectors', () => {
  it('start in |0…0⟩ with 2^(n+1) interleaved numbers', () => {
    const s = zeroState(3);
    expect(s.length).toBe(16);
    expect(stateQubits(s)).toBe(3);
    expect(Array.from(probabilities(s))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => zeroState(-1)).toThrow(/nQubits/);
    expect(() => stateQubits(new Float64Array(6))).toThrow(/2\^\(n\+1\)/);
  });

  it('⟨ψ|ψ⟩ = ‖ψ‖² = Σ probabilities', () => {
    const psi = randomState(createRng(3), 4);
    const [re, im] = innerProduct(psi, psi);
    expectClose(re, 1, { abs: QTOL.exact });
    expectClose(im, 0, { abs: QTOL.exact });
    expectClose(normSquared(psi), 1, { abs: QTOL.exact });
    expectClose(
      probabilities(psi).reduce((a, b) => a + b, 0),
      1,
      { abs: QTOL.exact },
    );
  });
});
