import { describe, expect, it } from 'vitest';
import { expectClose, TOL } from '../../testing/close';
import { resolveDose } from './doseEvents';
import { simulatePk } from './pk';
import { runningInfusionCount, steadyStateConcentration, steadyStateTrain } from './steadyState';
import type { PkParameters } from './types';
import { bolus, grid } from '../../testing/doses';

const ORAL1: PkParameters = { type: 'oral1', CL: 1.1, V: 20, ka: 1.5 };

describe('where a steady-state record sits in its dose train', () => {
  it('without lag: one pending dose, the record itself, and the trough phase ii', () => {
    expect(steadyStateTrain(0, 24)).toEqual({ pending: 1, phase: 24 });
  });

  it('with lag shorter than, equal to and longer than ii', () => {
    expect(steadyStateTrain(5, 12)).toEqual({ pending: 1, phase: 7 });
    expect(steadyStateTrain(12, 12)).toEqual({ pending: 2, phase: 12 });
    expect(steadyStateTrain(30, 12)).toEqual({ pending: 3, phase: 6 });
  });

  it('counts the infusions still running, including overlapping ones', () => {
    const pk: PkParameters = { type: 'iv1', CL: 1, V: 10 };
    const inf = resolveDose(pk, bolus(0, 100, 2, { rate: 2 })); // 50 h
    expect(runningInfusionCount(inf, 12, 12)).toBe(4); // started 12, 24, 36, 48 h ago
    expect(runningInfusionCount(inf, 12, 2)).toBe(4); // 2, 14, 26, 38 h ago; the one from 50 h ago just ended
    expect(runningInfusionCount(inf, 12, 1.5)).toBe(5); // 1.5 … 49.5 h ago
    expect(runningInfusionCount(resolveDose(pk, bolus(0, 100, 2, { rate: 10 })), 10, 10)).toBe(0);
    expect(runningInfusionCount(resolveDose(pk, bolus(0, 100, 2)), 10, 3)).toBe(0);
  });
});

describe('steady state', () => {
  // Eliminated fast enough that 200 doses are at steady state to far below 1e-9:
  // β·200·ii ≫ 21 for every case.
  const FAST2: PkParameters = {
    type: 'oral2',
    CL: 2,
    V: 10,
    Q: 1,
    V2: 20,
    ka: 0.8,
    F1: 0.7,
    lag1: 0.4,
    F2: 0.9,
  };
  const cases: {
    name: string;
    pk: PkParameters;
    dose: { amt: number; cmt: number; ii: number; rate?: number };
  }[] = [
    { name: 'oral1 bolus', pk: ORAL1, dose: { amt: 100, cmt: 1, ii: 24 } },
    { name: 'oral1 depot infusion', pk: ORAL1, dose: { amt: 100, cmt: 1, ii: 12, rate: 25 } },
    { name: 'oral2 bolus with lag and F', pk: FAST2, dose: { amt: 100, cmt: 1, ii: 24 } },
    {
      name: 'oral2 infusion longer than the interval',
      pk: FAST2,
      dose: { amt: 120, cmt: 2, ii: 8, rate: 6 },
    },
    {
      name: 'iv2 infusion equal to the interval',
      pk: { ...FAST2, type: 'iv2' },
      dose: { amt: 60, cmt: 2, ii: 10, rate: 6 },
    },
  ];

  for (const { name, pk, dose } of cases) {
    it(`the analytic helper equals 200 repeated doses (${name})`, () => {
      const n = 200;
      const last = (n - 1) * dose.ii;
      const repeated = [
        bolus(0, dose.amt, dose.cmt, { rate: dose.rate, ii: dose.ii, addl: n - 1 }),
      ];
      const phases = [0, 0.3, 1, 2.5, 0.5 * dose.ii, 0.99 * dose.ii];
      // Dosing continues in the helper, so compare with the 199th interval of 200+1 doses.
      const c = simulatePk(
        pk,
        [...repeated, bolus(n * dose.ii, dose.amt, dose.cmt, { rate: dose.rate })],
        phases.map((p) => last + p),
      );
      phases.forEach((p, i) =>
        expectClose(steadyStateConcentration(pk, dose, p), c[i], {
          rel: 1e-9,
          context: `Css ${p} h after the dose`,
        }),
      );
    });

    it(`an SS = 1 record equals the analytic steady state (${name})`, () => {
      const phases = grid(dose.ii, dose.ii / 16).slice(0, -1);
      const record = bolus(0, dose.amt, dose.cmt, { rate: dose.rate, ii: dose.ii, ss: 1, addl: 1 });
      const c = simulatePk(pk, [record], phases);
      phases.forEach((p, i) =>
        expectClose(c[i], steadyStateConcentration(pk, dose, p), {
          rel: 1e-12,
          context: `C(${p}) after SS = 1`,
        }),
      );
    });
  }

  it('SS = 1 with lag equals the same dose train simulated to steady state, lag included', () => {
    const pk: PkParameters = { ...ORAL1, lag2: 5, F2: 0.6 };
    const ss = simulatePk(pk, [bolus(0, 100, 2, { ss: 1, ii: 12, addl: 2 })], [0, 4, 5, 6, 30, 47]);
    // Doses at −12·k enter at −12·k + 5; shift the train by 200 intervals.
    const base = 200 * 12;
    const train = simulatePk(
      pk,
      [bolus(0, 100, 2, { ii: 12, addl: 202 })],
      [0, 4, 5, 6, 30, 47].map((t) => base + t),
    );
    ss.forEach((c, i) => expectClose(c, train[i], { rel: 1e-9, context: `point ${i}` }));
  });

  it('SS = 1 with a lag longer than ii: the train doses still in flight at t are given too', () => {
    // Lag 30 h, ii 12 h: at the record, the doses of −24 h and −12 h have not yet entered (they
    // enter at 6 h and 18 h), so the state at t is the steady state 6 h after a dose start.
    const pk: PkParameters = { ...ORAL1, lag1: 30 };
    const times = [0, 5, 6, 7, 18, 30, 31, 60];
    const ss = simulatePk(pk, [bolus(0, 100, 1, { ss: 1, ii: 12, addl: 3 })], times);
    const base = 300 * 12;
    const train = simulatePk(
      pk,
      [bolus(0, 100, 1, { ii: 12, addl: 303 })],
      times.map((t) => base + t),
    );
    ss.forEach((c, i) => expectClose(c, train[i], { rel: 1e-9, context: `C(${times[i]})` }));
  });

  it('SS = 2 adds the steady state to the current state; SS = 1 discards it', () => {
    const first = bolus(0, 80, 1, { ii: 24, addl: 2 });
    const ssDose = { amt: 50, cmt: 1, ii: 24 };
    const times = [12, 13, 20, 35, 60];
    const add = simulatePk(ORAL1, [first, bolus(12, 50, 1, { ss: 2, ii: 24 })], times);
    const replace = simulatePk(ORAL1, [first, bolus(12, 50, 1, { ss: 1, ii: 24 })], times);
    const only = simulatePk(ORAL1, [first], times);
    const ssOnly = simulatePk(ORAL1, [bolus(12, 50, 1, { ss: 1, ii: 24 })], times);
    times.forEach((t, i) => {
      expectClose(add[i], only[i] + ssOnly[i], { rel: 1e-12, context: `SS = 2 at ${t}` });
      expectClose(replace[i], ssOnly[i], { rel: 1e-12, context: `SS = 1 at ${t}` });
    });
    expectClose(ssOnly[0], steadyStateConcentration(ORAL1, ssDose, 0), { rel: 1e-12 });
  });

  it('steady-state constant infusion sets C = F·R/CL and then, as in NONMEM, decays', () => {
    const pk: PkParameters = { type: 'iv1', CL: 2, V: 10, F2: 0.5 };
    const c = simulatePk(pk, [bolus(0, 0, 2, { rate: 8, ss: 1 })], [0, 3]);
    expectClose(c[0], (0.5 * 8) / 2, { rel: TOL.exact });
    expectClose(c[1], ((0.5 * 8) / 2) * Math.exp(-0.2 * 3), { rel: TOL.exact });
  });
});

describe('steadyStateConcentration input checks', () => {
  it('rejects a time after dose outside [0, ii] and a missing interval', () => {
    expect(() => steadyStateConcentration(ORAL1, { amt: 10, cmt: 1, ii: 24 }, 25)).toThrow(
      /\[0, 24\], got 25/,
    );
    expect(() => steadyStateConcentration(ORAL1, { amt: 10, cmt: 1, ii: 0 }, 0)).toThrow(
      /needs ii > 0/,
    );
  });

  it('gives the trough at tau = ii and the peak of a bolus at tau = 0', () => {
    const pk: PkParameters = { type: 'iv1', CL: 2, V: 10 };
    const k = 0.2;
    const peak = 10 / (1 - Math.exp(-k * 12));
    expectClose(steadyStateConcentration(pk, { amt: 100, cmt: 2, ii: 12 }, 0), peak, {
      rel: TOL.exact,
    });
    expectClose(
      steadyStateConcentration(pk, { amt: 100, cmt: 2, ii: 12 }, 12),
      peak * Math.exp(-k * 12),
      { rel: TOL.exact },
    );
  });
});
