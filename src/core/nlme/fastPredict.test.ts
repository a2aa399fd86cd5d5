import { describe, expect, it } from 'vitest';
import { importNonmem } from '../data/importNonmem';
import { simulatePkPd } from '../pkpd/pd';
import type { PdParameters, PkParameters } from '../pkpd/types';
import { generateDemoTrial } from '../trial/demoTrial';
import { linearPkSystem } from '../pkpd/linearSystem';
import { buildSubjectDesign, etdWeights, predictSubject, sylvesterProjectors } from './fastPredict';

const trial = generateDemoTrial(7);
const imported = importNonmem(trial.csv, { name: 'demo' });
if (!imported.ok) throw new Error('demo did not import');
const subjects = imported.dataset.subjects.filter((s) => (s.doseGroup ?? 0) > 0).slice(0, 6);

const pk: PkParameters = { type: 'oral1', CL: 0.045, V: 9.5, ka: 1 };
const pds: PdParameters[] = [
  { type: 'indirect-inhibit-production', baseline: 10, kout: 0.5, Imax: 0.9, IC50: 1 },
  { type: 'indirect-inhibit-loss', baseline: 10, kout: 0.05, Imax: 0.8, IC50: 0.5 },
  { type: 'indirect-stimulate-production', baseline: 10, kout: 5, Emax: 2, EC50: 1 },
  { type: 'indirect-stimulate-loss', baseline: 10, kout: 0.015, Emax: 1.5, EC50: 2 },
  { type: 'effect-compartment', baseline: 10, ke0: 2, Emax: -5, EC50: 1 },
  { type: 'direct-imax', baseline: 10, Imax: 0.7, IC50: 0.8 },
];

describe('fixed-grid predictions agree with the adaptive engine', () => {
  for (const pd of pds) {
    it(`${pd.type}: concentrations exact, biomarker within 1e-3 relative`, () => {
      for (const s of subjects) {
        const design = buildSubjectDesign(
          'oral1',
          s.doses,
          s.observations,
          pd.type.startsWith('direct') ? { cutsOnly: true } : {},
        );
        const out = new Float64Array(design.nObs);
        predictSubject(design, pk, pd, out);
        const ref = simulatePkPd(
          { pk, pd },
          s.doses,
          s.observations.map((o) => o.time),
          { rtol: 1e-10, atol: 1e-12 },
        );
        s.observations.forEach((o, i) => {
          const want = o.dvid === 2 ? ref.biomarker![i] : ref.concentration[i];
          const tol = o.dvid === 2 ? 1e-3 * Math.abs(want) + 1e-9 : 1e-10 * Math.abs(want) + 1e-14;
          expect(Math.abs(out[i] - want)).toBeLessThanOrEqual(tol);
        });
      }
    });
  }

  it('two-compartment IV infusions are exact', () => {
    const doses = [{ time: 0, amt: 100, cmt: 2, evid: 1 as const, rate: 50, ii: 12, addl: 3 }];
    const obs = [0.5, 1, 2, 3, 12.5, 30, 50].map((time) => ({ time, dvid: 1 }));
    const p: PkParameters = { type: 'iv2', CL: 2, V: 10, Q: 3, V2: 20 };
    const design = buildSubjectDesign('iv2', doses, obs, { cutsOnly: true });
    const out = new Float64Array(obs.length);
    predictSubject(design, p, undefined, out);
    const ref = simulatePkPd(
      { pk: p },
      doses,
      obs.map((o) => o.time),
    );
    obs.forEach((_, i) => expect(out[i]).toBeCloseTo(ref.concentration[i], 10));
  });

  it('is exact whether the spectral shortcut applies (distinct rates) or not (ka = CL/V)', () => {
    const doses = [{ time: 0, amt: 10, cmt: 1, evid: 1 as const, ii: 24, addl: 4 }];
    const obs = [0.5, 1, 3, 24, 50, 97, 130].map((time) => ({ time, dvid: 1 }));
    for (const p of [
      { type: 'oral1', CL: 1, V: 10, ka: 0.1 },
      { type: 'oral1', CL: 1, V: 10, ka: 0.10000001 },
      { type: 'oral2', CL: 1, V: 10, ka: 1.3, Q: 2, V2: 30 },
    ] as PkParameters[]) {
      expect(sylvesterProjectors(linearPkSystem(p)) === null).toBe(p.ka! < 0.2);
      const design = buildSubjectDesign(p.type, doses, obs, { cutsOnly: true });
      const out = new Float64Array(obs.length);
      predictSubject(design, p, undefined, out);
      const ref = simulatePkPd(
        { pk: p },
        doses,
        obs.map((o) => o.time),
      );
      obs.forEach((_, i) =>
        expect(Math.abs(out[i] - ref.concentration[i])).toBeLessThan(1e-10 * ref.concentration[i]),
      );
    }
  });

  it('falls back to the engine for steady-state records', () => {
    const doses = [{ time: 0, amt: 10, cmt: 1, evid: 1 as const, ss: 1 as const, ii: 24 }];
    const obs = [1, 4, 12].map((time) => ({ time, dvid: 1 }));
    const design = buildSubjectDesign('oral1', doses, obs);
    expect(design.fallback).not.toBeNull();
    const out = new Float64Array(3);
    predictSubject(design, pk, undefined, out);
    const ref = simulatePkPd({ pk }, doses, [1, 4, 12]);
    obs.forEach((_, i) => expect(out[i]).toBeCloseTo(ref.concentration[i], 8));
  });

  it('exponential weights integrate quadratic forcing exactly, for small and large steps', () => {
    const w = new Float64Array(4);
    for (const [lambda, h] of [
      [1e-6, 1],
      [0.3, 1],
      [0.5, 1],
      [20, 2],
    ]) {
      etdWeights(lambda, h, w, 0);
      // y' = −λy + F(t), F(t) = 1 + t + t², y(0) = 2: exact by numerical quadrature.
      const F = (t: number) => 1 + t + t * t;
      let integral = 0;
      const n = 20000;
      for (let k = 0; k < n; k++) {
        const t = ((k + 0.5) / n) * h;
        integral += Math.exp(-lambda * (h - t)) * F(t) * (h / n);
      }
      const exact = Math.exp(-lambda * h) * 2 + integral;
      const got = w[0] * 2 + w[1] * F(0) + w[2] * F(h / 2) + w[3] * F(h);
      expect(Math.abs(got - exact)).toBeLessThan(1e-6 * Math.abs(exact));
    }
  });
});

describe('what predictSubject keeps between calls', () => {
  const s = subjects[0];
  const pd: PdParameters = pds[0];
  const fresh = (p: PkParameters, q: PdParameters) => {
    // A design of its own has nothing cached.
    const design = buildSubjectDesign('oral1', s.doses, s.observations);
    const out = new Float64Array(design.nObs);
    predictSubject(design, p, q, out);
    return out;
  };

  it('never answers with another parameter set’s predictions, whatever the order of calls', () => {
    const design = buildSubjectDesign('oral1', s.doses, s.observations);
    const pkA = pk;
    const pkB = { ...pk, CL: pk.CL * 1.01 };
    const pkC = { ...pk, ka: 1.2 };
    const pdK = { ...pd, kout: 0.6 } as PdParameters;
    const out = new Float64Array(design.nObs);
    for (const [p, q] of [
      [pkA, pd],
      [pkB, pd],
      [pkA, pdK],
      [pkC, pd],
      [pkB, pdK],
      [pkA, pd],
    ] as const) {
      predictSubject(design, p, q, out);
      expect(Array.from(out)).toEqual(Array.from(fresh(p, q)));
    }
  });

  it('a cuts-only design has exactly the dose and observation times as nodes', () => {
    const design = buildSubjectDesign('oral1', s.doses, s.observations, { cutsOnly: true });
    const doseTimes = s.doses.flatMap((d) =>
      Array.from({ length: (d.addl ?? 0) + 1 }, (_, k) => d.time + k * (d.ii ?? 0)),
    );
    const cuts = [...new Set([...doseTimes, ...s.observations.map((o) => o.time)])].sort(
      (a, b) => a - b,
    );
    expect(Array.from(design.nodeTime)).toEqual(cuts);
  });
});
