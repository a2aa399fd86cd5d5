import type { PopulationModel } from '../pkpd/population';
import { createRng } from '../util/rng';
import type { FoceProblem } from './foce';
import { cholesky } from './linalg';
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

/** Draws from N(x̂, cov); undefined when cov is not positive definite. */
export function drawParameters(
  problem: FoceProblem,
  x: Float64Array,
  cov: Float64Array,
  count = PARAMETER_DRAWS,
  seed = DRAW_SEED,
): ParameterDraws | undefined {
  const n = x.length;
  const l = Float64Array.from(cov);
  if (!cholesky(l, n)) return undefined;
  const rng = createRng(seed);
  const z = new Float64Array(n);
  const xr = new Float64Array(n);
  const draws: ParameterDraw[] = [];
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < n; i++) z[i] = rng.normal();
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k <= i; k++) s += l[i * n + k] * z[k];
      xr[i] = x[i] + s;
    }
    const m = populationModelOf(problem, problem.decode(xr), '');
    draws.push(drawOf(m));
  }
  return {
    method: `${count} draws of the estimates from N(x̂, Cov) on the estimation scale (covariance step)`,
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
