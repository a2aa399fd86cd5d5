import { describe, expect, it } from 'vitest';
import { expectClose, TOL } from '../../testing/close';
import { amountsAt, concentrationFunction, expandDoses, simulatePk } from './pk';
import type { DoseEvent, PkParameters } from './types';
import { bolus, grid } from '../../testing/doses';

describe('closed forms', () => {
  it('one-compartment IV bolus: C = D/V·e^{−kt}', () => {
    const pk: PkParameters = { type: 'iv1', CL: 2, V: 25 };
    const k = 2 / 25;
    const times = [0, 0.25, 1, 5, 24, 100];
    const c = simulatePk(pk, [bolus(0, 100, 2)], times);
    times.forEach((t, i) =>
      expectClose(c[i], (100 / 25) * Math.exp(-k * t), { rel: TOL.exact, context: `C(${t})` }),
    );
  });

  it('one-compartment oral (Bateman) with F1 and lag1', () => {
    const pk: PkParameters = { type: 'oral1', CL: 1.1, V: 20, ka: 1.5, F1: 0.8, lag1: 0.75 };
    const k = 1.1 / 20;
    const bateman = (t: number) =>
      t <= 0 ? 0 : ((0.8 * 100 * 1.5) / (20 * (1.5 - k))) * (Math.exp(-k * t) - Math.exp(-1.5 * t));
    const times = [0, 0.5, 0.75, 1, 2, 6, 24, 72];
    const c = simulatePk(pk, [bolus(0, 100)], times);
    times.forEach((t, i) =>
      expectClose(c[i], bateman(t - 0.75), { rel: TOL.exact, abs: 1e-15, context: `C(${t})` }),
    );
  });

  it('one-compartment oral at ka = k: the limit D·k·t·e^{−kt}/V, and continuity next to it', () => {
    const k = 0.2;
    const pk: PkParameters = { type: 'oral1', CL: 2, V: 10, ka: k };
    const times = [0.1, 1, 5, 10, 50];
    const c = simulatePk(pk, [bolus(0, 50)], times);
    times.forEach((t, i) =>
      expectClose(c[i], (50 * k * t * Math.exp(-k * t)) / 10, {
        rel: TOL.exact,
        context: `C(${t})`,
      }),
    );
    // ka a hair away from k: the textbook formula is still accurate to ~1e-7 there, and the
    // engine must agree with both it and the limit (no 0/0 blow-up).
    const near = simulatePk({ ...pk, ka: k * (1 + 1e-6) }, [bolus(0, 50)], times);
    times.forEach((t, i) =>
      expectClose(near[i], c[i], { rel: 1e-5, context: `C(${t}) at ka = k(1 + 1e-6)` }),
    );
  });

  it('one-compartment infusion: R/CL·(1 − e^{−kt}) during, decay after; F scales the duration', () => {
    const pk: PkParameters = { type: 'iv1', CL: 3, V: 30, F2: 0.5 };
    const k = 0.1;
    // 200 mg at 20 mg/h with F 0.5: 100 mg over 5 h at 20 mg/h (NONMEM keeps the rate).
    const T = 5;
    const during = (t: number) => (20 / 3) * (1 - Math.exp(-k * t));
    const times = [0, 1, 2.5, 5, 6, 12, 48];
    const c = simulatePk(pk, [bolus(0, 200, 2, { rate: 20 })], times);
    times.forEach((t, i) => {
      const want = t <= T ? during(t) : during(T) * Math.exp(-k * (t - T));
      expectClose(c[i], want, { rel: TOL.exact, abs: 1e-15, context: `C(${t})` });
    });
  });

  it('two-compartment IV bolus: bi-exponential with textbook α, β', () => {
    const pk: PkParameters = { type: 'iv2', CL: 4, V: 20, Q: 6, V2: 50 };
    const k10 = 4 / 20;
    const k12 = 6 / 20;
    const k21 = 6 / 50;
    const s = k10 + k12 + k21;
    const alpha = (s + Math.sqrt(s * s - 4 * k10 * k21)) / 2;
    const beta = (s - Math.sqrt(s * s - 4 * k10 * k21)) / 2;
    const A = ((100 / 20) * (alpha - k21)) / (alpha - beta);
    const B = ((100 / 20) * (k21 - beta)) / (alpha - beta);
    const times = [0, 0.5, 2, 8, 24, 96];
    const c = simulatePk(pk, [bolus(0, 100, 1)], times);
    times.forEach((t, i) =>
      expectClose(c[i], A * Math.exp(-alpha * t) + B * Math.exp(-beta * t), {
        rel: TOL.exact,
        context: `C(${t})`,
      }),
    );
  });
});

const ORAL2: PkParameters = {
  type: 'oral2',
  CL: 2,
  V: 10,
  Q: 1,
  V2: 20,
  ka: 0.8,
  F1: 0.7,
  lag1: 0.4,
  F2: 0.9,
  lag2: 0.3,
};
const ORAL1: PkParameters = { type: 'oral1', CL: 1.1, V: 20, ka: 1.5 };

describe('invariants of linear PK', () => {
  const a: DoseEvent[] = [bolus(0, 100), bolus(3, 40, 2, { rate: 15 })];
  const b: DoseEvent[] = [bolus(1.5, 60, 1, { rate: 30, ii: 12, addl: 3 }), bolus(7, 25, 2)];
  const times = grid(72, 0.5);

  it('superposition: the response to two regimens is the sum of the responses', () => {
    for (const pk of [ORAL1, ORAL2, { ...ORAL2, type: 'iv2' as const }]) {
      const both = simulatePk(pk, [...a, ...b], times);
      const ca = simulatePk(pk, a, times);
      const cb = simulatePk(pk, b, times);
      times.forEach((t, i) =>
        expectClose(both[i], ca[i] + cb[i], {
          rel: 1e-12,
          abs: 1e-15,
          context: `${pk.type} C(${t})`,
        }),
      );
    }
  });

  it('dose proportionality: three times every amount gives three times the concentration', () => {
    const triple = [...a, ...b].map((e) => ({
      ...e,
      amt: 3 * e.amt,
      rate: e.rate ? 3 * e.rate : e.rate,
    }));
    const c1 = simulatePk(ORAL2, [...a, ...b], times);
    const c3 = simulatePk(ORAL2, triple, times);
    times.forEach((t, i) =>
      expectClose(c3[i], 3 * c1[i], { rel: 1e-12, abs: 1e-15, context: `C(${t})` }),
    );
  });

  it('expanding II/ADDL into single records changes nothing', () => {
    const events = [...a, ...b];
    const expanded = expandDoses(events);
    expect(expanded).toHaveLength(events.length + 3);
    expect(expanded.every((e) => (e.addl ?? 0) === 0)).toBe(true);
    const c = simulatePk(ORAL2, events, times);
    const ce = simulatePk(ORAL2, expanded, times);
    times.forEach((t, i) =>
      expectClose(ce[i], c[i], { rel: 1e-13, abs: 1e-15, context: `C(${t})` }),
    );
  });

  it('concentrationFunction gives the same values in any call order, before and during infusions', () => {
    const events = [...a, ...b];
    for (const pk of [
      ORAL1,
      ORAL2,
      { ...ORAL2, type: 'iv2' as const },
      { type: 'iv1' as const, CL: 2, V: 9 },
    ]) {
      const f = concentrationFunction(pk, events);
      const c = simulatePk(pk, events, times);
      const order = times.map((_, i) => (i * 37) % times.length);
      for (const i of order) expect(f(times[i])).toBe(c[i]);
      expect(f(-1)).toBe(0);
    }
  });

  it('the inlined no-infusion formulas of concentrationFunction equal the general propagation', () => {
    const events = [...a, ...b];
    for (const pk of [
      ORAL1,
      ORAL2,
      { ...ORAL2, type: 'iv2' as const },
      { type: 'iv1' as const, CL: 2, V: 9 },
    ]) {
      const f = concentrationFunction(pk, events);
      for (const t of [0.2, 3.1, 4, 10, 40, 71.5]) {
        expectClose(f(t), amountsAt(pk, events, t)[1] / pk.V, {
          rel: 1e-15,
          context: `${pk.type} C(${t})`,
        });
      }
    }
  });

  it('amounts match the concentration and stay non-negative', () => {
    for (const t of [0.2, 3.1, 10, 40]) {
      const amt = amountsAt(ORAL2, [...a, ...b], t);
      expect(Math.min(...amt)).toBeGreaterThanOrEqual(0);
      expectClose(amt[1] / 10, simulatePk(ORAL2, [...a, ...b], [t])[0], {
        rel: 1e-15,
        context: `A2/V at ${t}`,
      });
    }
  });
});

describe('record semantics', () => {
  it('EVID 3 empties every compartment, stops infusions and cancels pending doses', () => {
    const events: DoseEvent[] = [
      bolus(0, 100, 1, { ii: 12, addl: 5 }),
      bolus(20, 100, 2, { rate: 10 }),
      { time: 25, amt: 0, cmt: 1, evid: 3 },
    ];
    const c = simulatePk(ORAL1, events, [24, 25, 30, 40, 100]);
    expect(c[0]).toBeGreaterThan(0);
    expect(Array.from(c.subarray(1))).toEqual([0, 0, 0, 0]);
  });

  it('EVID 4 resets then doses; a lagged dose still pending at a reset is cancelled', () => {
    const pk: PkParameters = { ...ORAL1, lag1: 2 };
    const events: DoseEvent[] = [
      bolus(0, 100),
      bolus(9, 100),
      { time: 10, amt: 50, cmt: 1, evid: 4 },
    ];
    const c = simulatePk(pk, events, [11, 13, 20]);
    const fresh = simulatePk(pk, [bolus(10, 50)], [11, 13, 20]);
    c.forEach((v, i) => expectClose(v, fresh[i], { rel: 1e-15, abs: 0 }));
  });

  it('modelled rate (−1) and duration (−2) resolve as NONMEM does, F on the duration or the rate', () => {
    const pk: PkParameters = { type: 'iv1', CL: 1, V: 10, F2: 0.5, rate2: 10, dur2: 4 };
    const t = [0, 2, 4, 5, 8, 20];
    const modelledRate = simulatePk(pk, [bolus(0, 100, 2, { rate: -1 })], t);
    const explicitRate = simulatePk(pk, [bolus(0, 100, 2, { rate: 10 })], t); // 50 mg over 5 h
    const modelledDur = simulatePk(pk, [bolus(0, 100, 2, { rate: -2 })], t);
    const explicitDur = simulatePk({ ...pk, F2: 1 }, [bolus(0, 50, 2, { rate: 12.5 })], t); // 50 mg over 4 h
    t.forEach((x, i) => {
      expectClose(modelledRate[i], explicitRate[i], { rel: 1e-15, context: `rate −1 at ${x}` });
      expectClose(modelledDur[i], explicitDur[i], {
        rel: 1e-14,
        abs: 1e-16,
        context: `rate −2 at ${x}`,
      });
    });
  });

  it('records are processed in time order, same-time records in the order given', () => {
    const events: DoseEvent[] = [
      bolus(10, 20, 2),
      { time: 10, amt: 0, cmt: 1, evid: 3 },
      bolus(0, 100, 2),
    ];
    const c = simulatePk({ type: 'iv1', CL: 1, V: 10 }, events, [5, 10, 11]);
    expect(c[0]).toBeGreaterThan(0);
    expect(c[1]).toBe(0); // the dose at 10 came before the reset at 10
  });

  it('names the record and the field in errors', () => {
    expect(() => simulatePk(ORAL1, [bolus(0, 10, 3)], [1])).toThrow(
      /time 0.*cmt must be 1 \(depot\) or 2/,
    );
    expect(() => simulatePk(ORAL1, [bolus(0, 10, 2, { rate: -1 })], [1])).toThrow(
      /modelled rate rate2/,
    );
    expect(() => simulatePk(ORAL1, [bolus(0, 10, 1, { ss: 1 })], [1])).toThrow(
      /steady-state dose needs ii > 0/,
    );
    expect(() => simulatePk(ORAL1, [bolus(0, -5)], [1])).toThrow(/amt must be ≥ 0/);
    expect(() => simulatePk({ ...ORAL1, ka: undefined }, [], [1])).toThrow(/PK parameter ka/);
  });
});
