import type { Threshold } from '../pkpd/metrics';
import type { Hours, Mg } from '../units';
import { scoringStep } from '../models/regimenPrediction';
import { PeriodicResponse } from './periodicResponse';
import { steadyStateProfile } from './steadyStateProfile';
import type { VirtualSubject } from './virtualPopulation';

/**
 * Target attainment: which doses keep the biomarker on the required side of a threshold
 * throughout the dosing interval at steady state, for what fraction of a virtual population,
 * and the smallest dose, in the user's step, that reaches a target fraction.
 */
export interface AttainmentQuestion {
  /** Dosing interval, h (24 once daily, 168 once weekly). */
  readonly interval: Hours;
  /** Doses are multiples of this, mg (0.5, 5, 0.1, ...). */
  readonly step: Mg;
  /** Fraction of the population that must attain the target, in (0, 1]. */
  readonly target: number;
  /** The biomarker must stay below (or above) this value, ng/mL. */
  readonly threshold: Threshold;
  /** Largest dose searched, mg; default DEFAULT_MAX_STEPS steps. */
  readonly maxDose?: Mg;
  /** 1 = oral (depot, the default), 2 = IV bolus. */
  readonly cmt?: number;
}

/** Default search range: this many dose steps (1,000 mg for 0.5 mg steps). */
export const DEFAULT_MAX_STEPS = 2000;
/** Most dose steps searched: the grid and its counts stay small. */
export const MAX_STEPS = 1_000_000;
/** z for the two-sided 95% Monte Carlo band. */
const Z95 = 1.959963984540054;

/** The doses (grid indices k, dose = k·step, inclusive) at which one subject attains. */
export interface SubjectAttainment {
  readonly from: number;
  readonly to: number;
}

export interface AttainmentPoint {
  readonly dose: Mg;
  /** Fraction of the virtual population attaining at this dose. */
  readonly attainment: number;
  /**
   * Band of the fraction: by default the Monte Carlo 95% interval (Wilson score) for the
   * population size; with parameter uncertainty the 5th–95th percentile over parameter draws.
   */
  readonly lo: number;
  readonly hi: number;
}

export interface AttainmentResult {
  readonly question: AttainmentQuestion;
  readonly subjects: number;
  /** The smallest dose (a multiple of the step) reaching the target; null when none ≤ maxDose. */
  readonly dose: Mg | null;
  /** Fraction attaining at that dose. */
  readonly attainment: number | null;
  /**
   * Doses at which the band's upper and lower edges reach the target: the answer's Monte Carlo
   * uncertainty, [lowest, highest] (the highest null when the lower edge never gets there).
   */
  readonly doseBand: readonly [Mg | null, Mg | null];
  readonly maxDose: Mg;
  /** Fraction attaining at the largest dose searched. */
  readonly attainmentAtMax: number;
  /** What the band stands for, in plain language. */
  readonly band: string;
  /** The curve for plotting, at most ~200 points, through the answer and past it. */
  readonly curve: readonly AttainmentPoint[];
  /** Count of attaining subjects at every dose k·step, k = 0 … maxDose/step. */
  readonly counts: Int32Array;
  /** The answer in one plain sentence. */
  readonly summary: string;
  /** Where it was computed (set by the worker layer: WebGPU or the CPU, and why). */
  readonly compute?: { readonly backend: 'webgpu' | 'cpu'; readonly note: string };
}

export function questionProblems(q: AttainmentQuestion): string[] {
  const out: string[] = [];
  if (!(q.interval > 0 && Number.isFinite(q.interval)))
    out.push(`Dosing interval must be > 0 h, got ${q.interval}.`);
  if (!(q.step > 0 && Number.isFinite(q.step)))
    out.push(`Dose step must be > 0 mg, got ${q.step}.`);
  if (!(q.target > 0 && q.target <= 1))
    out.push(`Target fraction must be in (0, 1], got ${q.target}.`);
  if (!Number.isFinite(q.threshold.value))
    out.push(`Threshold must be a number, got ${q.threshold.value}.`);
  if (q.maxDose !== undefined && !(q.maxDose > 0 && Number.isFinite(q.maxDose)))
    out.push(`Largest dose must be > 0 mg, got ${q.maxDose}.`);
  if (out.length === 0 && maxSteps(q) > MAX_STEPS)
    out.push(
      `The search would need ${Math.round(maxSteps(q)).toLocaleString('en-US')} dose steps; use a larger step or a smaller largest dose (at most ${MAX_STEPS.toLocaleString('en-US')} steps).`,
    );
  return out;
}

/** Dose grid size of a question: doses k·step for k = 0 … this. */
export function maxSteps(q: AttainmentQuestion): number {
  return q.maxDose === undefined ? DEFAULT_MAX_STEPS : Math.floor(q.maxDose / q.step + 1e-9);
}

/** Round to the step's decimals, so 0.1-mg steps print as 2.3 rather than 2.3000000000000003. */
export function doseAt(k: number, step: Mg): Mg {
  return Number((k * step).toPrecision(12));
}

/**
 * One subject's attaining doses on the grid k·step, k = 0 … K. The worst biomarker over the
 * interval is monotone in the dose for every model of the engine (concentrations scale with
 * the dose and every drug effect is monotone in the concentration), so the attaining doses are
 * one run of the grid, found by bisection: exact on the grid, about log2(K) evaluations.
 */
export function subjectAttainment(
  subject: VirtualSubject,
  q: AttainmentQuestion,
  steps: number,
  scratch?: AttainmentScratch,
): SubjectAttainment {
  const pd = subject.parameters.pd;
  if (!pd) throw new Error('The model has no biomarker (PD) part: target attainment needs one.');
  const profile = steadyStateProfile(
    subject.parameters.pk,
    q.interval,
    scoringStep(q.interval),
    q.cmt,
    scratch?.profile,
  );
  let response: PeriodicResponse;
  if (scratch) {
    scratch.profile = profile.perMg;
    response = scratch.response
      ? scratch.response.reset(pd, profile)
      : new PeriodicResponse(pd, profile);
    scratch.response = response;
  } else {
    response = new PeriodicResponse(pd, profile);
  }
  const { value, direction } = q.threshold;
  const attains = (k: number) => {
    const w = response.worst(k * q.step, direction);
    return direction === 'below' ? w < value : w > value;
  };
  const a0 = attains(0);
  // Bracket the edge (attains(lo) = a0 ≠ attains(hi)) by galloping out from a guess — the
  // previous subjects' typical edge — then bisect: fewer evaluations than bisecting [0, K]
  // when subjects are alike, the same answer either way.
  let lo = 0;
  let hi = -1;
  const g = Math.min(steps, Math.max(1, Math.round(scratch?.guess ?? steps / 2)));
  if (attains(g) !== a0) {
    hi = g;
    for (let d = 1; ; d *= 2) {
      const k = g - d;
      if (k <= 0) break;
      if (attains(k) === a0) {
        lo = k;
        break;
      }
      hi = k;
    }
  } else {
    lo = g;
    for (let d = 1; ; d *= 2) {
      const k = Math.min(steps, g + d);
      if (attains(k) !== a0) {
        hi = k;
        break;
      }
      lo = k;
      if (k === steps) break;
    }
    if (hi < 0) return a0 ? { from: 0, to: steps } : { from: steps + 1, to: -1 };
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (attains(mid) === a0) lo = mid;
    else hi = mid;
  }
  if (scratch) scratch.guess = scratch.guess === undefined ? hi : 0.8 * scratch.guess + 0.2 * hi;
  return a0 ? { from: 0, to: lo } : { from: hi, to: steps };
}

/** Work buffers reused from one subject to the next (fewer allocations in a population loop). */
export interface AttainmentScratch {
  profile?: Float64Array;
  response?: PeriodicResponse;
  /** Where the last subjects' edges were (grid index, smoothed): the next search starts there. */
  guess?: number;
}

export interface AttainmentRunOptions {
  /** Called every few hundred subjects with the fraction done. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Return true to stop; the run then throws AttainmentCancelledError. */
  readonly shouldStop?: () => boolean;
}

export class AttainmentCancelledError extends Error {
  constructor() {
    super('Target attainment was cancelled.');
    this.name = 'AttainmentCancelledError';
  }
}

/** Every subject's attaining doses, and the count attaining at each grid dose. */
export function attainmentCounts(
  subjects: readonly VirtualSubject[],
  q: AttainmentQuestion,
  opts: AttainmentRunOptions = {},
): { counts: Int32Array; perSubject: SubjectAttainment[] } {
  const problems = questionProblems(q);
  if (problems.length > 0) throw new Error(problems.join(' '));
  const steps = maxSteps(q);
  const perSubject: SubjectAttainment[] = [];
  const scratch: AttainmentScratch = {};
  for (let i = 0; i < subjects.length; i++) {
    if (i % 256 === 0) {
      if (opts.shouldStop?.()) throw new AttainmentCancelledError();
      opts.onProgress?.(i, subjects.length);
    }
    const s = subjectAttainment(subjects[i], q, steps, scratch);
    perSubject.push(s);
  }
  opts.onProgress?.(subjects.length, subjects.length);
  return { counts: countsFromRuns(perSubject, steps), perSubject };
}

/** The number of subjects attaining at each grid dose k = 0 … steps, from their runs. */
export function countsFromRuns(runs: readonly SubjectAttainment[], steps: number): Int32Array {
  const diff = new Int32Array(steps + 2);
  for (const s of runs) {
    if (s.from <= s.to) {
      diff[Math.max(0, s.from)] += 1;
      diff[Math.min(steps, s.to) + 1] -= 1;
    }
  }
  const counts = new Int32Array(steps + 1);
  let run = 0;
  for (let k = 0; k <= steps; k++) {
    run += diff[k];
    counts[k] = run;
  }
  return counts;
}

/** Wilson score interval for `count` successes out of `n` (95%). */
export function wilsonInterval(count: number, n: number): [number, number] {
  if (n <= 0) return [0, 1];
  const p = count / n;
  const z2 = Z95 * Z95;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  // Rounding must not put the estimate outside its own interval (p = 0 or 1 exactly).
  return [Math.min(p, Math.max(0, centre - half)), Math.max(p, Math.min(1, centre + half))];
}

const CURVE_POINTS = 200;

/** The answer and the plotted curve from the counts of attaining subjects per grid dose. */
export function attainmentResult(
  counts: Int32Array,
  subjects: number,
  q: AttainmentQuestion,
  uncertainty?: { readonly band: (k: number) => [number, number]; readonly label: string },
): AttainmentResult {
  const steps = counts.length - 1;
  const need = q.target * subjects - 1e-9;
  const firstReaching = (f: (k: number) => number) => {
    for (let k = 0; k <= steps; k++) if (f(k) >= q.target - 1e-12) return k;
    return -1;
  };
  let answer = -1;
  for (let k = 0; k <= steps; k++) {
    if (counts[k] >= need) {
      answer = k;
      break;
    }
  }
  const band = uncertainty?.band ?? ((k: number) => wilsonInterval(counts[k], subjects));
  const bandLo = firstReaching((k) => band(k)[1]);
  const bandHi = firstReaching((k) => band(k)[0]);
  // Plot through the answer and on to where the curve levels off.
  const maxCount = counts.reduce((m, c) => Math.max(m, c), 0);
  let plateau = steps;
  for (let k = 0; k <= steps; k++) {
    if (counts[k] >= 0.995 * maxCount && counts[k] > 0) {
      plateau = k;
      break;
    }
  }
  const end = Math.min(steps, Math.max(20, Math.ceil(1.5 * Math.max(answer, bandHi, plateau, 1))));
  const stride = Math.max(1, Math.ceil(end / CURVE_POINTS));
  const ks = new Set<number>();
  for (let k = 0; k <= end; k += stride) ks.add(k);
  ks.add(end);
  for (const k of [answer, bandLo, bandHi]) if (k >= 0) ks.add(k);
  const curve = [...ks]
    .sort((a, b) => a - b)
    .map((k) => {
      const [lo, hi] = band(k);
      return { dose: doseAt(k, q.step), attainment: counts[k] / subjects, lo, hi };
    });
  const maxDose = doseAt(steps, q.step);
  const dose = answer >= 0 ? doseAt(answer, q.step) : null;
  const attainment = answer >= 0 ? counts[answer] / subjects : null;
  const pct = (f: number) => `${(100 * f).toFixed(f >= 0.999 || f <= 0.001 ? 0 : 1)}%`;
  const side = q.threshold.direction === 'below' ? 'below' : 'above';
  const every =
    q.interval === 24 ? 'once daily' : q.interval === 168 ? 'once weekly' : `every ${q.interval} h`;
  const summary =
    dose !== null
      ? `${dose} mg ${every} keeps the biomarker ${side} ${q.threshold.value} ng/mL throughout the interval at steady state in ${pct(attainment ?? 0)} of ${subjects.toLocaleString('en-US')} virtual subjects (target ${pct(q.target)}).`
      : `No dose up to ${maxDose} mg ${every} reaches the target: at most ${pct(counts[steps] / subjects)} keep the biomarker ${side} ${q.threshold.value} ng/mL (target ${pct(q.target)}).`;
  return {
    question: q,
    subjects,
    dose,
    attainment,
    doseBand: [
      bandLo >= 0 ? doseAt(bandLo, q.step) : null,
      bandHi >= 0 ? doseAt(bandHi, q.step) : null,
    ],
    maxDose,
    attainmentAtMax: counts[steps] / subjects,
    band:
      uncertainty?.label ??
      `Monte Carlo 95% interval (Wilson) for ${subjects.toLocaleString('en-US')} virtual subjects`,
    curve,
    counts,
    summary,
  };
}

/** Attainment of the dose `dose` (rounded down to the grid) from a result's counts. */
export function attainmentAt(result: AttainmentResult, dose: Mg): number {
  const k = Math.floor(dose / result.question.step + 1e-9);
  if (k < 0) return NaN;
  const steps = result.counts.length - 1;
  return result.counts[Math.min(k, steps)] / result.subjects;
}

/** The whole question for a sampled population: counts, answer and curve. */
export function findDose(
  subjects: readonly VirtualSubject[],
  q: AttainmentQuestion,
  opts: AttainmentRunOptions = {},
): AttainmentResult {
  if (subjects.length === 0) throw new Error('The virtual population is empty.');
  const { counts } = attainmentCounts(subjects, q, opts);
  return attainmentResult(counts, subjects.length, q);
}
