import { expConvolution2, expConvolution3 } from '../pkpd/linearExpConvolution';
import { headCoordinates, headParameters, type HeadParameters } from './parameterHeadModel';
import type { EndpointRows, Standardisation, TargetScaling, TrainingData } from './types';

/**
 * Where the parameter head starts: the typical values of its model's parameters, fitted to the
 * training rows as if every subject were the same (a naive pooled fit, on the scaled targets the
 * network's loss uses). The head's biases start at these values and its weights near zero, so
 * an untrained network already predicts the population's typical curves, and training learns
 * how covariates move each subject away from them. Only the training rows are used.
 *
 * The fit is in double precision with the engine's exponential convolutions: a coarse grid
 * over log-parameters, then Nelder–Mead. PK first (CL, V, ka on the PK rows), then PD with the
 * PK fixed (E0, f, EC50, ke0, h on the PD rows). Without the rows a fit needs, FALLBACK values.
 */

/**
 * Used when the training rows cannot inform a parameter (no PK rows, no dosed PD rows). A
 * one-compartment drug with a 7 h half-life, absorbed in about an hour; a biomarker that the
 * drug halves at 1 mg/L, with a response half-life of about 7 h.
 */
export const FALLBACK_PARAMETERS: HeadParameters = {
  CL: 1,
  V: 10,
  ka: 1,
  baseline: 1,
  emaxFraction: -0.5,
  EC50: 1,
  ke0: 0.1,
  hill: 1,
};

/** Hill coefficients outside this range are clamped in the starting fit (steep or flat fits
 * of a pooled data set are artefacts of the pooling). */
const HILL_RANGE = [0.3, 5] as const;

/** Nelder–Mead budget (objective evaluations) per fit. */
const PK_EVALUATIONS = 400;
const PD_EVALUATIONS = 600;

/**
 * Nelder–Mead (standard coefficients: reflection 1, expansion 2, contraction ½, shrink ½) from
 * x0 with initial steps `step` on every coordinate, for at most `maxEvaluations` evaluations.
 */
export function nelderMead(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  step: number,
  maxEvaluations: number,
): number[] {
  const n = x0.length;
  let evaluations = 0;
  const value = (x: number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  const simplex: { x: number[]; v: number }[] = [{ x: [...x0], v: value([...x0]) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] += step;
    simplex.push({ x, v: value(x) });
  }
  const along = (from: number[], to: number[], s: number) =>
    from.map((a, i) => a + s * (to[i] - a));
  while (evaluations < maxEvaluations) {
    simplex.sort((a, b) => a.v - b.v);
    const worst = simplex[n];
    const centroid = new Array<number>(n).fill(0);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i] += simplex[k].x[i] / n;
    const reflected = along(centroid, worst.x, -1);
    const vr = value(reflected);
    if (vr < simplex[0].v) {
      const expanded = along(centroid, worst.x, -2);
      const ve = value(expanded);
      simplex[n] = ve < vr ? { x: expanded, v: ve } : { x: reflected, v: vr };
    } else if (vr < simplex[n - 1].v) {
      simplex[n] = { x: reflected, v: vr };
    } else {
      const outside = vr < worst.v;
      const contracted = along(centroid, outside ? reflected : worst.x, 0.5);
      const vc = value(contracted);
      if (vc < (outside ? vr : worst.v)) {
        simplex[n] = { x: contracted, v: vc };
      } else {
        for (let k = 1; k <= n; k++) {
          const x = along(simplex[0].x, simplex[k].x, 0.5);
          simplex[k] = { x, v: value(x) };
        }
      }
    }
  }
  simplex.sort((a, b) => a.v - b.v);
  return simplex[0].x;
}

/** The best point of a grid (every combination of the values given per coordinate). */
function bestOnGrid(f: (x: readonly number[]) => number, axes: readonly number[][]): number[] {
  let best: number[] = axes.map((a) => a[0]);
  let bestValue = Infinity;
  const point = new Array<number>(axes.length);
  const visit = (k: number) => {
    if (k === axes.length) {
      const v = f(point);
      if (v < bestValue) {
        bestValue = v;
        best = [...point];
      }
      return;
    }
    for (const value of axes[k]) {
      point[k] = value;
      visit(k + 1);
    }
  };
  visit(0);
  return best;
}

/** Rows of one endpoint with their observations back in mg/L or ng/mL. */
interface RawRows {
  readonly rows: EndpointRows;
  readonly observed: Float64Array;
  readonly slots: number;
  readonly elapsed: Float32Array;
  readonly amount: Float32Array;
}

function rawRows(rows: EndpointRows, s: Standardisation, logTargets: boolean): RawRows | null {
  if (rows.rows === 0 || !rows.doses) return null;
  const observed = Float64Array.from(rows.y, (z) => {
    const v = z * s.sd + s.mean;
    return logTargets ? Math.expm1(v) : v;
  });
  return { rows, observed, ...rows.doses };
}

function hasDoses(r: RawRows, i: number): boolean {
  for (let j = i * r.slots; j < (i + 1) * r.slots; j++) if (r.amount[j] !== 0) return true;
  return false;
}

/** Mean squared error on the targets' scale of predictions `predict(row)` (mg/L or ng/mL). */
function scaledError(
  r: RawRows,
  s: Standardisation,
  logTargets: boolean,
  predict: (i: number) => number,
): number {
  let sum = 0;
  for (let i = 0; i < r.rows.rows; i++) {
    const p = predict(i);
    const z = ((logTargets ? Math.log1p(Math.max(p, 0)) : p) - s.mean) / s.sd;
    sum += (z - r.rows.y[i]) ** 2;
  }
  return sum / r.rows.rows;
}

/** Central concentration (mg/L) of row i for rates ka, ke (1/h) and volume V (L). */
function concentration(r: RawRows, i: number, ka: number, ke: number, V: number): number {
  let sum = 0;
  for (let j = i * r.slots; j < (i + 1) * r.slots; j++) {
    if (r.amount[j] !== 0) sum += r.amount[j] * expConvolution2(ka, ke, r.elapsed[j]);
  }
  return (ka / V) * sum;
}

/** Effect-site concentration (mg/L) of row i. */
function effectSite(r: RawRows, i: number, ka: number, ke: number, ke0: number, V: number) {
  let sum = 0;
  for (let j = i * r.slots; j < (i + 1) * r.slots; j++) {
    if (r.amount[j] !== 0) sum += r.amount[j] * expConvolution3(ka, ke, ke0, r.elapsed[j]);
  }
  return ((ka * ke0) / V) * sum;
}

const LN10 = Math.log(10);
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/**
 * Typical parameter values for the training rows (they must carry dose histories and
 * `targets`, as buildTrainingData gives them).
 */
export function fitTypicalParameters(train: TrainingData): HeadParameters {
  const targets: TargetScaling | undefined = train.targets;
  if (!targets) return FALLBACK_PARAMETERS;
  const log = targets.logTargets;
  const pkRows = rawRows(train.pk, targets.pk, log);
  const pdRows = rawRows(train.pd, targets.pd, log);
  let { CL, V, ka } = FALLBACK_PARAMETERS;

  const dosedPk = pkRows && Array.from({ length: pkRows.rows.rows }, (_, i) => hasDoses(pkRows, i));
  if (pkRows && dosedPk?.some((d) => d)) {
    const objective = (x: readonly number[]) => {
      const v = Math.exp(x[1]);
      const rateKa = Math.exp(x[2]);
      const ke = Math.exp(x[0] - x[1]);
      return scaledError(pkRows, targets.pk, log, (i) => concentration(pkRows, i, rateKa, ke, v));
    };
    const grid = bestOnGrid(objective, [
      range(-3, 2, 0.5).map((e) => e * LN10),
      range(-1, 3, 0.5).map((e) => e * LN10),
      [0.2, 1, 5].map(Math.log),
    ]);
    const x = nelderMead(objective, grid, 0.3, PK_EVALUATIONS);
    [CL, V, ka] = x.map(Math.exp);
  }
  const ke = CL / V;

  let baseline = FALLBACK_PARAMETERS.baseline;
  let { emaxFraction, EC50, ke0, hill } = FALLBACK_PARAMETERS;
  if (pdRows) {
    // E0 from the rows without drug (placebo, pre-dose), else from all.
    const undosed = pdRows.observed.filter((_, i) => !hasDoses(pdRows, i));
    const base = undosed.length > 0 ? undosed : pdRows.observed;
    const mean = base.reduce((a, b) => a + b, 0) / base.length;
    if (mean > 0) baseline = mean;
    const dosedPd = Array.from({ length: pdRows.rows.rows }, (_, i) => hasDoses(pdRows, i));
    if (dosedPd.some((d) => d)) {
      // Concentration scale: the median typical concentration of the dosed PD rows.
      const c = pdRows.observed
        .map((_, i) => (dosedPd[i] ? concentration(pdRows, i, ka, ke, V) : NaN))
        .filter((v) => v > 0)
        .sort((a, b) => a - b);
      const cScale = c.length > 0 ? c[Math.floor(c.length / 2)] : FALLBACK_PARAMETERS.EC50;
      const objective = (x: readonly number[]) => {
        const p = headParameters(
          [0, 0, 0],
          [x[0], x[1], x[2], x[3], clamp(x[4], Math.log(HILL_RANGE[0]), Math.log(HILL_RANGE[1]))],
        );
        return scaledError(pdRows, targets.pd, log, (i) => {
          const ce = effectSite(pdRows, i, ka, ke, p.ke0, V);
          const h = ce > 0 ? 1 / (1 + (p.EC50 / ce) ** p.hill) : 0;
          return p.baseline * (1 + p.emaxFraction * h);
        });
      };
      const grid = bestOnGrid(objective, [
        [Math.log(baseline)],
        [0.1, 0.5, 2].map(Math.log),
        [0.1, 0.3, 1, 3].map((m) => Math.log(m * cScale)),
        [0.003, 0.01, 0.03, 0.1, 0.3].map(Math.log),
        [0],
      ]);
      const x = nelderMead(objective, grid, 0.3, PD_EVALUATIONS);
      x[4] = clamp(x[4], Math.log(HILL_RANGE[0]), Math.log(HILL_RANGE[1]));
      ({ baseline, emaxFraction, EC50, ke0, hill } = headParameters([0, 0, 0], x));
    }
  }
  const fitted = { CL, V, ka, baseline, emaxFraction, EC50, ke0, hill };
  // A non-finite value (a degenerate data set) falls back rather than poisoning the network.
  const coordinates = headCoordinates(fitted);
  return [...coordinates.pk, ...coordinates.pd].every(Number.isFinite)
    ? fitted
    : FALLBACK_PARAMETERS;
}

/** from, from + step, …, to. */
function range(from: number, to: number, step: number): number[] {
  const n = Math.round((to - from) / step);
  return Array.from({ length: n + 1 }, (_, i) => from + i * step);
}
