import { describe, expect, it } from 'vitest';
import { simulatePkPd } from '../pkpd/pd';
import type { PopulationModel } from '../pkpd/population';
import type { DoseEvent } from '../pkpd/types';
import { TRUE_MODEL } from '../trial/trueModel';
import { expectClose, TOL } from '../../testing/close';
import { curveTimes, individualPkPdParameters, subjectCurves } from './curves';

/** One-compartment IV bolus: C(t) = D/V·exp(−CL/V·t), the closed form the curves must match. */
const IV_MODEL: PopulationModel = {
  pk: 'iv1',
  theta: { CL: 2, V: 20 },
  covariateEffects: [
    { kind: 'power', parameter: 'CL', covariate: 'BW', reference: 70, exponent: 0.75 },
  ],
  randomEffects: [{ parameter: 'CL', omega: 0.3 }],
  residualError: { concentration: { type: 'proportional', cv: 0.1 } },
};

const daily: DoseEvent[] = [{ time: 0, amt: 100, cmt: 2, evid: 1, ii: 24, addl: 6 }];

describe('curveTimes', () => {
  it('is ascending and distinct, spans the records and holds every dose and observation time', () => {
    const obs = [0.5, 3, 47.9, 200];
    const t = curveTimes(daily, obs);
    for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
    expect(t[0]).toBe(0);
    expect(t[t.length - 1]).toBe(200);
    for (const x of [...obs, 0, 24, 48, 144]) expect(t).toContain(x);
  });

  it('clusters points right after each dose so the peak is drawn', () => {
    const t = Array.from(curveTimes(daily, [200]));
    for (const dose of [0, 24, 144]) {
      const within2h = t.filter((x) => x > dose && x <= dose + 2);
      expect(
        within2h.length,
        `points in the 2 h after the dose at ${dose} h`,
      ).toBeGreaterThanOrEqual(4);
    }
    // …and one just before each later dose, for the trough.
    expect(t.some((x) => x < 24 && x > 23.9)).toBe(true);
  });

  it('gives a usable grid for a subject without doses or observations', () => {
    const t = curveTimes([], []);
    expect(t.length).toBeGreaterThan(2);
    expect(t[t.length - 1]).toBeGreaterThan(0);
  });
});

describe('subjectCurves', () => {
  const subject = {
    id: '7',
    covariates: { BW: 70 },
    parameters: { CL: 4, V: 25 },
    observations: [],
  };

  it('matches the closed form for the population and the individual curves', () => {
    const single: DoseEvent[] = [{ time: 0, amt: 100, cmt: 2, evid: 1 }];
    const times = [0, 1, 5, 12, 48];
    const c = subjectCurves(IV_MODEL, subject, single, times);
    expect(c.problems).toEqual([]);
    times.forEach((t, i) => {
      expectClose(c.population!.concentration[i], (100 / 20) * Math.exp((-2 / 20) * t), {
        rel: TOL.exact,
        context: `PRED at ${t} h`,
      });
      expectClose(c.individual!.concentration[i], (100 / 25) * Math.exp((-4 / 25) * t), {
        rel: TOL.exact,
        context: `IPRED at ${t} h`,
      });
    });
  });

  it('applies covariates to the population curve only through the typical value', () => {
    const heavy = { ...subject, covariates: { BW: 140 } };
    const c = subjectCurves(IV_MODEL, heavy, [{ time: 0, amt: 100, cmt: 2, evid: 1 }], [10]);
    const cl = 2 * 2 ** 0.75;
    expectClose(c.population!.concentration[0], 5 * Math.exp((-cl / 20) * 10), {
      rel: TOL.exact,
      context: 'PRED for 140 kg',
    });
  });

  it('fills parameters the subject record lacks from the typical values (PK/PD model)', () => {
    const params = individualPkPdParameters(TRUE_MODEL, {
      covariates: { BW: 70, COMED: 0 },
      parameters: { CL: 0.05, V: 10, ka: 1.2, baseline: 11, kout: 0.02, IC50: 1.5 },
    });
    expect(params.pk).toMatchObject({ type: 'oral1', CL: 0.05, V: 10, ka: 1.2 });
    expect(params.pd).toMatchObject({
      type: 'indirect-inhibit-production',
      baseline: 11,
      Imax: 0.9,
      IC50: 1.5,
    });
    const doses: DoseEvent[] = [{ time: 0, amt: 10, cmt: 1, evid: 1, ii: 24, addl: 20 }];
    const times = [0, 2, 100, 500];
    const c = subjectCurves(
      TRUE_MODEL,
      {
        id: '1',
        covariates: { BW: 70, COMED: 0 },
        parameters: { ...params.pk, ...params.pd } as never,
        observations: [],
      },
      doses,
      times,
    );
    const direct = simulatePkPd(params, doses, times);
    times.forEach((t, i) => {
      expectClose(c.individual!.biomarker![i], direct.biomarker![i], {
        rel: TOL.exact,
        context: `IPRED biomarker at ${t} h`,
      });
    });
  });

  it('names the subject and the curve when a simulation fails, and keeps the other curve', () => {
    const bad = { ...subject, parameters: { CL: -1, V: 25 } };
    const c = subjectCurves(IV_MODEL, bad, [{ time: 0, amt: 100, cmt: 2, evid: 1 }], [1, 2]);
    expect(c.population).not.toBeNull();
    expect(c.individual).toBeNull();
    expect(c.problems[0]).toMatch(/Subject 7: the individual curve/);
  });
});
