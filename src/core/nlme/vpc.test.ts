import { describe, expect, it } from 'vitest';
import {
  percentile,
  visualPredictiveCheck,
  visualPredictiveCheckAsync,
  VpcCancelledError,
  type VpcResult,
} from './vpc';
import { importNonmem } from '../data/importNonmem';
import type { Dataset } from '../data/types';
import { simulatePkPd } from '../pkpd/pd';
import { typicalParameters, type PopulationModel } from '../pkpd/population';
import { DEMO_TRIAL_DESIGN, DEMO_TRIAL_SEED, generateDemoTrial } from '../trial/demoTrial';
import { TRUE_MODEL } from '../trial/trueModel';
import { expectClose, TOL } from '../../testing/close';

const imported = importNonmem(generateDemoTrial(DEMO_TRIAL_SEED).csv, { name: 'demo' });
if (!imported.ok) throw new Error('The demo trial failed to import');
const DEMO: Dataset = imported.dataset;

/** Two subjects of each dose group (placebo, 1, 3, 10 mg): small and quick. */
const SMALL: Dataset = {
  ...DEMO,
  subjects: DEMO.subjects.filter((_, i) => i % 12 < 2),
};

/** The true model without between-subject variability or residual error: a typical subject. */
const NO_VARIABILITY: PopulationModel = { ...TRUE_MODEL, randomEffects: [], residualError: {} };

/** The VPC solver runs at rtol 1e-5; the reference simulation at the engine's default. */
const VPC_ODE_REL = 1e-4;

const endpoint = (result: VpcResult, dvid: number) => {
  const e = result.endpoints.find((x) => x.dvid === dvid);
  if (!e) throw new Error(`No endpoint with DVID ${dvid}`);
  return e;
};

describe('percentile', () => {
  it("matches R's quantile type 7 worked by hand", () => {
    // h = (n − 1)·p; x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]) with 0-based x.
    expectClose(percentile([15, 20, 35, 40, 50], 0.4), 20 + 0.6 * 15, { rel: TOL.exact });
    expectClose(percentile([1, 3, 4, 7, 15], 0.3), 3 + 0.2 * 1, { rel: TOL.exact });
    expect(percentile([1, 3, 4, 7, 15], 0.5)).toBe(4);
  });

  it("matches numpy.percentile's default (linear) method", () => {
    // np.percentile([0.5, 2, 2.5, 9, 11, 13.5, 20], [5, 25, 50, 90, 95]) with numpy 2.4.
    const x = [0.5, 2, 2.5, 9, 11, 13.5, 20];
    const numpy = [0.9500000000000001, 2.25, 9.0, 16.1, 18.049999999999997];
    [0.05, 0.25, 0.5, 0.9, 0.95].forEach((p, k) =>
      expectClose(percentile(x, p), numpy[k], { rel: TOL.exact, context: `p = ${p}` }),
    );
    // np.percentile([[10, 7, 4], [3, 2, 1]], 50) = 3.5 (flattened, even count).
    expect(percentile(Float64Array.of(1, 2, 3, 4, 7, 10), 0.5)).toBe(3.5);
  });

  it('gives the extremes at 0 and 1, handles one value, NaN when empty, rejects bad p', () => {
    expect(percentile([2, 5, 9], 0)).toBe(2);
    expect(percentile([2, 5, 9], 1)).toBe(9);
    expect(percentile([7], 0.3)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
    expect(() => percentile([1, 2], 1.5)).toThrow(/\[0, 1\], got 1.5/);
    expect(() => percentile([1, 2], NaN)).toThrow(/got NaN/);
  });
});

describe('VPC binning', () => {
  it("'auto' gives one bin per nominal time of the demo trial", () => {
    const result = visualPredictiveCheck(TRUE_MODEL, DEMO, { replicates: 2 });
    const times = DEMO_TRIAL_DESIGN.sampleTimes;
    const pk = endpoint(result, 1);
    const pd = endpoint(result, 2);
    // PK is not sampled pre-dose and not in the 12 placebo subjects.
    expect(pk.bins.map((b) => b.time)).toEqual(times.filter((t) => t > 0));
    expect(pk.bins.every((b) => b.n === 36 && b.lower === b.time && b.upper === b.time)).toBe(true);
    expect(pk.nObservations).toBe(864);
    expect(pd.bins.map((b) => b.time)).toEqual([...times]);
    expect(pd.bins.every((b) => b.n === 48)).toBe(true);
    expect(pd.nObservations).toBe(1200);
  });

  it("'auto' cuts about ten quantile bins when times are scattered, and a number asks for a count", () => {
    // Shift each subject's sampling by a few minutes: hundreds of distinct times.
    const scattered: Dataset = {
      ...DEMO,
      subjects: DEMO.subjects.map((s, i) => ({
        ...s,
        observations: s.observations.map((o) => ({ ...o, time: o.time + 0.05 * (i + 1) })),
      })),
    };
    const auto = endpoint(visualPredictiveCheck(TRUE_MODEL, scattered, { replicates: 2 }), 2);
    const five = endpoint(
      visualPredictiveCheck(TRUE_MODEL, scattered, { replicates: 2, bins: 5 }),
      2,
    );
    for (const [e, most] of [
      [auto, 10],
      [five, 5],
    ] as const) {
      expect(e.bins.length).toBeGreaterThan(1);
      expect(e.bins.length).toBeLessThanOrEqual(most);
      expect(e.bins.reduce((sum, b) => sum + b.n, 0)).toBe(1200);
      e.bins.forEach((b, k) => {
        expect(b.lower).toBeLessThanOrEqual(b.time);
        expect(b.time).toBeLessThanOrEqual(b.upper);
        if (k > 0) expect(b.lower).toBeGreaterThanOrEqual(e.bins[k - 1].upper);
      });
    }
  });
});

describe('visual predictive check', () => {
  it('without variability, every band is the percentile of the typical predictions', () => {
    const result = visualPredictiveCheck(NO_VARIABILITY, SMALL, { replicates: 3 });
    // Independent reference: each subject's typical prediction at the nominal times.
    const times = DEMO_TRIAL_DESIGN.sampleTimes;
    const predictions = SMALL.subjects.map((s) =>
      simulatePkPd(typicalParameters(TRUE_MODEL, s.covariates), s.doses, times),
    );
    const pd = endpoint(result, 2);
    pd.bins.forEach((bin, k) => {
      const values = predictions.map((p) => p.biomarker![k]).sort((a, b) => a - b);
      result.percentiles.forEach((p, j) => {
        const expected = percentile(values, p);
        const band = bin.simulated[j];
        for (const [name, value] of Object.entries(band)) {
          expectClose(value, expected, {
            rel: VPC_ODE_REL,
            context: `${name} of percentile ${p} at ${bin.time} h`,
          });
        }
      });
    });
    expect(result.skipped).toBe(0);
  });

  it('gives bands at the log-normal quantiles of a placebo baseline', () => {
    // A placebo subject's biomarker stays at its baseline θ·exp(η), η ~ N(0, ω²): every bin's
    // median over the replicates is that log-normal, with quantiles θ·exp(ω·z).
    const omega = 0.2;
    const model: PopulationModel = {
      ...TRUE_MODEL,
      randomEffects: [{ parameter: 'baseline', omega }],
      residualError: {},
    };
    const placebo: Dataset = { ...DEMO, subjects: [DEMO.subjects[0]] };
    expect(placebo.subjects[0].doses).toEqual([]);
    const typical = typicalParameters(model, placebo.subjects[0].covariates).pd!.baseline;
    // Standard normal quantiles: z(0.95) and z(0.75).
    for (const [interval, z] of [
      [0.9, 1.6448536269514722],
      [0.5, 0.6744897501960817],
    ]) {
      const result = visualPredictiveCheck(model, placebo, { replicates: 2000, interval });
      // SE of a sample quantile of 2000 normals near z = 1.64 is ≈ 0.05 (in z): ≈ 1% here.
      const rel = 0.04;
      for (const bin of endpoint(result, 2).bins) {
        const band = bin.simulated[1];
        const context = `interval ${interval} at ${bin.time} h`;
        expectClose(band.median, typical, { rel, context });
        expectClose(band.lo, typical * Math.exp(-omega * z), { rel, context });
        expectClose(band.hi, typical * Math.exp(omega * z), { rel, context });
      }
    }
  });

  it('finds the true model consistent with its own trial and a wrong one not', () => {
    const truth = visualPredictiveCheck(TRUE_MODEL, DEMO, { replicates: 100, seed: 3 });
    for (const e of truth.endpoints) {
      expect(e.outsideFraction, `DVID ${e.dvid}`).toBeLessThanOrEqual(0.25);
      // The observed median (percentile 0.5, index 1) inside its simulated band.
      const inside = e.bins.filter(
        (b) => b.observed[1] >= b.simulated[1].lo && b.observed[1] <= b.simulated[1].hi,
      );
      expect(inside.length / e.bins.length, `DVID ${e.dvid}`).toBeGreaterThanOrEqual(0.8);
    }

    const fastClearance: PopulationModel = {
      ...TRUE_MODEL,
      theta: { ...TRUE_MODEL.theta, CL: 3 * TRUE_MODEL.theta.CL! },
    };
    const wrongPk = visualPredictiveCheck(fastClearance, DEMO, { replicates: 50, seed: 3 });
    expect(endpoint(wrongPk, 1).outsideFraction).toBeGreaterThanOrEqual(0.6);

    const highBaseline: PopulationModel = {
      ...TRUE_MODEL,
      theta: { ...TRUE_MODEL.theta, baseline: 2 * TRUE_MODEL.theta.baseline! },
    };
    const wrongPd = visualPredictiveCheck(highBaseline, DEMO, { replicates: 50, seed: 3 });
    expect(endpoint(wrongPd, 2).outsideFraction).toBeGreaterThanOrEqual(0.6);
    // PK is untouched by the PD baseline.
    expect(endpoint(wrongPd, 1).outsideFraction).toBeLessThanOrEqual(0.25);

    // Too little between-subject variability: the observed spread leaves the narrow bands.
    const narrow: PopulationModel = {
      ...TRUE_MODEL,
      randomEffects: TRUE_MODEL.randomEffects.map((r) => ({ ...r, omega: 0.3 * r.omega })),
    };
    const wrongSpread = visualPredictiveCheck(narrow, DEMO, { replicates: 50, seed: 3 });
    expect(endpoint(wrongSpread, 2).outsideFraction).toBeGreaterThanOrEqual(0.5);
  });

  it('is deterministic for a seed and changes with it', () => {
    const a = visualPredictiveCheck(TRUE_MODEL, SMALL, { replicates: 20, seed: 7 });
    const b = visualPredictiveCheck(TRUE_MODEL, SMALL, { replicates: 20, seed: 7 });
    const c = visualPredictiveCheck(TRUE_MODEL, SMALL, { replicates: 20, seed: 8 });
    expect(b).toEqual(a);
    expect(c.endpoints[1].bins[5].simulated).not.toEqual(a.endpoints[1].bins[5].simulated);
    // Observed percentiles depend on the data only.
    expect(c.endpoints[1].bins[5].observed).toEqual(a.endpoints[1].bins[5].observed);
  });

  it('reports progress after each replicate and throws when cancelled', () => {
    const progress: [number, number][] = [];
    let checks = 0;
    expect(() =>
      visualPredictiveCheck(TRUE_MODEL, SMALL, {
        replicates: 50,
        onProgress: (done, total) => progress.push([done, total]),
        shouldStop: () => ++checks > 2,
      }),
    ).toThrow('VPC cancelled after 2 of 50 replicates');
    expect(progress).toEqual([
      [1, 50],
      [2, 50],
    ]);
  });

  it('async: the same result for a seed, and a stop flag set between replicates is seen', async () => {
    const sync = visualPredictiveCheck(TRUE_MODEL, SMALL, { replicates: 5, seed: 4 });
    expect(await visualPredictiveCheckAsync(TRUE_MODEL, SMALL, { replicates: 5, seed: 4 })).toEqual(
      sync,
    );
    // The flag is set by a timer, as a worker's cancel message would: a VPC that never gives
    // the event loop a turn would run all its replicates without seeing it.
    let stop = false;
    setTimeout(() => {
      stop = true;
    }, 0);
    const done: number[] = [];
    const run = visualPredictiveCheckAsync(TRUE_MODEL, SMALL, {
      replicates: 1000,
      yieldEveryMs: 0,
      shouldStop: () => stop,
      onProgress: (d) => done.push(d),
    });
    await expect(run).rejects.toBeInstanceOf(VpcCancelledError);
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(10);
  });

  it('skips and counts simulated subjects whose parameters are invalid', () => {
    // A log-normal η on Imax (0.9) pushes it above 1 in about 4 draws of 10.
    const shaky: PopulationModel = {
      ...TRUE_MODEL,
      randomEffects: [...TRUE_MODEL.randomEffects, { parameter: 'Imax', omega: 0.5 }],
    };
    const replicates = 10;
    const result = visualPredictiveCheck(shaky, SMALL, { replicates });
    const total = replicates * SMALL.subjects.length;
    expect(result.skipped).toBeGreaterThan(0.2 * total);
    expect(result.skipped).toBeLessThan(0.6 * total);
    expect(result.firstSkipReason).toMatch(
      /^subject \S+: PD parameter Imax must be between 0 and 1/,
    );
    for (const e of result.endpoints) {
      for (const b of e.bins)
        expect(b.simulated.every((s) => Number.isFinite(s.median))).toBe(true);
    }

    const broken: PopulationModel = { ...TRUE_MODEL, theta: { ...TRUE_MODEL.theta, Imax: 1.5 } };
    expect(() => visualPredictiveCheck(broken, SMALL, { replicates: 2 })).toThrow(
      /every simulated subject failed.*Imax/,
    );
  });

  it('checks only concentrations for a PK-only model', () => {
    const pkTheta = { CL: TRUE_MODEL.theta.CL, V: TRUE_MODEL.theta.V, ka: TRUE_MODEL.theta.ka };
    const pkOnly: PopulationModel = {
      pk: TRUE_MODEL.pk,
      theta: pkTheta,
      covariateEffects: TRUE_MODEL.covariateEffects.filter((c) => c.parameter in pkTheta),
      randomEffects: TRUE_MODEL.randomEffects.filter((r) => r.parameter in pkTheta),
      residualError: { concentration: TRUE_MODEL.residualError.concentration },
    };
    // The biomarker records of SMALL are there but not checked.
    const result = visualPredictiveCheck(pkOnly, SMALL, { replicates: 5 });
    expect(result.endpoints.map((e) => e.dvid)).toEqual([1]);
    expect(result.skipped).toBe(0);
  });

  it('prediction-corrects observed and simulated values (pcVPC)', () => {
    const plain = visualPredictiveCheck(TRUE_MODEL, DEMO, { replicates: 30 });
    const pc = visualPredictiveCheck(TRUE_MODEL, DEMO, {
      replicates: 30,
      predictionCorrected: true,
    });
    expect(pc.predictionCorrected).toBe(true);
    for (const dvid of [1, 2]) {
      const a = endpoint(plain, dvid);
      const b = endpoint(pc, dvid);
      expect(b.bins.map((x) => x.time)).toEqual(a.bins.map((x) => x.time));
      const changed = b.bins.filter(
        (bin, k) =>
          Math.abs(bin.observed[1] - a.bins[k].observed[1]) > 1e-6 * a.bins[k].observed[1],
      );
      expect(changed.length, `DVID ${dvid}`).toBeGreaterThan(b.bins.length / 2);
      expect(b.outsideFraction, `DVID ${dvid}`).toBeLessThanOrEqual(0.25);
    }
  });

  it('without variability, a pcVPC collapses every band onto the median PRED of the bin', () => {
    const result = visualPredictiveCheck(NO_VARIABILITY, SMALL, {
      replicates: 2,
      predictionCorrected: true,
    });
    for (const e of result.endpoints) {
      for (const bin of e.bins) {
        const median = bin.simulated[1].median;
        for (const band of bin.simulated) {
          for (const value of [band.lo, band.median, band.hi]) {
            expectClose(value, median, {
              rel: TOL.exact,
              context: `DVID ${e.dvid} at ${bin.time} h`,
            });
          }
        }
      }
    }
  });

  it('rejects options it cannot honour, naming the value', () => {
    expect(() => visualPredictiveCheck(TRUE_MODEL, SMALL, { replicates: 0 })).toThrow(/got 0/);
    expect(() => visualPredictiveCheck(TRUE_MODEL, SMALL, { percentiles: [0.5, 95] })).toThrow(
      /got 95/,
    );
    expect(() => visualPredictiveCheck(TRUE_MODEL, SMALL, { interval: 90 })).toThrow(/got 90/);
    expect(() => visualPredictiveCheck(TRUE_MODEL, SMALL, { bins: 2.5 })).toThrow(/got 2.5/);
    expect(() =>
      visualPredictiveCheck(TRUE_MODEL, { ...SMALL, subjects: [] }, { replicates: 1 }),
    ).toThrow(/no observations/);
  });
});
