import { describe, expect, it } from 'vitest';
import { expectClose, TOL } from '../../testing/close';
import { timeGrid } from '../pkpd/metrics';
import { simulatePkPd } from '../pkpd/pd';
import { typicalParameters, type PopulationModel } from '../pkpd/population';
import { regimenToEvents } from '../pkpd/regimen';
import { TRUE_MODEL } from '../trial/trueModel';
import {
  BAND_PERCENTILES,
  populationBands,
  PopulationBandsCancelledError,
  type PercentileBands,
} from './populationBands';
import type { VirtualPopulationSpec } from './virtualPopulation';

const events = regimenToEvents({ dose: 3, interval: 24, doses: 14, loadingDose: 6 });
const times = timeGrid(0, 14 * 24, 2);

const trialLike: VirtualPopulationSpec = {
  size: 200,
  seed: 7,
  covariates: {
    BW: { type: 'uniform', min: 50, max: 100 },
    COMED: { type: 'bernoulli', p: 0.5 },
  },
};

function keys(): (keyof PercentileBands)[] {
  return BAND_PERCENTILES.map((p) => `p${p}` as const);
}

describe('population percentile bands', () => {
  it('collapse onto the typical curve when there is no between-subject variability', () => {
    const noVariability: PopulationModel = {
      ...TRUE_MODEL,
      randomEffects: TRUE_MODEL.randomEffects.map((re) => ({ ...re, omega: 0 })),
    };
    const spec: VirtualPopulationSpec = {
      size: 25,
      seed: 1,
      covariates: { BW: { type: 'fixed', value: 82 }, COMED: { type: 'fixed', value: 1 } },
    };
    const bands = populationBands(noVariability, spec, events, times);
    const typical = simulatePkPd(
      typicalParameters(TRUE_MODEL, { BW: 82, COMED: 1 }),
      events,
      times,
    );
    expect(bands.subjects).toBe(25);
    expect(bands.skipped).toBe(0);
    expect(Array.from(bands.times)).toEqual(Array.from(times));
    for (const k of keys()) {
      for (let i = 0; i < times.length; i++) {
        expectClose(bands.concentration[k][i], typical.concentration[i], {
          rel: TOL.ode,
          abs: 1e-9,
          context: `concentration ${k} at ${times[i]} h`,
        });
        expectClose(bands.biomarker?.[k][i] ?? NaN, typical.biomarker?.[i] ?? NaN, {
          rel: TOL.ode,
          abs: 1e-9,
          context: `biomarker ${k} at ${times[i]} h`,
        });
      }
    }
  });

  it('orders the percentiles at every time and spreads them with variability', () => {
    const bands = populationBands(TRUE_MODEL, trialLike, events, times);
    expect(bands.subjects + bands.skipped).toBe(200);
    for (const endpoint of [bands.concentration, bands.biomarker]) {
      expect(endpoint).toBeDefined();
      const b = endpoint as PercentileBands;
      for (let i = 0; i < times.length; i++) {
        const row = keys().map((k) => b[k][i]);
        row.forEach((v) => expect(Number.isFinite(v)).toBe(true));
        for (let j = 1; j < row.length; j++) expect(row[j]).toBeGreaterThanOrEqual(row[j - 1]);
      }
    }
    // At the last time the 90% interval of the concentration is wide (ω_CL = 0.25, BW 50–100).
    const last = times.length - 1;
    expect(bands.concentration.p95[last] / bands.concentration.p5[last]).toBeGreaterThan(1.5);
    // Before the first dose every subject sits at zero concentration.
    expect(bands.concentration.p95[0]).toBe(0);
  });

  it('gives the same bands for the same seed and different ones for another', () => {
    const a = populationBands(TRUE_MODEL, trialLike, events, times);
    const b = populationBands(TRUE_MODEL, trialLike, events, times);
    expect(Array.from(a.biomarker?.p25 ?? [])).toEqual(Array.from(b.biomarker?.p25 ?? []));
    expect(Array.from(a.concentration.p95)).toEqual(Array.from(b.concentration.p95));
    const c = populationBands(TRUE_MODEL, { ...trialLike, seed: 8 }, events, times);
    expect(Array.from(c.concentration.p95)).not.toEqual(Array.from(a.concentration.p95));
  });

  it('has no biomarker bands for a PK-only model', () => {
    const pkOnly: PopulationModel = {
      ...TRUE_MODEL,
      pd: undefined,
      theta: { CL: 0.045, V: 9.5, ka: 1 },
      covariateEffects: TRUE_MODEL.covariateEffects.filter((e) => e.covariate === 'BW'),
      randomEffects: TRUE_MODEL.randomEffects.filter((re) =>
        ['CL', 'V', 'ka'].includes(re.parameter),
      ),
    };
    const bands = populationBands(pkOnly, { ...trialLike, size: 20 }, events, times);
    expect(bands.biomarker).toBeUndefined();
    expect(bands.concentration.p50.length).toBe(times.length);
  });

  it('reports progress and stops when asked', () => {
    const seen: number[] = [];
    populationBands(TRUE_MODEL, { ...trialLike, size: 40 }, events, times, {
      onProgress: (done) => seen.push(done),
    });
    expect(seen[seen.length - 1]).toBe(40);
    expect(() =>
      populationBands(TRUE_MODEL, trialLike, events, times, { shouldStop: () => true }),
    ).toThrow(PopulationBandsCancelledError);
  });

  it('says what is wrong with a population spec', () => {
    expect(() =>
      populationBands(TRUE_MODEL, { ...trialLike, covariates: {} }, events, times),
    ).toThrow(/covariate BW/);
  });
});
