import type { Dataset, SubjectData } from '../data/types';
import { DormandPrince } from '../pkpd/ode';
import { simulatePkPd } from '../pkpd/pd';
import {
  addResidualError,
  individualParameters,
  sampleEta,
  typicalParameters,
  type PopulationModel,
  type ResidualErrorModel,
} from '../pkpd/population';
import type { SimulationResult } from '../pkpd/types';
import type { Hours } from '../units';
import { createRng } from '../util/rng';

/**
 * Simulation-based visual predictive check (VPC; Holford 2005) and its prediction-corrected
 * variant (pcVPC; Bergstrand et al., AAPS J 2011). Each replicate re-runs the trial as it was
 * run — every subject with its own covariates, dose records and observation times — with fresh
 * random effects and residual error from the model. Per endpoint and time bin, the observed
 * percentiles are compared with the distribution of the same percentiles over the replicates.
 */

export interface VpcOptions {
  /** Simulated replicates of the whole data set (default 200). */
  readonly replicates?: number;
  /** Seed of the random stream (default 1); the same seed gives the same result. */
  readonly seed?: number;
  /** Percentiles to compare, as fractions in [0, 1] (default [0.05, 0.5, 0.95]). */
  readonly percentiles?: readonly number[];
  /**
   * 'auto' (default): one bin per distinct nominal time when there are at most
   * AUTO_MAX_NOMINAL_TIMES of them (times rounded to 1e-6 h), else AUTO_QUANTILE_BINS bins cut
   * at quantiles of the observation times. A number asks for that many quantile bins.
   */
  readonly bins?: number | 'auto';
  /** pcVPC: observed and simulated values scaled by PRED_bin_median / PRED (default false). */
  readonly predictionCorrected?: boolean;
  /** Coverage of the simulated band around each percentile (default 0.9: 5th–95th). */
  readonly interval?: number;
  /** Called after each replicate. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Checked before each replicate; true cancels the VPC with a VpcCancelledError. */
  readonly shouldStop?: () => boolean;
}

export interface VpcBin {
  /** Time range of the bin, h: the observed times it holds (nominal) or its quantile edges. */
  readonly lower: Hours;
  readonly upper: Hours;
  /** Median observation time in the bin, h: where the bin is drawn. */
  readonly time: Hours;
  /** Observations in the bin. */
  readonly n: number;
  /** Observed percentiles, aligned with VpcResult.percentiles, in the endpoint's unit. */
  readonly observed: number[];
  /** Per percentile: median, lower and upper (VpcResult.interval) of the replicates' values. */
  readonly simulated: { median: number; lo: number; hi: number }[];
}

export interface VpcEndpointResult {
  /** 1 concentration (mg/L), 2 biomarker (ng/mL). */
  readonly dvid: number;
  /** Bins with at least one observation, in time order. */
  readonly bins: VpcBin[];
  readonly nObservations: number;
  /** Share of observed percentiles (over bins × percentiles) outside their simulated band. */
  readonly outsideFraction: number;
}

export interface VpcResult {
  readonly replicates: number;
  readonly percentiles: number[];
  readonly predictionCorrected: boolean;
  /** Coverage of each simulated band (0.9: 5th–95th percentile of the replicates). */
  readonly interval: number;
  /** Endpoints with at least one observation, DVID ascending. */
  readonly endpoints: VpcEndpointResult[];
  /** Simulated subjects (replicate × subject) left out because their simulation threw. */
  readonly skipped: number;
  /** The error of the first skipped simulation, to show the user why. */
  readonly firstSkipReason?: string;
}

/** Observations of the same nominal time may differ by rounding; times are compared at 1e-6 h. */
const TIME_RESOLUTION = 1e-6;
/** 'auto' bins per nominal time up to this many distinct times (a designed trial)... */
const AUTO_MAX_NOMINAL_TIMES = 30;
/** ...and otherwise cuts this many quantile bins (sparse or scattered sampling). */
const AUTO_QUANTILE_BINS = 10;
/**
 * ODE tolerances of the PD state: a replicate's residual error (≥ 5% in practice) dwarfs a
 * relative error of 1e-5, and the looser tolerance roughly halves the integration steps.
 */
const VPC_ODE = { rtol: 1e-5, atol: 1e-8 } as const;

/** The endpoints a VPC knows, by DVID. */
const ENDPOINTS = [
  { dvid: 1, key: 'concentration' },
  { dvid: 2, key: 'biomarker' },
] as const;

/**
 * The p-quantile (p in [0, 1]) of ascending `sorted` by linear interpolation between order
 * statistics: R's quantile type 7, numpy.percentile's default. NaN for an empty sample.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`Percentile must be a fraction in [0, 1], got ${p}`);
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

/** One subject as the simulation needs it. */
interface SubjectPlan {
  readonly subject: SubjectData;
  /** Distinct observation times of the endpoints in the VPC, ascending, h. */
  readonly times: Float64Array;
}

/** Observations of one endpoint, grouped by subject plan (subject s owns start[s]..start[s+1]). */
interface EndpointPlan {
  readonly dvid: number;
  readonly key: 'concentration' | 'biomarker';
  readonly error: ResidualErrorModel | undefined;
  readonly start: Int32Array;
  /** Index of each observation's time in its subject's `times`. */
  readonly timeIndex: Int32Array;
  readonly time: Float64Array;
  readonly dv: Float64Array;
  /** PRED_bin / PRED for a pcVPC, else 1. */
  readonly scale: Float64Array;
  /** Observation indices ordered by bin; bin b holds order[binStart[b]..binStart[b+1]]. */
  readonly order: Int32Array;
  readonly binStart: Int32Array;
  readonly binEdges: { lower: number; upper: number }[];
}

/** Thrown when `shouldStop` cancels a VPC, saying how far it got. */
export class VpcCancelledError extends Error {
  constructor(done: number, total: number) {
    super(`VPC cancelled after ${done} of ${total} replicates`);
    this.name = 'VpcCancelledError';
  }
}

/**
 * Runs a VPC of `model` against `dataset`. Deterministic for a seed: replicate r draws from the
 * r-th fork of the seeded generator and subject s within it from that fork's s-th fork, so no
 * subject's draws depend on another's. A subject whose simulation throws (e.g. a random effect
 * pushing a fraction above 1) is left out of that replicate and counted in `skipped`.
 */
export function visualPredictiveCheck(
  model: PopulationModel,
  dataset: Dataset,
  opts: VpcOptions = {},
): VpcResult {
  const run = vpcReplicates(model, dataset, opts);
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
  }
}

/**
 * The same VPC, giving the event loop a turn about every `yieldEveryMs` (default 50) of work
 * between replicates, so that a worker running it reads a cancel message (which turns
 * `shouldStop` true) while it works. Same seed, same result as visualPredictiveCheck.
 */
export async function visualPredictiveCheckAsync(
  model: PopulationModel,
  dataset: Dataset,
  opts: VpcOptions & { readonly yieldEveryMs?: number } = {},
): Promise<VpcResult> {
  const every = opts.yieldEveryMs ?? 50;
  const run = vpcReplicates(model, dataset, opts);
  let last = Date.now();
  for (;;) {
    const step = run.next();
    if (step.done) return step.value;
    if (Date.now() - last >= every) {
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
      last = Date.now();
    }
  }
}

/** The VPC as a generator: yields after each replicate, returns the result. */
function* vpcReplicates(
  model: PopulationModel,
  dataset: Dataset,
  opts: VpcOptions,
): Generator<number, VpcResult, void> {
  const replicates = opts.replicates ?? 200;
  const percentiles = [...(opts.percentiles ?? [0.05, 0.5, 0.95])];
  const interval = opts.interval ?? 0.9;
  const pc = opts.predictionCorrected ?? false;
  checkOptions(replicates, percentiles, interval, opts.bins ?? 'auto');

  const dvids = new Set(ENDPOINTS.filter((e) => e.dvid === 1 || model.pd).map((e) => e.dvid));
  const subjects = planSubjects(dataset, dvids);
  const solver = new DormandPrince(1, VPC_ODE);
  const simOpts = { ...VPC_ODE, solver };
  const preds = pc ? subjects.map((s) => populationPrediction(model, s, simOpts)) : [];
  const endpoints = ENDPOINTS.filter((e) => dvids.has(e.dvid))
    .map((e) => planEndpoint(model, e, subjects, preds, opts.bins ?? 'auto'))
    .filter((e): e is EndpointPlan => e !== null);
  if (endpoints.length === 0) {
    throw new Error(
      `VPC: the data set has no observations of ${model.pd ? 'DVID 1 or 2' : 'DVID 1'} to check the model against`,
    );
  }

  const nP = percentiles.length;
  // simulated[e][(b·nP + k)·replicates + r]: percentile k of bin b in replicate r.
  const simulated = endpoints.map(
    (e) => new Float64Array((e.binStart.length - 1) * nP * replicates),
  );
  const values = endpoints.map((e) => new Float64Array(e.dv.length));
  const scratch = new Float64Array(Math.max(...endpoints.map((e) => e.dv.length)));
  const root = createRng(opts.seed ?? 1);
  let skipped = 0;
  let firstSkipReason: string | undefined;

  for (let r = 0; r < replicates; r++) {
    if (opts.shouldStop?.()) throw new VpcCancelledError(r, replicates);
    const rng = root.fork();
    subjects.forEach((plan, s) => {
      const sub = rng.fork();
      let sim: SimulationResult | null = null;
      try {
        const eta = sampleEta(model, sub);
        const params = individualParameters(model, plan.subject.covariates, eta);
        sim = simulatePkPd(params, plan.subject.doses, plan.times, simOpts);
      } catch (err) {
        skipped++;
        firstSkipReason ??= `subject ${plan.subject.id}: ${err instanceof Error ? err.message : String(err)}`;
      }
      for (let e = 0; e < endpoints.length; e++) {
        const ep = endpoints[e];
        const out = values[e];
        const pred = sim?.[ep.key];
        for (let i = ep.start[s]; i < ep.start[s + 1]; i++) {
          if (!pred) {
            out[i] = NaN;
            continue;
          }
          const f = pred[ep.timeIndex[i]];
          out[i] = (ep.error ? addResidualError(f, ep.error, sub) : f) * ep.scale[i];
        }
      }
    });
    endpoints.forEach((ep, e) => {
      const nBins = ep.binStart.length - 1;
      for (let b = 0; b < nBins; b++) {
        const m = gatherSorted(ep, b, values[e], scratch);
        for (let k = 0; k < nP; k++) {
          simulated[e][(b * nP + k) * replicates + r] = percentile(
            scratch.subarray(0, m),
            percentiles[k],
          );
        }
      }
    });
    opts.onProgress?.(r + 1, replicates);
    yield r + 1;
  }
  if (skipped === replicates * subjects.length) {
    throw new Error(`VPC: every simulated subject failed; the first: ${firstSkipReason}`);
  }

  const tail = (1 - interval) / 2;
  const results = endpoints.map((ep, e): VpcEndpointResult => {
    const observedValues = Float64Array.from(ep.dv, (dv, i) => dv * ep.scale[i]);
    const bins: VpcBin[] = [];
    let compared = 0;
    let outside = 0;
    for (let b = 0; b < ep.binStart.length - 1; b++) {
      const m = gatherSorted(ep, b, observedValues, scratch);
      const observed = percentiles.map((p) => percentile(scratch.subarray(0, m), p));
      const simulatedBands = percentiles.map((_, k) => {
        const from = (b * nP + k) * replicates;
        const reps = finiteSorted(simulated[e].subarray(from, from + replicates));
        return {
          median: percentile(reps, 0.5),
          lo: percentile(reps, tail),
          hi: percentile(reps, 1 - tail),
        };
      });
      observed.forEach((o, k) => {
        const band = simulatedBands[k];
        if (Number.isNaN(band.median)) return;
        compared++;
        if (o < band.lo || o > band.hi) outside++;
      });
      const times = finiteSorted(
        Float64Array.from(ep.order.subarray(ep.binStart[b], ep.binStart[b + 1]), (i) => ep.time[i]),
      );
      bins.push({
        ...ep.binEdges[b],
        time: percentile(times, 0.5),
        n: m,
        observed,
        simulated: simulatedBands,
      });
    }
    return {
      dvid: ep.dvid,
      bins,
      nObservations: ep.dv.length,
      outsideFraction: compared > 0 ? outside / compared : NaN,
    };
  });
  return {
    replicates,
    percentiles,
    predictionCorrected: pc,
    interval,
    endpoints: results,
    skipped,
    ...(firstSkipReason === undefined ? {} : { firstSkipReason }),
  };
}

function checkOptions(
  replicates: number,
  percentiles: readonly number[],
  interval: number,
  bins: number | 'auto',
): void {
  if (!Number.isInteger(replicates) || replicates < 1) {
    throw new Error(`VPC replicates must be a whole number ≥ 1, got ${replicates}`);
  }
  if (percentiles.length === 0) throw new Error('VPC needs at least one percentile');
  for (const p of percentiles) {
    if (!(p >= 0 && p <= 1)) {
      throw new Error(`VPC percentiles must be fractions in [0, 1], got ${p}`);
    }
  }
  if (!(interval > 0 && interval < 1)) {
    throw new Error(`VPC interval must be a fraction in (0, 1), got ${interval}`);
  }
  if (bins !== 'auto' && !(Number.isInteger(bins) && bins >= 1)) {
    throw new Error(`VPC bins must be 'auto' or a whole number ≥ 1, got ${bins}`);
  }
}

/** Subjects with at least one finite observation of an endpoint in `dvids`. */
function planSubjects(dataset: Dataset, dvids: ReadonlySet<number>): SubjectPlan[] {
  const plans: SubjectPlan[] = [];
  for (const subject of dataset.subjects) {
    const times = subject.observations
      .filter((o) => dvids.has(o.dvid) && Number.isFinite(o.dv))
      .map((o) => o.time);
    if (times.length === 0) continue;
    const unique = Float64Array.from(new Set(times)).sort();
    plans.push({ subject, times: unique });
  }
  return plans;
}

/** PRED: each subject's typical prediction (η = 0, no residual error) at its times. */
function populationPrediction(
  model: PopulationModel,
  plan: SubjectPlan,
  simOpts: { solver: DormandPrince },
): SimulationResult {
  try {
    const params = typicalParameters(model, plan.subject.covariates);
    return simulatePkPd(params, plan.subject.doses, plan.times, simOpts);
  } catch (err) {
    throw new Error(
      `pcVPC: the population prediction of subject ${plan.subject.id} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/**
 * Observations of one endpoint with their bins and, for a pcVPC, their correction factors.
 * A pcVPC leaves out observations whose PRED is not positive (e.g. a pre-dose concentration
 * of 0): dv · PRED_bin / PRED is undefined there. Null when no observation remains.
 */
function planEndpoint(
  model: PopulationModel,
  endpoint: (typeof ENDPOINTS)[number],
  subjects: readonly SubjectPlan[],
  preds: readonly SimulationResult[],
  binning: number | 'auto',
): EndpointPlan | null {
  const start = new Int32Array(subjects.length + 1);
  const timeIndex: number[] = [];
  const time: number[] = [];
  const dv: number[] = [];
  const pred: number[] = [];
  subjects.forEach((plan, s) => {
    const p = preds[s]?.[endpoint.key];
    for (const o of plan.subject.observations) {
      if (o.dvid !== endpoint.dvid || !Number.isFinite(o.dv)) continue;
      const k = lowerBound(plan.times, o.time);
      if (p && !(p[k] > 0 && Number.isFinite(p[k]))) continue;
      timeIndex.push(k);
      time.push(o.time);
      dv.push(o.dv);
      pred.push(p ? p[k] : 1);
    }
    start[s + 1] = dv.length;
  });
  if (dv.length === 0) return null;

  const { bin, edges } = assignBins(time, binning);
  const nBins = edges.length;
  const binStart = new Int32Array(nBins + 1);
  for (const b of bin) binStart[b + 1]++;
  for (let b = 0; b < nBins; b++) binStart[b + 1] += binStart[b];
  const order = new Int32Array(dv.length);
  const fill = binStart.slice(0, nBins);
  bin.forEach((b, i) => (order[fill[b]++] = i));

  const scale = new Float64Array(dv.length).fill(1);
  if (preds.length > 0) {
    for (let b = 0; b < nBins; b++) {
      const members = order.subarray(binStart[b], binStart[b + 1]);
      const predBin = percentile(Float64Array.from(members, (i) => pred[i]).sort(), 0.5);
      for (const i of members) scale[i] = predBin / pred[i];
    }
  }
  return {
    dvid: endpoint.dvid,
    key: endpoint.key,
    error: model.residualError[endpoint.key],
    start,
    timeIndex: Int32Array.from(timeIndex),
    time: Float64Array.from(time),
    dv: Float64Array.from(dv),
    scale,
    order,
    binStart,
    binEdges: edges,
  };
}

/**
 * Bin of each observation time and the bins' ranges, in time order, every bin non-empty.
 * Nominal bins hold one rounded time; quantile bins are [q_k, q_k+1) with the last one closed,
 * cut at type-7 quantiles of the observation times (ties never split).
 */
function assignBins(
  times: readonly number[],
  binning: number | 'auto',
): { bin: Int32Array; edges: { lower: number; upper: number }[] } {
  const rounded = times.map((t) => Math.round(t / TIME_RESOLUTION) * TIME_RESOLUTION);
  const distinct = [...new Set(rounded)].sort((a, b) => a - b);
  const bin = new Int32Array(times.length);
  if (binning === 'auto' && distinct.length <= AUTO_MAX_NOMINAL_TIMES) {
    const index = new Map(distinct.map((t, b) => [t, b]));
    rounded.forEach((t, i) => (bin[i] = index.get(t)!));
    const lower = distinct.map(() => Infinity);
    const upper = distinct.map(() => -Infinity);
    times.forEach((t, i) => {
      lower[bin[i]] = Math.min(lower[bin[i]], t);
      upper[bin[i]] = Math.max(upper[bin[i]], t);
    });
    return { bin, edges: distinct.map((_, b) => ({ lower: lower[b], upper: upper[b] })) };
  }
  const count = binning === 'auto' ? AUTO_QUANTILE_BINS : binning;
  const sorted = Float64Array.from(times).sort();
  const cuts = [
    ...new Set(Array.from({ length: count + 1 }, (_, k) => percentile(sorted, k / count))),
  ];
  // cuts[0] is the smallest time and cuts[last] the largest; a single time gives one bin.
  const nCuts = Math.max(1, cuts.length - 1);
  times.forEach((t, i) => {
    let b = 0;
    while (b + 1 < nCuts && t >= cuts[b + 1]) b++;
    bin[i] = b;
  });
  // Interpolated cuts can leave a bin empty; renumber the occupied ones.
  const used = [...new Set(bin)].sort((a, b) => a - b);
  const renumber = new Map(used.map((b, k) => [b, k]));
  bin.forEach((b, i) => (bin[i] = renumber.get(b)!));
  const edges = used.map((b) => ({
    lower: cuts[b],
    upper: cuts[Math.min(b + 1, cuts.length - 1)],
  }));
  return { bin, edges };
}

/** Index of the first element of ascending `sorted` that is ≥ x. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Copies the finite values of bin b into `scratch`, sorts them and returns how many. */
function gatherSorted(ep: EndpointPlan, b: number, values: Float64Array, scratch: Float64Array) {
  let m = 0;
  for (let j = ep.binStart[b]; j < ep.binStart[b + 1]; j++) {
    const v = values[ep.order[j]];
    if (Number.isFinite(v)) scratch[m++] = v;
  }
  scratch.subarray(0, m).sort();
  return m;
}

/** The finite values of `xs`, ascending, as a new array. */
function finiteSorted(xs: Float64Array): Float64Array {
  return xs.filter((x) => Number.isFinite(x)).sort();
}
