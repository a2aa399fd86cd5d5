import { describe, expect, it } from 'vitest';
import { steadyStateConcentration } from '../pkpd/steadyState';
import type { PkParameters } from '../pkpd/types';
import { scoringSteps, steadyStateProfile } from './steadyStateProfile';

describe('steadyStateProfile', () => {
  it('matches the closed-form accumulation of a 1-compartment IV bolus', () => {
    const pk: PkParameters = { type: 'iv1', CL: 0.5, V: 20 };
    const k = pk.CL / pk.V;
    const tau = 24;
    const p = steadyStateProfile(pk, tau, 0.25, 2);
    expect(p.steps).toBe(96);
    expect(p.perMg.length).toBe(193);
    for (let i = 0; i < p.perMg.length; i++) {
      const t = (tau * i) / (2 * p.steps);
      const exact = Math.exp(-k * t) / pk.V / (1 - Math.exp(-k * tau));
      expect(p.perMg[i]).toBeCloseTo(exact, 12);
    }
    // Peak and trough: the textbook accumulation factor 1 / (1 − e^{−kτ}).
    expect(p.perMg[0] * pk.V * (1 - Math.exp(-k * tau))).toBeCloseTo(1, 12);
  });

  it.each<[string, PkParameters, number]>([
    ['oral1', { type: 'oral1', CL: 0.045, V: 9.5, ka: 1 }, 24],
    ['oral2', { type: 'oral2', CL: 0.043, V: 3, ka: 1.2, Q: 0.14, V2: 5.4 }, 168],
    ['oral2 with F1', { type: 'oral2', CL: 0.4, V: 3, ka: 0.3, Q: 1.1, V2: 8, F1: 0.7 }, 12],
    ['iv2', { type: 'iv2', CL: 2, V: 10, Q: 3, V2: 30 }, 8],
    ['oral1 with lag', { type: 'oral1', CL: 1, V: 12, ka: 0.8, lag1: 1.5 }, 24],
  ])('agrees with the analytic steady state at every point (%s)', (_, pk, tau) => {
    const cmt = pk.type.startsWith('iv') ? 2 : 1;
    const p = steadyStateProfile(pk, tau, tau / 96, cmt);
    const scale = Math.max(...p.perMg);
    for (let i = 0; i < p.perMg.length; i += 7) {
      const t = (tau * i) / (2 * p.steps);
      const exact = steadyStateConcentration(pk, { amt: 1, cmt, ii: tau }, t);
      expect(Math.abs(p.perMg[i] - exact) / scale).toBeLessThan(1e-10);
    }
  });

  it('uses at most the requested step', () => {
    expect(scoringSteps(24, 0.25)).toBe(96);
    expect(scoringSteps(168, 1)).toBe(168);
    expect(scoringSteps(10, 3)).toBe(4);
    expect(() => steadyStateProfile({ type: 'iv1', CL: 1, V: 1 }, 0, 1)).toThrow(/interval/);
  });
});
