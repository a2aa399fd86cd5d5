import type { Rng } from '../util/rng';
import { simulatePkPd, type PkPdOptions } from './pd';
import { DormandPrince } from './ode';
import type {
  DoseEvent,
  PdParameters,
  PkParameters,
  PkPdParameters,
  SimulationResult,
} from './types';
import {
  PD_PARAMETER_NAMES,
  PK_PARAMETER_NAMES,
  validatePdParameters,
  validatePkParameters,
  type PdParameterName,
  type PkParameterName,
} from './validate';

/**
 * A nonlinear mixed-effects population PK/PD model: the same value describes the demo trial's
 * true model and what an NLME fit estimates, so either can drive a virtual population or a
 * dose search. It is plain JSON (no functions, no typed arrays) and can be saved, shared and
 * compared.
 *
 * Individual parameter P of subject i with covariates x_i and random effects η_i:
 *
 *   P_typ = θ_P · Π_power (x_c / ref)^exponent · Π_categorical (1 + θ)^[x_c = level]
 *   P_i   = P_typ · exp(η_P)                       (transform 'log', the default)
 *   P_i   = expit(logit(P_typ) + η_P)              (transform 'logit', for fractions in (0, 1))
 *
 * with η_P ~ N(0, ω_P²) independent across parameters (diagonal Ω). Observations carry
 * residual error per endpoint: y = f + sqrt(sd² + (cv·f)²)·ε, ε ~ N(0, 1).
 */
export interface PopulationModel {
  /** Structural PK model (see PkParameters.type). */
  readonly pk: PkParameters['type'];
  /** Structural PD model (see PdParameters.type); absent for a PK-only model. */
  readonly pd?: PdParameters['type'];
  /**
   * Typical values θ for a reference subject (every covariate at its reference or level 0), by
   * parameter name, in the units of PkParameters / PdParameters (L/h, L, 1/h, mg/L, ng/mL).
   * Parameters the structural model does not use are ignored.
   */
  readonly theta: Readonly<Partial<Record<ParameterName, number>>>;
  /** Covariate effects, applied multiplicatively to the typical value in the order listed. */
  readonly covariateEffects: readonly CovariateEffect[];
  /** Between-subject variability: one random effect per listed parameter (diagonal Ω). */
  readonly randomEffects: readonly RandomEffect[];
  /**
   * Correlations between pairs of random effects (e.g. CL and V), each pair at most once and
   * each parameter in at most one pair; Ω is diagonal otherwise.
   */
  readonly correlations?: readonly {
    readonly parameters: readonly [ParameterName, ParameterName];
    readonly rho: number;
  }[];
  /** Residual error per endpoint; an endpoint without an entry is observed without error. */
  readonly residualError: {
    /** Concentration, mg/L (DVID 1). */
    readonly concentration?: ResidualErrorModel;
    /** Biomarker, ng/mL (DVID 2). */
    readonly biomarker?: ResidualErrorModel;
  };
  /** Where the model came from, in plain language (a simulation truth, a fit and its data). */
  readonly description?: string;
}

export type ParameterName = PkParameterName | PdParameterName;

/** Covariate values of one subject by name: BW in kg, COMED 0/1, any other the model uses. */
export type CovariateValues = Readonly<Record<string, number>>;

export type CovariateEffect =
  | {
      /** P ← P · (x / reference)^exponent, e.g. allometric body weight: (BW/70)^0.75 on CL. */
      readonly kind: 'power';
      readonly parameter: ParameterName;
      readonly covariate: string;
      /** Reference value of the covariate, in its unit (kg for BW); must be > 0. */
      readonly reference: number;
      readonly exponent: number;
    }
  | {
      /** P ← P · (1 + theta) when x = level (default 1), e.g. COMED lowering the baseline. */
      readonly kind: 'categorical';
      readonly parameter: ParameterName;
      readonly covariate: string;
      readonly level?: number;
      /** Fractional change, > −1. */
      readonly theta: number;
    };

export interface RandomEffect {
  readonly parameter: ParameterName;
  /** ω: standard deviation of η on the transformed (log or logit) scale; ≥ 0. */
  readonly omega: number;
  /** 'log' (log-normal, default) or 'logit' (logit-normal, keeps a fraction in (0, 1)). */
  readonly transform?: 'log' | 'logit';
}

/**
 * Residual error of one endpoint. Variance of an observation with prediction f:
 * additive sd², proportional (cv·f)², combined sd² + (cv·f)². sd is in the endpoint's unit
 * (mg/L or ng/mL); cv is a fraction (0.1 = 10%).
 */
export type ResidualErrorModel =
  | { readonly type: 'additive'; readonly sd: number }
  | { readonly type: 'proportional'; readonly cv: number }
  | { readonly type: 'combined'; readonly sd: number; readonly cv: number };

const PK_NAMES: ReadonlySet<string> = new Set(PK_PARAMETER_NAMES);
const PD_NAMES: ReadonlySet<string> = new Set(PD_PARAMETER_NAMES);

function covariateValue(covariates: CovariateValues, name: string, parameter: string): number {
  const x = covariates[name];
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new Error(
      `Covariate ${name} is missing or not a finite number (it affects ${parameter}), got ${x}`,
    );
  }
  return x;
}

/** Typical value of every θ parameter for these covariates (η = 0), before any checks. */
function typicalValues(
  model: PopulationModel,
  covariates: CovariateValues,
): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [name, value] of Object.entries(model.theta)) {
    if (value !== undefined) values[name] = value;
  }
  for (const effect of model.covariateEffects) {
    const p = effect.parameter;
    if (values[p] === undefined) {
      throw new Error(
        `Covariate effect of ${effect.covariate} on ${p}: ${p} has no typical value θ`,
      );
    }
    const x = covariateValue(covariates, effect.covariate, p);
    if (effect.kind === 'power') {
      if (!(x > 0) || !(effect.reference > 0)) {
        throw new Error(
          `Power effect of ${effect.covariate} on ${p} needs a covariate and reference > 0, got ${x} and ${effect.reference}`,
        );
      }
      values[p] *= (x / effect.reference) ** effect.exponent;
    } else if (x === (effect.level ?? 1)) {
      if (!(effect.theta > -1)) {
        throw new Error(
          `Categorical effect of ${effect.covariate} on ${p} must be > −1, got ${effect.theta}`,
        );
      }
      values[p] *= 1 + effect.theta;
    }
  }
  return values;
}

/**
 * Flat parameter values (CL, V, ka… and baseline, kout, IC50…) as the structural PK and PD
 * records of the given model types, not validated; names that are neither are left out.
 */
export function splitParameters(
  pkType: PkParameters['type'],
  pdType: PdParameters['type'] | undefined,
  values: Readonly<Record<string, number>>,
): PkPdParameters {
  const pk: Record<string, unknown> = { type: pkType };
  const pd: Record<string, unknown> = { type: pdType };
  for (const [name, value] of Object.entries(values)) {
    if (PK_NAMES.has(name)) pk[name] = value;
    else if (PD_NAMES.has(name)) pd[name] = value;
  }
  const pkParams = pk as unknown as PkParameters;
  return pdType ? { pk: pkParams, pd: pd as unknown as PdParameters } : { pk: pkParams };
}

/** Splits flat parameter values into the structural PK and PD parameter records, validated. */
function structural(model: PopulationModel, values: Record<string, number>): PkPdParameters {
  for (const name of Object.keys(values)) {
    if (!PK_NAMES.has(name) && !PD_NAMES.has(name))
      throw new Error(`Population model parameter ${name} is neither a PK nor a PD parameter`);
  }
  const params = splitParameters(model.pk, model.pd, values);
  validatePkParameters(params.pk);
  if (params.pd) validatePdParameters(params.pd);
  return params;
}

/**
 * Individual structural parameters for a subject with these covariates and random effects
 * `eta` (aligned with `model.randomEffects`; omitted or shorter means η = 0). Throws an error
 * naming the parameter when the result is invalid (e.g. a fraction pushed above 1).
 */
export function individualParameters(
  model: PopulationModel,
  covariates: CovariateValues,
  eta?: ArrayLike<number>,
): PkPdParameters {
  const values = typicalValues(model, covariates);
  model.randomEffects.forEach((re, k) => {
    const e = eta && k < eta.length ? eta[k] : 0;
    const p = re.parameter;
    if (values[p] === undefined)
      throw new Error(`Random effect on ${p}: ${p} has no typical value θ`);
    if (!Number.isFinite(e)) throw new Error(`Random effect η for ${p} must be finite, got ${e}`);
    if ((re.transform ?? 'log') === 'log') {
      values[p] *= Math.exp(e);
    } else {
      const tv = values[p];
      if (!(tv > 0 && tv < 1)) {
        throw new Error(`Logit random effect on ${p} needs a typical value in (0, 1), got ${tv}`);
      }
      values[p] = 1 / (1 + Math.exp(-(Math.log(tv / (1 - tv)) + e)));
    }
  });
  return structural(model, values);
}

/** The typical subject's parameters for these covariates (all η = 0). */
export function typicalParameters(
  model: PopulationModel,
  covariates: CovariateValues,
): PkPdParameters {
  return individualParameters(model, covariates);
}

/**
 * One draw of η ~ N(0, Ω), aligned with `model.randomEffects`: independent with SD ω, except
 * for correlated pairs, where η_b = ω_b·(ρ·z_a + √(1 − ρ²)·z_b).
 */
export function sampleEta(model: PopulationModel, rng: Rng): Float64Array {
  const eta = new Float64Array(model.randomEffects.length);
  const z = new Float64Array(model.randomEffects.length);
  model.randomEffects.forEach((re, k) => {
    if (!(re.omega >= 0))
      throw new Error(`Random effect on ${re.parameter}: omega must be ≥ 0, got ${re.omega}`);
    z[k] = rng.normal();
    eta[k] = re.omega * z[k];
  });
  for (const c of model.correlations ?? []) {
    const a = model.randomEffects.findIndex((re) => re.parameter === c.parameters[0]);
    const b = model.randomEffects.findIndex((re) => re.parameter === c.parameters[1]);
    if (a < 0 || b < 0 || a === b || !(Math.abs(c.rho) <= 1)) {
      throw new Error(
        `Correlation ${c.parameters.join('–')} needs random effects on both and |ρ| ≤ 1, got ρ = ${c.rho}`,
      );
    }
    eta[b] = model.randomEffects[b].omega * (c.rho * z[a] + Math.sqrt(1 - c.rho * c.rho) * z[b]);
  }
  return eta;
}

/** Variance of an observation whose prediction is `value`: sd² + (cv·value)², unit squared. */
export function residualVariance(value: number, err: ResidualErrorModel): number {
  const sd = err.type === 'proportional' ? 0 : err.sd;
  const p = err.type === 'additive' ? 0 : err.cv * value;
  return sd * sd + p * p;
}

/** Standard deviation of an observation whose prediction is `value`, in its unit. */
export function residualSd(value: number, err: ResidualErrorModel): number {
  switch (err.type) {
    case 'additive':
      return err.sd;
    case 'proportional':
      return err.cv * Math.abs(value);
    case 'combined':
      return Math.sqrt(residualVariance(value, err));
  }
}

/**
 * `value` plus one draw of residual error. The result may be negative for additive error near
 * zero; callers that write observed data decide how to floor it.
 */
export function addResidualError(value: number, err: ResidualErrorModel, rng: Rng): number {
  return value + residualSd(value, err) * rng.normal();
}

/** How to draw one covariate for a virtual subject. */
export type CovariateDistribution =
  | { readonly type: 'fixed'; readonly value: number }
  | { readonly type: 'uniform'; readonly min: number; readonly max: number }
  /** Normal, resampled until it falls inside [min, max] when bounds are given. */
  | {
      readonly type: 'normal';
      readonly mean: number;
      readonly sd: number;
      readonly min?: number;
      readonly max?: number;
    }
  /** 1 with probability p, else 0 (e.g. COMED). */
  | { readonly type: 'bernoulli'; readonly p: number };

/** `n` covariate sets drawn independently from per-covariate distributions. */
export function sampleCovariates(
  distributions: Readonly<Record<string, CovariateDistribution>>,
  n: number,
  rng: Rng,
): CovariateValues[] {
  const names = Object.keys(distributions);
  const out: CovariateValues[] = [];
  for (let i = 0; i < n; i++) {
    const x: Record<string, number> = {};
    for (const name of names) x[name] = drawCovariate(name, distributions[name], rng);
    out.push(x);
  }
  return out;
}

function drawCovariate(name: string, d: CovariateDistribution, rng: Rng): number {
  switch (d.type) {
    case 'fixed':
      return d.value;
    case 'uniform':
      if (!(d.max >= d.min))
        throw new Error(`Covariate ${name}: uniform max must be ≥ min, got ${d.min}–${d.max}`);
      return d.min + (d.max - d.min) * rng.uniform();
    case 'bernoulli':
      if (!(d.p >= 0 && d.p <= 1))
        throw new Error(`Covariate ${name}: p must be in [0, 1], got ${d.p}`);
      return rng.uniform() < d.p ? 1 : 0;
    case 'normal': {
      const lo = d.min ?? -Infinity;
      const hi = d.max ?? Infinity;
      if (!(d.sd >= 0) || !(hi >= lo))
        throw new Error(`Covariate ${name}: invalid normal distribution`);
      // Rejection keeps the truncated shape; give up rather than loop on an empty range.
      for (let tries = 0; tries < 10_000; tries++) {
        const x = d.mean + d.sd * rng.normal();
        if (x >= lo && x <= hi) return x;
      }
      throw new Error(
        `Covariate ${name}: bounds [${lo}, ${hi}] are too far from the mean ${d.mean}`,
      );
    }
  }
}

/** One virtual subject of a population simulation. */
export interface PopulationSubject {
  readonly covariates: CovariateValues;
  /** Random effects, aligned with `model.randomEffects`. */
  readonly eta: Float64Array;
  readonly parameters: PkPdParameters;
  /** Model predictions without residual error. */
  readonly prediction: SimulationResult;
  /** Predictions plus residual error (present unless `residualError: false`). */
  readonly observed?: { readonly concentration: Float64Array; readonly biomarker?: Float64Array };
}

export interface PopulationSimulationOptions extends PkPdOptions {
  /** Add residual error to produce `observed` values (default true). */
  readonly residualError?: boolean;
}

/**
 * Simulates one subject per covariate set: η drawn, individual parameters, PK/PD at `times`
 * under `events` (the same records for everyone, or a function giving each subject's), and
 * optionally residual error. Each subject draws from its own fork of `rng`, so subject i's
 * values do not depend on how many draws earlier subjects needed.
 */
export function simulatePopulation(
  model: PopulationModel,
  covariateSets: readonly CovariateValues[],
  events:
    readonly DoseEvent[] | ((subject: number, covariates: CovariateValues) => readonly DoseEvent[]),
  times: ArrayLike<number>,
  rng: Rng,
  opts: PopulationSimulationOptions = {},
): PopulationSubject[] {
  const solver = opts.solver ?? new DormandPrince(1, opts);
  const withError = opts.residualError ?? true;
  return covariateSets.map((covariates, i) => {
    const r = rng.fork();
    const eta = sampleEta(model, r);
    const parameters = individualParameters(model, covariates, eta);
    const doses = typeof events === 'function' ? events(i, covariates) : events;
    const prediction = simulatePkPd(parameters, doses, times, { ...opts, solver });
    if (!withError) return { covariates, eta, parameters, prediction };
    const noisy = (values: Float64Array, err: ResidualErrorModel | undefined) =>
      err ? values.map((v) => addResidualError(v, err, r)) : Float64Array.from(values);
    const observed = {
      concentration: noisy(prediction.concentration, model.residualError.concentration),
      ...(prediction.biomarker
        ? { biomarker: noisy(prediction.biomarker, model.residualError.biomarker) }
        : {}),
    };
    return { covariates, eta, parameters, prediction, observed };
  });
}
