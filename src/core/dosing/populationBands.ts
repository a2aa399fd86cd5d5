import { percentile } from '../nlme/vpc';
import { DormandPrince, type OdeOptions } from '../pkpd/ode';
import { simulatePkPd } from '../pkpd/pd';
import type { PopulationModel } from '../pkpd/population';
import type { DoseEvent } from '../pkpd/types';
import { sampleVirtualPopulation, type VirtualPopulationSpec } from './virtualPopulation';

/**
 * Percentile bands of concentration and biomarker over time for a virtual population under one
 * regimen: the spread a prescriber should expect between patients (between-subject variability
 * from the model's Ω and the covariate distributions), without residual (measurement) error.
 */

/** The percentiles reported, in percent: the 90% and 50% intervals and the median. */
export const BAND_PERCENTILES = [5, 25, 50, 75, 95] as const;
export type BandPercentile = (typeof BAND_PERCENTILES)[number];

/** One endpoint's percentiles at every time of the grid (mg/L or ng/mL). */
export type PercentileBands = Readonly<Record<`p${BandPercentile}`, Float64Array>>;

export interface PopulationBands {
  /** The time grid, h. */
  readonly times: Float64Array;
  /** Subjects the bands are made of (those whose simulation succeeded). */
  readonly subjects: number;
  /** Subjects left out because their simulation failed or gave a non-finite value. */
  readonly skipped: number;
  /** Why the first left-out subject failed, in the engine's words. */
  readonly firstSkipReason?: string;
  readonly concentration: PercentileBands;
  /** Absent for a PK-only model. */
  readonly biomarker?: PercentileBands;
}

export interface PopulationBandsOptions extends OdeOptions {
  /** Called every few dozen subjects. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Return true to stop; the run then throws PopulationBandsCancelledError. */
  readonly shouldStop?: () => boolean;
}

export class PopulationBandsCancelledError extends Error {
  constructor() {
    super('The population simulation was cancelled.');
    this.name = 'PopulationBandsCancelledError';
  }
}

/** Subjects between progress reports and stop checks. */
const CHECK_EVERY = 32;

/**
 * Per-time percentiles of a matrix stored time-major: values[i·n + s] is sample s at time i
 * (sorted in place).
 */
export function bandsOf(values: Float64Array, nTimes: number, n: number): PercentileBands {
  const out = Object.fromEntries(
    BAND_PERCENTILES.map((p) => [`p${p}`, new Float64Array(nTimes)]),
  ) as Record<`p${BandPercentile}`, Float64Array>;
  for (let i = 0; i < nTimes; i++) {
    const column = values.subarray(i * n, (i + 1) * n).sort();
    for (const p of BAND_PERCENTILES) out[`p${p}`][i] = percentile(column, p / 100);
  }
  return out;
}

function allFinite(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return false;
  return true;
}

/**
 * Simulates every subject of the virtual population `spec` under `events` at `times` and
 * returns the 5th, 25th, 50th, 75th and 95th percentiles at each time. Subjects whose
 * simulation fails are left out and counted; when every one fails the first failure is thrown.
 */
export function populationBands(
  model: PopulationModel,
  spec: VirtualPopulationSpec,
  events: readonly DoseEvent[],
  times: ArrayLike<number>,
  opts: PopulationBandsOptions = {},
): PopulationBands {
  const subjects = sampleVirtualPopulation(model, spec);
  const nTimes = times.length;
  if (nTimes === 0) throw new Error('The time grid for the population bands is empty.');
  const withPd = model.pd !== undefined;
  // One solver for every subject (as simulatePopulation does): no work arrays per subject.
  const solver = new DormandPrince(1, opts);
  const total = subjects.length;
  // Filled subject-major while simulating, transposed to time-major for the percentiles.
  const conc: Float64Array[] = [];
  const bio: Float64Array[] = [];
  let skipped = 0;
  let firstSkipReason: string | undefined;
  for (let s = 0; s < total; s++) {
    if (s % CHECK_EVERY === 0) {
      if (opts.shouldStop?.()) throw new PopulationBandsCancelledError();
      opts.onProgress?.(s, total);
    }
    try {
      const r = simulatePkPd(subjects[s].parameters, events, times, { ...opts, solver });
      if (!allFinite(r.concentration) || (withPd && !(r.biomarker && allFinite(r.biomarker)))) {
        throw new Error('the simulation gave a non-finite value');
      }
      conc.push(r.concentration);
      if (withPd && r.biomarker) bio.push(r.biomarker);
    } catch (err) {
      skipped++;
      firstSkipReason ??= err instanceof Error ? err.message : String(err);
    }
  }
  opts.onProgress?.(total, total);
  const n = conc.length;
  if (n === 0) {
    throw new Error(
      `No virtual subject could be simulated${firstSkipReason ? `: ${firstSkipReason}` : '.'}`,
    );
  }
  const transpose = (rows: readonly Float64Array[]) => {
    const out = new Float64Array(nTimes * n);
    rows.forEach((row, s) => {
      for (let i = 0; i < nTimes; i++) out[i * n + s] = row[i];
    });
    return out;
  };
  return {
    times: Float64Array.from(times),
    subjects: n,
    skipped,
    ...(firstSkipReason !== undefined ? { firstSkipReason } : {}),
    concentration: bandsOf(transpose(conc), nTimes, n),
    ...(withPd ? { biomarker: bandsOf(transpose(bio), nTimes, n) } : {}),
  };
}
