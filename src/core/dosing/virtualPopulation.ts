import {
  individualParameters,
  sampleCovariates,
  sampleEta,
  type CovariateDistribution,
  type CovariateValues,
  type PopulationModel,
} from '../pkpd/population';
import type { PkPdParameters } from '../pkpd/types';
import { createRng, type Rng } from '../util/rng';

/**
 * How to draw one covariate of a virtual subject: a distribution (fixed, uniform, normal
 * truncated to a range, Bernoulli for 0/1 covariates such as COMED), or resampled with
 * replacement from observed values (e.g. the loaded data's body weights).
 */
export type CovariateSource =
  CovariateDistribution | { readonly type: 'resample'; readonly values: readonly number[] };

/** A virtual population: its size, its seed and how each covariate is drawn. */
export interface VirtualPopulationSpec {
  readonly size: number;
  readonly seed: number;
  readonly covariates: Readonly<Record<string, CovariateSource>>;
}

export interface VirtualSubject {
  readonly covariates: CovariateValues;
  readonly parameters: PkPdParameters;
}

/** Covariates a population model needs a value for (those its covariate effects use). */
export function modelCovariates(model: PopulationModel): string[] {
  return [...new Set(model.covariateEffects.map((e) => e.covariate))];
}

/** Largest virtual population the workbench simulates at once. */
export const MAX_POPULATION_SIZE = 1_000_000;

function drawSource(name: string, source: CovariateSource, rng: Rng): number {
  if (source.type !== 'resample') return sampleCovariates({ [name]: source }, 1, rng)[0][name];
  const values = source.values;
  if (values.length === 0) throw new Error(`Covariate ${name}: no values to resample from`);
  return values[Math.min(values.length - 1, Math.floor(rng.uniform() * values.length))];
}

/**
 * Problems with a population spec for this model, each a plain sentence; empty when it can be
 * simulated.
 */
export function populationSpecProblems(
  model: PopulationModel,
  spec: VirtualPopulationSpec,
): string[] {
  const problems: string[] = [];
  if (!(Number.isInteger(spec.size) && spec.size >= 1 && spec.size <= MAX_POPULATION_SIZE)) {
    problems.push(
      `Population size must be a whole number from 1 to ${MAX_POPULATION_SIZE.toLocaleString('en-US')}, got ${spec.size}.`,
    );
  }
  if (!Number.isFinite(spec.seed)) problems.push(`Seed must be a number, got ${spec.seed}.`);
  for (const name of modelCovariates(model)) {
    if (!spec.covariates[name]) {
      problems.push(`The model uses covariate ${name}: say how to draw it.`);
    }
  }
  for (const [name, source] of Object.entries(spec.covariates)) {
    const bad = sourceProblem(source);
    if (bad) problems.push(`Covariate ${name}: ${bad}`);
  }
  return problems;
}

function sourceProblem(s: CovariateSource): string | null {
  const finite = (...xs: (number | undefined)[]) =>
    xs.every((x) => x === undefined || Number.isFinite(x));
  switch (s.type) {
    case 'fixed':
      return finite(s.value) ? null : 'the value must be a number.';
    case 'uniform':
      return finite(s.min, s.max) && s.max >= s.min ? null : 'the range must be low ≤ high.';
    case 'normal':
      if (!finite(s.mean, s.sd, s.min, s.max) || !(s.sd >= 0)) return 'mean and SD ≥ 0 needed.';
      if ((s.min ?? -Infinity) > (s.max ?? Infinity)) return 'the range must be low ≤ high.';
      return null;
    case 'bernoulli':
      return s.p >= 0 && s.p <= 1 ? null : 'the fraction must be between 0 and 1.';
    case 'resample':
      return s.values.length > 0 && s.values.every((v) => Number.isFinite(v))
        ? null
        : 'there are no values to resample from.';
  }
}

/**
 * Draws the virtual subjects: covariates from the spec, random effects η ~ N(0, Ω) from the
 * model, individual parameters. Subject i draws from its own fork of the seed's generator, so
 * the same seed gives the same subjects, and two specs that differ only in a covariate's
 * distribution share their random effects (common random numbers: differences between
 * scenarios are not Monte Carlo noise).
 */
export function sampleVirtualPopulation(
  model: PopulationModel,
  spec: VirtualPopulationSpec,
): VirtualSubject[] {
  const problems = populationSpecProblems(model, spec);
  if (problems.length > 0) throw new Error(problems.join(' '));
  const rng = createRng(spec.seed);
  const names = Object.keys(spec.covariates).sort();
  const out: VirtualSubject[] = [];
  for (let i = 0; i < spec.size; i++) {
    const subjectRng = rng.fork();
    const etaRng = subjectRng.fork();
    const eta = sampleEta(model, etaRng);
    const covariates: Record<string, number> = {};
    for (const name of names) {
      covariates[name] = drawSource(name, spec.covariates[name], subjectRng.fork());
    }
    out.push({ covariates, parameters: individualParameters(model, covariates, eta) });
  }
  return out;
}
