import type { Dataset } from '../core/data/types';
import type { FitCovariateSpec, FitModelSpec, FitParameterSpec } from '../core/nlme/types';
import type { ParameterName, ResidualErrorModel } from '../core/pkpd/population';

/**
 * Edits of a fit specification, as pure functions of the spec: each returns a new spec and never
 * changes the one given, so the store keeps immutable values and the edits are tested in Node.
 */

export type ResidualKind = ResidualErrorModel['type'];
export type ResidualEndpoint = 'concentration' | 'biomarker';

/** Default proportional error when a residual model gains a proportional part (20%). */
const DEFAULT_CV = 0.2;
/** Default additive SD as a share of the endpoint's median observation. */
const DEFAULT_SD_SHARE = 0.1;
/** Default ω when a random effect is switched on (≈ 30% between-subject CV). */
export const DEFAULT_OMEGA = 0.3;

export function updateParameter(
  spec: FitModelSpec,
  name: ParameterName,
  patch: Partial<Pick<FitParameterSpec, 'initial' | 'fixed' | 'omega'>>,
): FitModelSpec {
  return {
    ...spec,
    parameters: spec.parameters.map((p) => (p.name === name ? { ...p, ...patch } : p)),
  };
}

export function setFixed(spec: FitModelSpec, name: ParameterName, fixed: boolean): FitModelSpec {
  return updateParameter(spec, name, { fixed });
}

export function setInitial(spec: FitModelSpec, name: ParameterName, initial: number): FitModelSpec {
  return updateParameter(spec, name, { initial });
}

/** Switches a parameter's random effect on (with ω, default DEFAULT_OMEGA) or off. */
export function setRandomEffect(
  spec: FitModelSpec,
  name: ParameterName,
  omega: number | null,
): FitModelSpec {
  const parameters = spec.parameters.map((p) => {
    if (p.name !== name) return p;
    if (omega === null) {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { omega: _o, omegaFixed: _f, ...rest } = p;
      return rest;
    }
    return { ...p, omega };
  });
  const next = { ...spec, parameters };
  // A correlation needs both random effects.
  return spec.correlation && !canCorrelate(next, spec.correlation)
    ? withoutCorrelation(next)
    : next;
}

function withoutCorrelation(spec: FitModelSpec): FitModelSpec {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { correlation: _c, ...rest } = spec;
  return rest;
}

/** True when both parameters have a random effect, so their correlation can be estimated. */
export function canCorrelate(
  spec: FitModelSpec,
  pair: readonly [ParameterName, ParameterName] = ['CL', 'V'],
): boolean {
  return pair.every((n) => spec.parameters.some((p) => p.name === n && p.omega !== undefined));
}

export function setCorrelation(spec: FitModelSpec, on: boolean): FitModelSpec {
  if (!on) return withoutCorrelation(spec);
  return canCorrelate(spec) ? { ...spec, correlation: ['CL', 'V'] } : spec;
}

/** Identifies a covariate effect across edits: 'BW on CL'. */
export function covariateKey(c: FitCovariateSpec): string {
  return `${c.covariate} on ${c.parameter}`;
}

/**
 * Adds or removes one of the covariate effects the model offers (`choices`, from buildFitSpec),
 * keeping the order of `choices`.
 */
export function setCovariate(
  spec: FitModelSpec,
  choices: readonly FitCovariateSpec[],
  key: string,
  on: boolean,
): FitModelSpec {
  const present = new Map(spec.covariates.map((c) => [covariateKey(c), c]));
  if (on) {
    const choice = choices.find((c) => covariateKey(c) === key);
    if (choice && !present.has(key)) present.set(key, choice);
  } else present.delete(key);
  const order = choices.map(covariateKey);
  const covariates = [...present.values()].sort(
    (a, b) => rank(order, covariateKey(a)) - rank(order, covariateKey(b)),
  );
  return { ...spec, covariates };
}

function rank(order: readonly string[], key: string): number {
  const i = order.indexOf(key);
  return i < 0 ? order.length : i;
}

/** Median positive observation of an endpoint (DVID 1 concentration, 2 biomarker), or 1. */
export function typicalObservation(ds: Dataset | null, endpoint: ResidualEndpoint): number {
  const dvid = endpoint === 'concentration' ? 1 : 2;
  const values = (ds?.subjects ?? [])
    .flatMap((s) => s.observations.filter((o) => o.dvid === dvid && o.dv > 0).map((o) => o.dv))
    .sort((a, b) => a - b);
  return values.length ? values[values.length >> 1] : 1;
}

/**
 * Changes an endpoint's residual error model, keeping the SD or CV it already has and taking a
 * sensible start for a new one (SD: 10% of the median observation; CV: 20%).
 */
export function setResidual(
  spec: FitModelSpec,
  endpoint: ResidualEndpoint,
  kind: ResidualKind,
  typical: number,
): FitModelSpec {
  const old = spec.residual[endpoint];
  const sd = old && 'sd' in old ? old.sd : DEFAULT_SD_SHARE * typical;
  const cv = old && 'cv' in old ? old.cv : DEFAULT_CV;
  const model: ResidualErrorModel =
    kind === 'additive'
      ? { type: 'additive', sd }
      : kind === 'proportional'
        ? { type: 'proportional', cv }
        : { type: 'combined', sd, cv };
  return { ...spec, residual: { ...spec.residual, [endpoint]: model } };
}

/** The endpoints a spec fits, each with its residual model. */
export function fittedEndpoints(spec: FitModelSpec): ResidualEndpoint[] {
  if (spec.endpoints === 'pk') return ['concentration'];
  if (spec.endpoints === 'pd') return ['biomarker'];
  return ['concentration', 'biomarker'];
}

/**
 * What stops a spec from being fitted, one plain sentence each (empty when it can be fitted).
 * Mirrors the fitter's own checks so the user hears about them before pressing Fit.
 */
export function specProblems(spec: FitModelSpec): string[] {
  const out: string[] = [];
  for (const p of spec.parameters) {
    const t = p.transform ?? 'log';
    if (!Number.isFinite(p.initial)) out.push(`${p.name}: the initial value must be a number.`);
    else if (t === 'log' && !(p.initial > 0))
      out.push(`${p.name}: the initial value must be greater than 0, got ${p.initial}.`);
    else if (t === 'logit' && !(p.initial > 0 && p.initial < 1))
      out.push(`${p.name}: the initial value must lie between 0 and 1, got ${p.initial}.`);
    if (p.omega !== undefined && !(p.omega > 0))
      out.push(`${p.name}: ω must be greater than 0, got ${p.omega}.`);
  }
  if (spec.parameters.every((p) => p.fixed))
    out.push('Every parameter is fixed: nothing to estimate.');
  for (const endpoint of fittedEndpoints(spec)) {
    const r = spec.residual[endpoint];
    if (!r) {
      out.push(`The ${endpoint} needs a residual error model.`);
      continue;
    }
    if ('sd' in r && !(r.sd > 0)) out.push(`${endpoint} residual SD must be greater than 0.`);
    if ('cv' in r && !(r.cv > 0)) out.push(`${endpoint} residual CV must be greater than 0.`);
  }
  return out;
}
