import type { PopulationModel } from '../pkpd/population';
import { createRng } from '../util/rng';
import type { FoceProblem } from './foce';
import { cholesky, choleskyInverse } from './linalg';
import { populationModelOf } from './results';

/**
 * Parameter uncertainty of a fit as draws from the estimates' sampling distribution: x ~
 * N(x̂, Cov) on the estimation scale (log θ, log ω, …, where the normal approximation of
 * the covariance step holds best), each draw decoded to natural-scale values. A dose answer
 * recomputed for every draw shows how much it depends on what the data pinned down.
 */
export interface ParameterDraw {
  /** Typical values by parameter name. */
  readonly theta: Readonly<Record<string, number>>;
  /** Covariate effects' values (exponent or fractional change), by model.covariateEffects index. */
  readonly covariates: readonly number[];
  /** ω (SD), by model.randomEffects index. */
  readonly omega: readonly number[];
  /** Correlation of the correlated pair, when the model has one. */
  readonly rho?: number;
}

export interface ParameterDraws {
  readonly method: string;
  readonly draws: readonly ParameterDraw[];
}

/** Draws kept with a fit: enough for 5th–95th percentiles of a dose answer. */
export const PARAMETER_DRAWS = 200;
const DRAW_SEED = 4242;

/**
 * Draws from N(x̂, cov); undefined when cov is not positive definite. The parameters in `held`
 * (not estimable: see partialCovariance) stay at their estimates in every draw, the others are
 * drawn from their covariance conditional on that.
 */
export function drawParameters(
  problem: FoceProblem,
  x: Float64Array,
  cov: Float64Array,
  count = PARAMETER_DRAWS,
  seed = DRAW_SEED,
  held: readonly number[] = [],
): ParameterDraws | undefined {
  const n = x.length;
  const active = Array.from({ length: n }, (_, i) => i).filter((i) => !held.includes(i));
  const m = active.length;
  if (m === 0) return undefined;
  const l = held.length === 0 ? Float64Array.from(cov) : subMatrix(cov, n, active);
  if (!cholesky(l, m)) return undefined;
  const rng = createRng(seed);
  const z = new Float64Array(m);
  const xr = Float64Array.from(x);
  const draws: ParameterDraw[] = [];
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < m; i++) z[i] = rng.normal();
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += l[i * m + k] * z[k];
      xr[active[i]] = x[active[i]] + s;
    }
    const mdl = populationModelOf(problem, problem.decode(xr), '');
    draws.push(drawOf(mdl));
  }
  const heldNote =
    held.length > 0
      ? `, conditional on ${held.map((i) => problem.xNames[i]).join(', ')} held at ${held.length === 1 ? 'its estimate' : 'their estimates'} (not estimable from these data)`
      : '';
  return {
    method: `${count} draws of the estimates from N(x̂, Cov) on the estimation scale (covariance step)${heldNote}`,
    draws,
  };
}

function drawOf(m: PopulationModel): ParameterDraw {
  const rho = m.correlations?.[0]?.rho;
  return {
    theta: { ...(m.theta as Record<string, number>) },
    covariates: m.covariateEffects.map((e) => (e.kind === 'power' ? e.exponent : e.theta)),
    omega: m.randomEffects.map((re) => re.omega),
    ...(rho !== undefined ? { rho } : {}),
  };
}

/** The fitted model with one draw's values in place of the estimates. */
export function modelForDraw(model: PopulationModel, draw: ParameterDraw): PopulationModel {
  return {
    ...model,
    theta: { ...model.theta, ...draw.theta },
    covariateEffects: model.covariateEffects.map((e, i) => {
      const v = draw.covariates[i];
      if (v === undefined) return e;
      return e.kind === 'power' ? { ...e, exponent: v } : { ...e, theta: v };
    }),
    randomEffects: model.randomEffects.map((re, i) => ({
      ...re,
      omega: draw.omega[i] ?? re.omega,
    })),
    ...(model.correlations && draw.rho !== undefined
      ? { correlations: model.correlations.map((c) => ({ ...c, rho: draw.rho as number })) }
      : {}),
  };
}

/**
 * Curvature (eigenvalue of the Hessian of the OFV, estimation scale) below which a direction
 * counts as flat when the Hessian is not positive definite: moving an e-fold along it changes
 * the OFV by less than 0.01, a standard error above 10 units of log θ / log ω. Finite-difference
 * noise in the Hessian is of order 1e-3, so such directions are not information, only noise.
 */
export const NOT_ESTIMABLE_CURVATURE = 0.02;

/** Standard errors when the Hessian of the objective is not positive definite. */
export interface PartialCovariance {
  /**
   * n×n covariance on the estimation scale, 2·(H_AA)⁻¹ on the estimable parameters A and 0 in
   * the rows and columns of the others: conditional on those held at their estimates.
   */
  readonly cov: Float64Array;
  /** Indices (into the estimation vector) of the parameters the data cannot identify. */
  readonly notEstimable: readonly number[];
}

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations:
 * eigenvalues ascending, eigenvectors as the columns of `vectors` (row-major n×n).
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
): { values: number[]; vectors: Float64Array } {
  const m = Float64Array.from(a);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (m[i * n + j] + m[j * n + i]);
      m[i * n + j] = s;
      m[j * n + i] = s;
    }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale += m[i] * m[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i * n + j] ** 2;
    if (!(off > 1e-30 * scale)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[i * n + i] - m[j * n + j]);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src];
  });
  return { values: order.map((i) => m[i * n + i]), vectors };
}

/**
 * The covariance step when the Hessian H of the OFV (estimation scale, n×n) is not positive
 * definite: finds the parameters the data cannot identify and the standard errors of the rest.
 *
 * While the Hessian of the parameters still in play has an eigenvalue below `threshold` (a flat
 * or negatively curved direction), the parameter with the largest loading on the eigenvector of
 * the smallest eigenvalue is taken out; the rest get Cov = 2·(H_AA)⁻¹, which is their sampling
 * covariance with the parameters taken out held at their estimates. Returns null when nothing
 * is left or H is not finite. `flat`: parameters already known to be flat (a curvature of 0 or
 * less, whose cross terms were not computed), taken out first.
 */
export function partialCovariance(
  hessian: Float64Array,
  n: number,
  flat: readonly number[] = [],
  threshold = NOT_ESTIMABLE_CURVATURE,
): PartialCovariance | null {
  const notEstimable: number[] = [...flat];
  const active = Array.from({ length: n }, (_, i) => i).filter((i) => !flat.includes(i));
  for (const a of active)
    for (const b of active) if (!Number.isFinite(hessian[a * n + b])) return null;
  for (;;) {
    const m = active.length;
    if (m === 0) return null;
    const sub = subMatrix(hessian, n, active);
    const { values, vectors } = symmetricEigen(sub, m);
    if (values[0] >= threshold) {
      const l = Float64Array.from(sub);
      if (cholesky(l, m)) {
        const inv = new Float64Array(m * m);
        choleskyInverse(l, m, inv);
        const cov = new Float64Array(n * n);
        active.forEach((a, i) =>
          active.forEach((b, j) => {
            cov[a * n + b] = 2 * inv[i * m + j];
          }),
        );
        return { cov, notEstimable: notEstimable.sort((a, b) => a - b) };
      }
    }
    let worst = 0;
    for (let i = 1; i < m; i++)
      if (Math.abs(vectors[i * m]) > Math.abs(vectors[worst * m])) worst = i;
    notEstimable.push(active[worst]);
    active.splice(worst, 1);
  }
}

function subMatrix(a: Float64Array, n: number, idx: readonly number[]): Float64Array {
  const m = idx.length;
  const out = new Float64Array(m * m);
  idx.forEach((r, i) => idx.forEach((c, j) => (out[i * m + j] = a[r * n + c])));
  return out;
}
