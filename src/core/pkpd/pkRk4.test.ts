import { describe, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { simulatePk } from './pk';
import type { DoseEvent, PkParameters } from './types';

/**
 * An independent check of the exact solution: the same ODEs integrated by classical RK4 at a
 * fixed step, written here from the model equations alone. Inputs are hand-expanded from the
 * records (lag, F, infusion durations) and the integration restarts at every instant where an
 * input switches, so RK4 only ever sees smooth right-hand sides (global error O(h⁴)).
 */

const PK: PkParameters = {
  type: 'oral2',
  CL: 3,
  V: 25,
  Q: 2,
  V2: 40,
  ka: 0.9,
  F1: 0.75,
  lag1: 0.6,
  F2: 0.8,
  lag2: 0.25,
};

const EVENTS: DoseEvent[] = [
  // Oral boluses every 12 h with lag 0.6 h and F1 0.75.
  { time: 0, amt: 100, cmt: 1, evid: 1, ii: 12, addl: 3 },
  // Central infusion, 60 mg at 20 mg/h: F2 0.8 gives 48 mg over 2.4 h, starting after lag 0.25 h.
  { time: 5, amt: 60, cmt: 2, evid: 1, rate: 20 },
  // Depot infusion, 40 mg at 10 mg/h: 30 mg over 3 h from 30.6 h.
  { time: 30, amt: 40, cmt: 1, evid: 1, rate: 10 },
];

interface Input {
  readonly slot: 0 | 1;
  readonly start: number;
  readonly amount: number;
  /** mg/h; 0 for a bolus. */
  readonly rate: number;
}

/** The records as the model receives them (lag, F, NONMEM infusion duration = F·AMT/RATE). */
const INPUTS: Input[] = [
  ...[0, 12, 24, 36].map((t) => ({ slot: 0 as const, start: t + 0.6, amount: 75, rate: 0 })),
  { slot: 1, start: 5.25, amount: 48, rate: 20 },
  { slot: 0, start: 30.6, amount: 30, rate: 10 },
];

function rk4(outTimes: number[], h: number): number[] {
  const k10 = PK.CL / PK.V;
  const k12 = (PK.Q as number) / PK.V;
  const k21 = (PK.Q as number) / (PK.V2 as number);
  const ka = PK.ka as number;
  const cuts = new Set<number>(outTimes);
  for (const u of INPUTS) {
    cuts.add(u.start);
    if (u.rate > 0) cuts.add(u.start + u.amount / u.rate);
  }
  const sortedCuts = [...cuts].sort((a, b) => a - b);
  const rates = (t: number): [number, number] => {
    const r: [number, number] = [0, 0];
    for (const u of INPUTS)
      if (u.rate > 0 && t >= u.start && t < u.start + u.amount / u.rate) r[u.slot] += u.rate;
    return r;
  };
  const f = (y: number[], r: [number, number]) => [
    -ka * y[0] + r[0],
    ka * y[0] - (k10 + k12) * y[1] + k21 * y[2] + r[1],
    k12 * y[1] - k21 * y[2],
  ];
  let y = [0, 0, 0];
  let t = 0;
  const out = new Map<number, number>();
  for (const cut of sortedCuts) {
    if (cut > t) {
      // Inputs are constant on (t, cut): read them at the midpoint.
      const r = rates(0.5 * (t + cut));
      const n = Math.max(1, Math.ceil((cut - t) / h));
      const dt = (cut - t) / n;
      for (let s = 0; s < n; s++) {
        const k1 = f(y, r);
        const k2 = f(
          y.map((v, i) => v + 0.5 * dt * k1[i]),
          r,
        );
        const k3 = f(
          y.map((v, i) => v + 0.5 * dt * k2[i]),
          r,
        );
        const k4 = f(
          y.map((v, i) => v + dt * k3[i]),
          r,
        );
        y = y.map((v, i) => v + (dt / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
      }
      t = cut;
    }
    for (const u of INPUTS) if (u.rate === 0 && u.start === cut) y[u.slot] += u.amount;
    out.set(cut, y[1] / PK.V);
  }
  return outTimes.map((x) => out.get(x) as number);
}

describe('exact solution vs fixed-step RK4 (two compartments, oral, lag, infusions)', () => {
  it('agrees to relative 1e-6 over 72 h', () => {
    const times = Array.from({ length: 145 }, (_, i) => i * 0.5).filter((t) => t > 0.6);
    const reference = rk4(times, 0.002);
    const exact = simulatePk(PK, EVENTS, times);
    times.forEach((t, i) => expectClose(exact[i], reference[i], { rel: 1e-6, context: `C(${t})` }));
  });
});
