import { describe, expect, it } from 'vitest';
import { timeGrid } from '../pkpd/metrics';
import { simulatePkPd } from '../pkpd/pd';
import { regimenToEvents } from '../pkpd/regimen';
import type { PdParameters, PkParameters } from '../pkpd/types';
import { PeriodicResponse } from './periodicResponse';
import { steadyStateProfile } from './steadyStateProfile';

const pk: PkParameters = { type: 'oral1', CL: 0.3, V: 10, ka: 1 };

const models: [string, PdParameters][] = [
  ['direct-imax', { type: 'direct-imax', baseline: 10, Imax: 0.9, IC50: 1, hill: 1.5 }],
  ['direct-emax', { type: 'direct-emax', baseline: 10, Emax: 8, EC50: 2 }],
  [
    'effect-compartment',
    { type: 'effect-compartment', baseline: 10, ke0: 0.2, Emax: -7, EC50: 1.5, hill: 2 },
  ],
  [
    'indirect I',
    { type: 'indirect-inhibit-production', baseline: 10, kout: 0.05, Imax: 0.9, IC50: 1 },
  ],
  ['indirect II', { type: 'indirect-inhibit-loss', baseline: 10, kout: 0.1, Imax: 0.8, IC50: 2 }],
  [
    'indirect III',
    { type: 'indirect-stimulate-production', baseline: 10, kout: 0.08, Emax: 2, EC50: 1.5 },
  ],
  [
    'indirect IV',
    { type: 'indirect-stimulate-loss', baseline: 10, kout: 0.3, Emax: 3, EC50: 1, hill: 2 },
  ],
];

describe('PeriodicResponse', () => {
  it.each(models)('reproduces the adaptive engine dosed to steady state (%s)', (_, pd) => {
    const tau = 24;
    const dose = 20;
    const profile = steadyStateProfile(pk, tau, 0.25);
    const response = new PeriodicResponse(pd, profile);
    const mine = new Float64Array(profile.steps + 1);
    const worst = response.worst(dose, 'below', mine);
    // The engine: 60 doses (over 40 half-lives of every rate here), last interval on the grid.
    const doses = 60;
    const start = (doses - 1) * tau;
    const times = timeGrid(start, start + tau, 0.25);
    const sim = simulatePkPd({ pk, pd }, regimenToEvents({ dose, interval: tau, doses }), times, {
      rtol: 1e-9,
      atol: 1e-12,
    });
    const ref = sim.biomarker as Float64Array;
    expect(ref.length).toBe(mine.length);
    let err = 0;
    for (let j = 0; j < ref.length; j++) err = Math.max(err, Math.abs(mine[j] - ref[j]) / 10);
    expect(err).toBeLessThan(2e-5);
    expect(worst).toBeCloseTo(Math.max(...ref), 3);
    expect(response.worst(dose, 'above')).toBeCloseTo(Math.min(...ref), 3);
  });

  it('gives the baseline at dose 0', () => {
    const profile = steadyStateProfile(pk, 168, 1);
    for (const [, pd] of models) {
      const r = new PeriodicResponse(pd, profile);
      expect(r.worst(0, 'below')).toBeCloseTo(10, 10);
      expect(r.worst(0, 'above')).toBeCloseTo(10, 10);
    }
  });
});
