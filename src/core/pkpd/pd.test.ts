import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hillFraction,
  linearResponse,
  simulateBiomarker,
  simulatePkPd,
  validatePdParameters,
  validatePkParameters,
} from './pd';
import { simulatePk } from './pk';
import type { DoseEvent, PdParameters, PkParameters } from './types';
import { expectClose, TOL } from '../../testing/close';

/**
 * Independent reference for oral one-compartment PK: Bateman superposition of every dose
 * (mg) given at `doseTimes` (h), F = 1, no lag. C in mg/L.
 */
function bateman(pk: { CL: number; V: number; ka: number }, amt: number, doseTimes: number[]) {
  const k = pk.CL / pk.V;
  const coef = (amt * pk.ka) / (pk.V * (pk.ka - k));
  return (t: number) => {
    let c = 0;
    for (const td of doseTimes) {
      const dt = t - td;
      if (dt >= 0) c += coef * (Math.exp(-k * dt) - Math.exp(-pk.ka * dt));
    }
    return c;
  };
}

/** Classical RK4 at a fixed step h for y′ = g(t, y), restarted at each breakpoint. */
function rk4Scalar(
  g: (t: number, y: number) => number,
  y0: number,
  breakpoints: number[],
  outTimes: number[],
  h: number,
): number[] {
  const cuts = [...breakpoints, ...outTimes]
    .sort((a, b) => a - b)
    .filter((x, i, a) => i === 0 || x !== a[i - 1]);
  const values = new Map<number, number>();
  let t = 0;
  let y = y0;
  values.set(0, y);
  for (const b of cuts) {
    if (b <= t) continue;
    const n = Math.max(1, Math.round((b - t) / h));
    const step = (b - t) / n;
    for (let s = 0; s < n; s++) {
      const ts = t + s * step;
      // The last stage of a segment sees the left limit of C at the breakpoint.
      const tEnd = s === n - 1 ? b - 1e-9 : ts + step;
      const k1 = g(ts, y);
      const k2 = g(ts + step / 2, y + (step / 2) * k1);
      const k3 = g(ts + step / 2, y + (step / 2) * k2);
      const k4 = g(tEnd, y + step * k3);
      y += (step / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    t = b;
    values.set(b, y);
  }
  return outTimes.map((x) => values.get(x) as number);
}

const PK: PkParameters = { type: 'oral1', CL: 0.04, V: 7, ka: 1 };
const daily = (amt: number, doses: number): DoseEvent[] => [
  { time: 0, amt, cmt: 1, evid: 1, ii: 24, addl: doses - 1 },
];

describe('direct PD models', () => {
  it('direct Imax with a Hill coefficient follows its formula', () => {
    const pd: PdParameters = { type: 'direct-imax', baseline: 12, Imax: 0.8, IC50: 2, hill: 1.7 };
    const conc = (t: number) => 0.3 * t;
    const times = [0, 1, 5, 10, 40];
    const b = simulateBiomarker(pd, conc, times);
    times.forEach((t, i) => {
      const c = conc(t);
      const expected = 12 * (1 - (0.8 * c ** 1.7) / (2 ** 1.7 + c ** 1.7));
      expectClose(b[i], expected, { rel: TOL.exact, context: `E(${t})` });
    });
  });

  it('direct Emax on the PK engine output follows its formula', () => {
    const pd: PdParameters = { type: 'direct-emax', baseline: 5, Emax: 20, EC50: 1.5 };
    const times = [0, 2, 12, 24, 100];
    const r = simulatePkPd({ pk: PK, pd }, daily(10, 5), times);
    const c = simulatePk(PK, daily(10, 5), times);
    times.forEach((t, i) => {
      expectClose(r.concentration[i], c[i], { rel: TOL.exact, context: `C(${t})` });
      expectClose(r.biomarker![i], 5 + (20 * c[i]) / (1.5 + c[i]), {
        rel: TOL.exact,
        context: `E(${t})`,
      });
    });
  });

  it('keeps the Hill fraction in [0, 1] for extreme and non-positive concentrations', () => {
    expect(hillFraction(0, 1, 3)).toBe(0);
    expect(hillFraction(-1e-18, 1, 0.5)).toBe(0);
    expect(hillFraction(1e300, 1e-3, 8)).toBe(1);
    expect(hillFraction(1e-300, 1e3, 8)).toBe(0);
    expectClose(hillFraction(2, 2, 3), 0.5, { rel: TOL.exact });
  });
});

describe('ODE PD models with constant concentration (closed forms)', () => {
  const C = 3;
  const times = [0, 0.5, 1, 4, 12, 24, 72, 200, 500];

  it('effect compartment: Ce = C (1 − e^{−ke0 t})', () => {
    const pd: PdParameters = {
      type: 'effect-compartment',
      baseline: 10,
      ke0: 0.2,
      Emax: -8,
      EC50: 1.2,
      hill: 2,
    };
    const b = simulateBiomarker(pd, () => C, times, { startTime: 0 });
    times.forEach((t, i) => {
      const ce = C * (1 - Math.exp(-0.2 * t));
      const expected = 10 - (8 * ce ** 2) / (1.2 ** 2 + ce ** 2);
      expectClose(b[i], expected, { rel: TOL.ode, abs: 1e-9, context: `E(${t})` });
    });
  });

  // For constant C each indirect model is y′ = p − q y: y = p/q + (R0 − p/q) e^{−q t}.
  const R0 = 16;
  const kout = 0.015;
  const kin = kout * R0;
  const H = C / (1.1 + C);
  const cases: { pd: PdParameters; p: number; q: number }[] = [
    {
      pd: { type: 'indirect-inhibit-production', baseline: R0, kout, Imax: 0.9, IC50: 1.1 },
      p: kin * (1 - 0.9 * H),
      q: kout,
    },
    {
      pd: { type: 'indirect-inhibit-loss', baseline: R0, kout, Imax: 0.9, IC50: 1.1 },
      p: kin,
      q: kout * (1 - 0.9 * H),
    },
    {
      pd: { type: 'indirect-stimulate-production', baseline: R0, kout, Emax: 2, EC50: 1.1 },
      p: kin * (1 + 2 * H),
      q: kout,
    },
    {
      pd: { type: 'indirect-stimulate-loss', baseline: R0, kout, Emax: 2, EC50: 1.1 },
      p: kin,
      q: kout * (1 + 2 * H),
    },
  ];
  for (const { pd, p, q } of cases) {
    it(`${pd.type}: R(t) = Rss + (R0 − Rss) e^{−k t}`, () => {
      const b = simulateBiomarker(pd, () => C, times, { startTime: 0 });
      const rss = p / q;
      times.forEach((t, i) =>
        expectClose(b[i], rss + (R0 - rss) * Math.exp(-q * t), {
          rel: TOL.ode,
          context: `R(${t})`,
        }),
      );
    });
  }
});

describe('indirect response with time-varying concentration', () => {
  const pd: PdParameters = {
    type: 'indirect-inhibit-production',
    baseline: 10,
    kout: 0.015,
    Imax: 0.9,
    IC50: 1,
  };
  const doseTimes = Array.from({ length: 21 }, (_, i) => 24 * i);
  const outTimes = [0, 1, 2, 4, 8, 24, 25, 72, 168, 480, 481, 484, 504, 600, 840];
  const conc = bateman({ CL: 0.04, V: 7, ka: 1 }, 10, doseTimes);
  const g = (t: number, r: number) =>
    0.015 * 10 * (1 - (0.9 * conc(t)) / (1 + conc(t))) - 0.015 * r;
  const reference = rk4Scalar(g, 10, doseTimes, outTimes, 0.01);

  it('matches fixed-step RK4 (h = 0.01 h) given C(t)', () => {
    const b = simulateBiomarker(pd, conc, outTimes, { breakpoints: doseTimes, startTime: 0 });
    outTimes.forEach((t, i) =>
      expectClose(b[i], reference[i], { rel: TOL.ode, context: `R(${t})` }),
    );
  });

  it('matches fixed-step RK4 through simulatePkPd and the PK engine', () => {
    const r = simulatePkPd({ pk: PK, pd }, daily(10, 21), outTimes);
    outTimes.forEach((t, i) => {
      expectClose(r.concentration[i], conc(t), { rel: TOL.nonmem, abs: 1e-12, context: `C(${t})` });
      expectClose(r.biomarker![i], reference[i], { rel: TOL.ode, context: `R(${t})` });
    });
  });

  it('returns the same values for unsorted output times', () => {
    const shuffled = [504, 0, 72, 24, 1];
    const a = simulatePkPd({ pk: PK, pd }, daily(10, 21), shuffled);
    const sorted = simulatePkPd({ pk: PK, pd }, daily(10, 21), [0, 1, 24, 72, 504]);
    const at = (t: number) => sorted.biomarker![[0, 1, 24, 72, 504].indexOf(t)];
    shuffled.forEach((t, i) =>
      expectClose(a.biomarker![i], at(t), { rel: TOL.ode, context: `R(${t})` }),
    );
  });
});

describe('biomarker steady state under repeated dosing', () => {
  const pd: PdParameters = {
    type: 'indirect-inhibit-production',
    baseline: 10,
    kout: 0.015,
    Imax: 0.9,
    IC50: 1,
  };
  const tau = 24;
  const nDoses = 150; // 3600 h: 30 PK half-lives (121 h) and 78 response half-lives (46 h).
  const last = (nDoses - 1) * tau;
  const phase = [0, 2, 6, 12, 23];

  it('becomes periodic with the dosing interval', () => {
    const times = phase.flatMap((p) => [last - tau + p, last + p]);
    const r = simulatePkPd({ pk: PK, pd }, daily(5, nDoses), times);
    phase.forEach((p, k) =>
      expectClose(r.biomarker![2 * k + 1], r.biomarker![2 * k], {
        rel: 1e-5,
        context: `R(${p} h after dose)`,
      }),
    );
  });

  it('agrees with an SS = 1 dose record, which starts the PD state at its periodic steady state', () => {
    const long = simulatePkPd(
      { pk: PK, pd },
      daily(5, nDoses),
      phase.map((p) => last + p),
    );
    const ss: DoseEvent[] = [{ time: 0, amt: 5, cmt: 1, evid: 1, ii: tau, addl: 0, ss: 1 }];
    const direct = simulatePkPd({ pk: PK, pd }, ss, phase);
    phase.forEach((p, k) => {
      expectClose(direct.concentration[k], long.concentration[k], {
        rel: 1e-4,
        context: `Css(${p})`,
      });
      expectClose(direct.biomarker![k], long.biomarker![k], { rel: 1e-5, context: `Rss(${p})` });
    });
  });

  it('approaches the constant-exposure steady state R0 (1 − Imax Cavg/(IC50 + Cavg)) only roughly', () => {
    // A sanity bound rather than an identity: the mean of a nonlinear response is not the
    // response to the mean concentration, but with 12% peak–trough swing they agree to ~1%.
    const cavg = 5 / (0.04 * tau);
    const r = simulatePkPd({ pk: PK, pd }, daily(5, nDoses), [last + 12]);
    expectClose(r.biomarker![0], 10 * (1 - (0.9 * cavg) / (1 + cavg)), { rel: 0.02 });
  });
});

describe('PD events and validation', () => {
  const pd: PdParameters = {
    type: 'indirect-inhibit-production',
    baseline: 10,
    kout: 0.05,
    Imax: 0.9,
    IC50: 1,
  };

  it('resets the biomarker to baseline on EVID 3', () => {
    const events: DoseEvent[] = [...daily(10, 5), { time: 200, amt: 0, cmt: 1, evid: 3 }];
    const r = simulatePkPd({ pk: PK, pd }, events, [199, 200, 250]);
    expect(r.biomarker![0]).toBeLessThan(5);
    expectClose(r.biomarker![1], 10, { rel: TOL.ode, context: 'R right after the reset' });
    expectClose(r.biomarker![2], 10, { rel: TOL.ode, context: 'R after the reset, no drug' });
  });

  it('names the parameter in validation errors', () => {
    expect(() => validatePdParameters({ ...pd, IC50: -1 })).toThrow(
      'PD parameter IC50 must be > 0, got -1',
    );
    expect(() => validatePdParameters({ ...pd, Imax: 1.5 })).toThrow(
      /PD parameter Imax must be between 0 and 1/,
    );
    expect(() => validatePdParameters({ ...pd, kout: NaN })).toThrow(
      /PD parameter kout must be a finite number/,
    );
    expect(() =>
      validatePdParameters({ type: 'direct-emax', baseline: 5, Emax: -6, EC50: 1 }),
    ).toThrow(/PD parameter Emax must be ≥ −baseline/);
    expect(() => validatePkParameters({ ...PK, CL: 0 })).toThrow(
      'PK parameter CL must be > 0, got 0',
    );
    expect(() => validatePkParameters({ type: 'oral1', CL: 1, V: 1 })).toThrow(
      'PK parameter ka is required',
    );
    expect(() => validatePkParameters({ type: 'iv2', CL: 1, V: 1, Q: 1 })).toThrow(
      'PK parameter V2 is required',
    );
    expect(() => simulatePkPd({ pk: PK, pd: { ...pd, baseline: -3 } }, [], [0])).toThrow(
      /baseline/,
    );
  });

  it('gives a finite, non-negative biomarker for any valid parameters (property)', () => {
    const positive = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });
    fc.assert(
      fc.property(
        fc.constantFrom(
          'indirect-inhibit-production',
          'indirect-inhibit-loss',
          'indirect-stimulate-production',
          'indirect-stimulate-loss',
        ),
        positive(0.1, 100),
        positive(1e-3, 2),
        positive(0, 1),
        positive(1e-3, 1e3),
        positive(0.2, 5),
        positive(0.01, 1000),
        (type, baseline, kout, frac, c50, hill, amt) => {
          const model = {
            pk: PK,
            pd: {
              type,
              baseline,
              kout,
              Imax: frac,
              IC50: c50,
              Emax: 10 * frac,
              EC50: c50,
              hill,
            } as PdParameters,
          };
          const r = simulatePkPd(model, daily(amt, 10), [0, 3, 24, 100, 240, 1000]);
          for (const v of r.biomarker!) {
            expect(Number.isFinite(v)).toBe(true);
            expect(v).toBeGreaterThanOrEqual(0);
          }
        },
      ),
      { numRuns: 60, seed: 1 },
    );
  });
});

describe('linearResponse.productionAt', () => {
  const models: Exclude<PdParameters, { type: 'direct-imax' | 'direct-emax' }>[] = [
    { type: 'indirect-inhibit-production', baseline: 10, kout: 0.5, Imax: 0.9, IC50: 1 },
    { type: 'indirect-inhibit-production', baseline: 10, kout: 0.5, Imax: 0.9, IC50: 1, hill: 2.5 },
    { type: 'indirect-inhibit-loss', baseline: 10, kout: 0.05, Imax: 0.8, IC50: 0.5 },
    { type: 'indirect-stimulate-production', baseline: 10, kout: 5, Emax: 2, EC50: 1 },
    { type: 'indirect-stimulate-loss', baseline: 10, kout: 0.015, Emax: 1.5, EC50: 2 },
    { type: 'effect-compartment', baseline: 10, ke0: 2, Emax: -5, EC50: 1 },
  ];
  it('gives what coefficients gives, for a whole grid (negative concentrations read as 0)', () => {
    const conc = Float64Array.of(-1e-9, 0, 1e-6, 0.3, 1, 7.5, 250);
    const pq = new Float64Array(2);
    for (const pd of models) {
      const r = linearResponse(pd);
      const out = new Float64Array(conc.length + 1).fill(-7);
      r.productionAt(conc, conc.length, out);
      conc.forEach((c, i) => {
        r.coefficients(c > 0 ? c : 0, pq);
        expect(out[i], `${pd.type} at ${c} mg/L`).toBe(pq[0]);
      });
      expect(out[conc.length], 'writes only the first n').toBe(-7);
    }
  });
});
