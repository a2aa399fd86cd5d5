import { describe, expect, it } from 'vitest';
import { DormandPrince, leftOf, solveOde, type OdeRhs } from './ode';
import { expectClose, TOL } from '../../testing/close';

/** Tight tolerances for checking the solver against closed forms. */
const TIGHT = { rtol: 1e-10, atol: 1e-12 } as const;

/** Classical RK4 at a fixed step: the independent reference for problems without a closed form. */
function rk4(f: OdeRhs, t0: number, y0: number[], t1: number, h: number): Float64Array {
  const n = y0.length;
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n);
  const k2 = new Float64Array(n);
  const k3 = new Float64Array(n);
  const k4 = new Float64Array(n);
  const tmp = new Float64Array(n);
  const steps = Math.round((t1 - t0) / h);
  for (let s = 0; s < steps; s++) {
    const t = t0 + s * h;
    f(t, y, k1);
    for (let j = 0; j < n; j++) tmp[j] = y[j] + 0.5 * h * k1[j];
    f(t + 0.5 * h, tmp, k2);
    for (let j = 0; j < n; j++) tmp[j] = y[j] + 0.5 * h * k2[j];
    f(t + 0.5 * h, tmp, k3);
    for (let j = 0; j < n; j++) tmp[j] = y[j] + h * k3[j];
    f(t + h, tmp, k4);
    for (let j = 0; j < n; j++) y[j] += (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
  }
  return y;
}

describe('Dormand–Prince solver', () => {
  it('solves exponential decay y′ = −k y to the exact solution on a dense grid', () => {
    const k = 0.3;
    const times = Array.from({ length: 101 }, (_, i) => i * 0.5);
    const y = solveOde((_t, s, d) => (d[0] = -k * s[0]), 0, [2], times, TIGHT);
    times.forEach((t, i) =>
      expectClose(y[i], 2 * Math.exp(-k * t), { rel: TOL.ode, abs: 1e-12, context: `t=${t}` }),
    );
  });

  it('meets the default tolerances on exponential decay', () => {
    const k = 1.7;
    const times = [0, 0.1, 0.77, 1, 3, 5];
    const y = solveOde((_t, s, d) => (d[0] = -k * s[0]), 0, [1], times);
    times.forEach((t, i) =>
      expectClose(y[i], Math.exp(-k * t), { rel: TOL.ode, abs: 1e-8, context: `t=${t}` }),
    );
  });

  it('solves the harmonic oscillator and conserves its energy', () => {
    const w = 2;
    const f: OdeRhs = (_t, s, d) => {
      d[0] = s[1];
      d[1] = -w * w * s[0];
    };
    const times = Array.from({ length: 41 }, (_, i) => i * 0.25);
    const y = solveOde(f, 0, [1, 0], times, TIGHT);
    times.forEach((t, i) => {
      expectClose(y[2 * i], Math.cos(w * t), { abs: TOL.ode, context: `x(${t})` });
      expectClose(y[2 * i + 1], -w * Math.sin(w * t), { abs: TOL.ode, context: `v(${t})` });
    });
  });

  it('solves the indirect-response model with constant C in closed form', () => {
    // dR/dt = kin (1 − I) − kout R, I = Imax C/(IC50 + C) constant:
    // R(t) = Rss + (R0 − Rss) e^{−kout t}, Rss = kin (1 − I)/kout.
    const R0 = 15;
    const kout = 0.05;
    const kin = kout * R0;
    const inh = (0.9 * 4) / (1 + 4);
    const Rss = (kin * (1 - inh)) / kout;
    const times = [0, 1, 2, 5, 10, 24, 48, 100, 200, 500];
    const y = solveOde((_t, s, d) => (d[0] = kin * (1 - inh) - kout * s[0]), 0, [R0], times);
    times.forEach((t, i) =>
      expectClose(y[i], Rss + (R0 - Rss) * Math.exp(-kout * t), {
        rel: TOL.ode,
        context: `R(${t})`,
      }),
    );
  });

  it('handles a jump in the right-hand side at a breakpoint without losing accuracy', () => {
    // y′ = 1 before t = 1 and y′ = −y after: y(t) = 2 e^{−(t−1)} for t ≥ 1.
    const f: OdeRhs = (t, s, d) => (d[0] = t < 1 ? 1 : -s[0]);
    const times = [0, 0.5, 1, 1.5, 3];
    const solver = new DormandPrince(1, TIGHT);
    const out = new Float64Array(times.length);
    const y = Float64Array.of(1);
    let i = solver.integrate(f, y, 0, 1, times, 0, out);
    i = solver.integrate(f, y, 1, 3, times, i, out, true);
    expect(i).toBe(times.length);
    const exact = [1, 1.5, 2, 2 * Math.exp(-0.5), 2 * Math.exp(-2)];
    exact.forEach((e, k) => expectClose(out[k], e, { rel: TOL.ode, context: `y(${times[k]})` }));
    // The segment [0, 1) never saw t = 1 itself.
    expect(leftOf(1)).toBeLessThan(1);
  });

  it('matches fixed-step RK4 on a nonlinear time-varying problem', () => {
    // Logistic growth with a periodic forcing term.
    const f: OdeRhs = (t, s, d) => (d[0] = 0.8 * s[0] * (1 - s[0] / 5) + 0.3 * Math.sin(t));
    const y = solveOde(f, 0, [0.5], [10], TIGHT);
    const ref = rk4(f, 0, [0.5], 10, 1e-3);
    expectClose(y[0], ref[0], { rel: TOL.ode });
  });

  it('reports progress counters and rejects bad inputs with context', () => {
    const solver = new DormandPrince(1);
    const y = Float64Array.of(1);
    solver.integrate((_t, s, d) => (d[0] = -s[0]), y, 0, 10, [], 0, new Float64Array(0));
    expect(solver.stats.accepted).toBeGreaterThan(0);
    expect(() => new DormandPrince(0)).toThrow(/dimension/);
    expect(() => new DormandPrince(1, { rtol: -1 })).toThrow(/tolerances/);
    expect(() => solveOde((_t, s, d) => (d[0] = s[0]), 0, [1], [2, 1])).toThrow(/ascending/);
    expect(() => solveOde((_t, _s, d) => (d[0] = NaN), 0, [1], [1])).toThrow(/underflow/);
  });
});
