import type { TrainingDomain } from '../core/models/types';
import { PD_MODELS, PK_MODELS } from '../core/nlme/models';
import type { ParameterDraws } from '../core/nlme/uncertainty';
import type {
  EstimateRow,
  FitCovariateSpec,
  FitModelSpec,
  FitParameterSpec,
  FitResult,
  FitSubjectResult,
  ObservationDiagnostics,
} from '../core/nlme/types';
import {
  typicalParameters,
  type CovariateEffect,
  type ParameterName,
  type PopulationModel,
  type RandomEffect,
  type ResidualErrorModel,
} from '../core/pkpd/population';
import { PD_PARAMETER_NAMES, PK_PARAMETER_NAMES } from '../core/pkpd/validate';
import { Decoder } from './decode';

/**
 * A saved fit, as kept in the browser and exported as a file. The file wraps the core's
 * FitResult with what the workbench adds (a label, the data's domain); a bare FitResult (as the
 * command line writes it) is read too.
 */

export const FIT_FILE_FORMAT = 'pkpd-workbench-fit';
export const FIT_FILE_VERSION = 1;
/** Larger files are refused before parsing (a fit of 1,000 subjects is a few MB). */
export const MAX_FIT_FILE_CHARS = 100_000_000;

/** What the saved-fits list and the Regimen explorer need, without the full result. */
export interface SavedFitMeta {
  readonly id: string;
  readonly label: string;
  readonly modelName: string;
  readonly dataName: string;
  readonly ofv: number;
  readonly converged: boolean;
  /** When the fit finished (ISO 8601). */
  readonly date: string;
  /** The fitted model, small: the Regimen explorer predicts with it without loading the result. */
  readonly model: PopulationModel;
  /** What the fit's data covered; absent for an imported fit without it. */
  readonly domain?: TrainingDomain;
}

export interface FitFile {
  readonly format: typeof FIT_FILE_FORMAT;
  readonly version: number;
  readonly label: string;
  readonly domain?: TrainingDomain;
  readonly result: FitResult;
}

export function defaultFitLabel(result: FitResult): string {
  return `${result.spec.name} on ${result.dataName}`;
}

export function fitMeta(
  result: FitResult,
  id: string,
  label: string = defaultFitLabel(result),
  domain?: TrainingDomain,
): SavedFitMeta {
  return {
    id,
    label,
    modelName: result.spec.name,
    dataName: result.dataName,
    ofv: result.ofv,
    converged: result.converged,
    date: result.finishedAt,
    model: result.model,
    ...(domain ? { domain } : {}),
  };
}

export function fitFileText(meta: SavedFitMeta, result: FitResult): string {
  const file: FitFile = {
    format: FIT_FILE_FORMAT,
    version: FIT_FILE_VERSION,
    label: meta.label,
    ...(meta.domain ? { domain: meta.domain } : {}),
    result,
  };
  return JSON.stringify(file);
}

/** A file name from the label: letters, digits and dashes only. */
export function fitFileName(meta: SavedFitMeta): string {
  const slug = meta.label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return `${slug || 'fit'}.fit.json`;
}

export type ParsedFitFile =
  | {
      readonly ok: true;
      readonly label?: string;
      readonly domain?: TrainingDomain;
      readonly result: FitResult;
    }
  | { readonly ok: false; readonly problems: string[] };

/**
 * Reads a fit file, checking every field the workbench uses. Never throws: a wrong file gives
 * the problems, each naming the field and what was expected.
 */
export function parseFitFile(text: string): ParsedFitFile {
  if (text.length > MAX_FIT_FILE_CHARS) {
    return { ok: false, problems: [`The file is larger than ${MAX_FIT_FILE_CHARS / 1e6} MB.`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      problems: [`This is not a JSON file (${err instanceof Error ? err.message : String(err)}).`],
    };
  }
  const d = new Decoder();
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, problems: [notAFit] };
  }
  const top = json as Record<string, unknown>;
  let resultValue: unknown;
  let resultPath: string;
  let label: string | undefined;
  let domain: TrainingDomain | undefined;
  if ('format' in top) {
    if (top.format !== FIT_FILE_FORMAT) {
      return {
        ok: false,
        problems: [`format: expected "${FIT_FILE_FORMAT}", got ${JSON.stringify(top.format)}`],
      };
    }
    const version = d.number(top.version, 'version', true);
    if (version > FIT_FILE_VERSION) {
      return {
        ok: false,
        problems: [
          `This fit was saved by a newer version of the workbench (file version ${version}, this one reads up to ${FIT_FILE_VERSION}).`,
        ],
      };
    }
    label = d.optionalString(top.label, 'label');
    domain = top.domain === undefined ? undefined : decodeDomain(d, top.domain, 'domain');
    resultValue = top.result;
    resultPath = 'result';
  } else if ('estimates' in top && 'model' in top) {
    resultValue = top;
    resultPath = 'fit';
  } else {
    return { ok: false, problems: [notAFit] };
  }
  const result = decodeResult(d, resultValue, resultPath);
  if (d.ok) {
    const problem = modelProblem(result.model);
    if (problem) d.fail(`${resultPath}.model`, 'a model that can simulate', problem);
  }
  if (!d.ok) return { ok: false, problems: d.report() };
  return { ok: true, result, ...(label ? { label } : {}), ...(domain ? { domain } : {}) };
}

const notAFit = `This file is not a saved fit: expected a JSON object with "format": "${FIT_FILE_FORMAT}" (a fit exported from the workbench) or a fit result with "estimates" and "model".`;

const PARAMETER_NAMES: readonly ParameterName[] = [...PK_PARAMETER_NAMES, ...PD_PARAMETER_NAMES];
const PK_TYPES = Object.values(PK_MODELS);
const PD_TYPES = Object.values(PD_MODELS);

/** Why the model cannot give a typical subject's parameters, or null when it can. */
function modelProblem(model: PopulationModel): string | null {
  const covariates: Record<string, number> = {};
  for (const e of model.covariateEffects) {
    covariates[e.covariate] = e.kind === 'power' ? e.reference : 0;
  }
  try {
    typicalParameters(model, covariates);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function decodeDomain(d: Decoder, v: unknown, path: string): TrainingDomain {
  const o = d.object(v, path);
  const pair = (x: unknown, p: string): [number, number] => {
    const n = d.numbers(x, p);
    if (n.length !== 2) d.fail(p, 'two numbers', x);
    return [n[0] ?? NaN, n[1] ?? NaN];
  };
  return {
    doseRange: pair(o.doseRange, `${path}.doseRange`),
    intervals: d.numbers(o.intervals, `${path}.intervals`),
    bwRange: pair(o.bwRange, `${path}.bwRange`),
    comedValues: d.numbers(o.comedValues, `${path}.comedValues`),
    ...(typeof o.maxFollowUp === 'number' && o.maxFollowUp > 0
      ? { maxFollowUp: o.maxFollowUp }
      : {}),
  };
}

function decodeResidual(d: Decoder, v: unknown, path: string): ResidualErrorModel | undefined {
  if (v === undefined || v === null) return undefined;
  const o = d.object(v, path);
  const type = d.oneOf(o.type, `${path}.type`, ['additive', 'proportional', 'combined'] as const);
  const sd = () => d.number(o.sd, `${path}.sd`, true);
  const cv = () => d.number(o.cv, `${path}.cv`, true);
  if (type === 'additive') return { type, sd: sd() };
  if (type === 'proportional') return { type, cv: cv() };
  return { type, sd: sd(), cv: cv() };
}

function decodeResiduals(
  d: Decoder,
  v: unknown,
  path: string,
): { concentration?: ResidualErrorModel; biomarker?: ResidualErrorModel } {
  const o = d.object(v, path);
  const concentration = decodeResidual(d, o.concentration, `${path}.concentration`);
  const biomarker = decodeResidual(d, o.biomarker, `${path}.biomarker`);
  return { ...(concentration ? { concentration } : {}), ...(biomarker ? { biomarker } : {}) };
}

function decodeModel(d: Decoder, v: unknown, path: string): PopulationModel {
  const o = d.object(v, path);
  const theta = d.numberRecord(o.theta, `${path}.theta`);
  for (const name of Object.keys(theta)) {
    if (!PARAMETER_NAMES.includes(name as ParameterName))
      d.fail(`${path}.theta`, 'PK/PD parameter names', name);
  }
  const covariateEffects = d.array(o.covariateEffects, `${path}.covariateEffects`, (x, p) => {
    const e = d.object(x, p);
    const parameter = d.oneOf(e.parameter, `${p}.parameter`, PARAMETER_NAMES);
    const covariate = d.string(e.covariate, `${p}.covariate`);
    const kind = d.oneOf(e.kind, `${p}.kind`, ['power', 'categorical'] as const);
    return kind === 'power'
      ? {
          kind,
          parameter,
          covariate,
          reference: d.number(e.reference, `${p}.reference`, true),
          exponent: d.number(e.exponent, `${p}.exponent`, true),
        }
      : {
          kind,
          parameter,
          covariate,
          ...(e.level !== undefined ? { level: d.number(e.level, `${p}.level`, true) } : {}),
          theta: d.number(e.theta, `${p}.theta`, true),
        };
  }) satisfies CovariateEffect[];
  const randomEffects = d.array(o.randomEffects, `${path}.randomEffects`, (x, p): RandomEffect => {
    const e = d.object(x, p);
    return {
      parameter: d.oneOf(e.parameter, `${p}.parameter`, PARAMETER_NAMES),
      omega: d.number(e.omega, `${p}.omega`, true),
      ...(e.transform !== undefined
        ? { transform: d.oneOf(e.transform, `${p}.transform`, ['log', 'logit'] as const) }
        : {}),
    };
  });
  const pd =
    o.pd === undefined || o.pd === null ? undefined : d.oneOf(o.pd, `${path}.pd`, PD_TYPES);
  const description = d.optionalString(o.description, `${path}.description`);
  return {
    pk: d.oneOf(o.pk, `${path}.pk`, PK_TYPES),
    ...(pd ? { pd } : {}),
    theta,
    covariateEffects,
    randomEffects,
    residualError: decodeResiduals(d, o.residualError, `${path}.residualError`),
    ...(description !== undefined ? { description } : {}),
  };
}

/** Checks a fit specification (also used for the one kept in local storage). */
export function decodeSpec(d: Decoder, v: unknown, path: string): FitModelSpec {
  const o = d.object(v, path);
  const parameters = d.array(o.parameters, `${path}.parameters`, (x, p): FitParameterSpec => {
    const e = d.object(x, p);
    const omega = d.optionalNumber(e.omega, `${p}.omega`);
    const fixed = d.optionalBoolean(e.fixed, `${p}.fixed`);
    const omegaFixed = d.optionalBoolean(e.omegaFixed, `${p}.omegaFixed`);
    return {
      ...e,
      name: d.oneOf(e.name, `${p}.name`, PARAMETER_NAMES),
      initial: d.number(e.initial, `${p}.initial`, true),
      ...(fixed !== undefined ? { fixed } : {}),
      ...(omega !== undefined ? { omega } : {}),
      ...(omegaFixed !== undefined ? { omegaFixed } : {}),
      ...(e.transform !== undefined
        ? {
            transform: d.oneOf(e.transform, `${p}.transform`, [
              'log',
              'logit',
              'identity',
            ] as const),
          }
        : {}),
    };
  });
  const covariates = d.array(o.covariates, `${path}.covariates`, (x, p): FitCovariateSpec => {
    const e = d.object(x, p);
    const kind = d.oneOf(e.kind, `${p}.kind`, ['power', 'categorical'] as const);
    const common = {
      parameter: d.oneOf(e.parameter, `${p}.parameter`, PARAMETER_NAMES),
      covariate: d.string(e.covariate, `${p}.covariate`),
      initial: d.number(e.initial, `${p}.initial`, true),
      ...(e.fixed !== undefined ? { fixed: d.boolean(e.fixed, `${p}.fixed`) } : {}),
    };
    return kind === 'power'
      ? { kind, ...common, reference: d.number(e.reference, `${p}.reference`, true) }
      : {
          kind,
          ...common,
          ...(e.level !== undefined ? { level: d.number(e.level, `${p}.level`, true) } : {}),
        };
  });
  const pd =
    o.pd === undefined || o.pd === null ? undefined : d.oneOf(o.pd, `${path}.pd`, PD_TYPES);
  let correlation: [ParameterName, ParameterName] | undefined;
  if (o.correlation !== undefined && o.correlation !== null) {
    const pair = d.array(o.correlation, `${path}.correlation`, (x, p) =>
      d.oneOf(x, p, PARAMETER_NAMES),
    );
    if (pair.length === 2) correlation = [pair[0], pair[1]];
    else d.fail(`${path}.correlation`, 'two parameter names', o.correlation);
  }
  return {
    ...o,
    name: d.string(o.name, `${path}.name`),
    pk: d.oneOf(o.pk, `${path}.pk`, PK_TYPES),
    ...(pd ? { pd } : {}),
    endpoints: d.oneOf(o.endpoints, `${path}.endpoints`, ['pk', 'pd', 'pkpd'] as const),
    parameters,
    covariates,
    ...(correlation ? { correlation } : {}),
    residual: decodeResiduals(d, o.residual, `${path}.residual`),
  };
}

function decodeEstimate(d: Decoder, v: unknown, p: string): EstimateRow {
  const e = d.object(v, p);
  const se = d.optionalNumber(e.se, `${p}.se`);
  const rse = d.optionalNumber(e.rse, `${p}.rse`);
  const shrinkage = d.optionalNumber(e.shrinkage, `${p}.shrinkage`);
  const meaning = d.optionalString(e.meaning, `${p}.meaning`);
  return {
    ...e,
    name: d.string(e.name, `${p}.name`),
    kind: d.oneOf(e.kind, `${p}.kind`, [
      'theta',
      'covariate',
      'omega',
      'correlation',
      'sigma',
    ] as const),
    estimate: d.number(e.estimate, `${p}.estimate`),
    unit: d.string(e.unit, `${p}.unit`),
    fixed: d.boolean(e.fixed, `${p}.fixed`),
    ...(se !== undefined ? { se } : {}),
    ...(rse !== undefined ? { rse } : {}),
    ...(shrinkage !== undefined ? { shrinkage } : {}),
    ...(meaning !== undefined ? { meaning } : {}),
  };
}

function decodeObservation(d: Decoder, v: unknown, p: string): ObservationDiagnostics {
  const o = d.object(v, p);
  return {
    ...o,
    time: d.number(o.time, `${p}.time`, true),
    dvid: d.number(o.dvid, `${p}.dvid`, true),
    dv: d.number(o.dv, `${p}.dv`),
    pred: d.number(o.pred, `${p}.pred`),
    ipred: d.number(o.ipred, `${p}.ipred`),
    cwres: d.number(o.cwres, `${p}.cwres`),
    iwres: d.number(o.iwres, `${p}.iwres`),
  };
}

function decodeSubject(d: Decoder, v: unknown, p: string): FitSubjectResult {
  const o = d.object(v, p);
  return {
    ...o,
    id: typeof o.id === 'number' ? String(o.id) : d.string(o.id, `${p}.id`),
    covariates: d.numberRecord(o.covariates, `${p}.covariates`),
    eta: d.numbers(o.eta, `${p}.eta`),
    parameters: d.numberRecord(o.parameters, `${p}.parameters`),
    ofv: d.number(o.ofv, `${p}.ofv`),
    observations: d.array(o.observations, `${p}.observations`, (x, q) =>
      decodeObservation(d, x, q),
    ),
  };
}

/** The fields of a FitResult the workbench reads. */
const RESULT_KEYS = [
  'method',
  'spec',
  'converged',
  'message',
  'iterations',
  'ofv',
  'estimates',
  'identifiability',
  'covarianceStep',
  'subjects',
  'model',
  'dataName',
] as const;

function decodeDraws(d: Decoder, v: unknown, path: string): ParameterDraws {
  const o = d.object(v, path);
  return {
    method: d.string(o.method, `${path}.method`),
    draws: d.array(o.draws, `${path}.draws`, (x, p) => {
      const e = d.object(x, p);
      const rho = d.optionalNumber(e.rho, `${p}.rho`);
      return {
        theta: d.numberRecord(e.theta, `${p}.theta`),
        covariates: d.numbers(e.covariates, `${p}.covariates`),
        omega: d.numbers(e.omega, `${p}.omega`),
        ...(rho !== undefined ? { rho } : {}),
      };
    }),
  };
}

function decodeResult(d: Decoder, v: unknown, path: string): FitResult {
  const o = d.object(v, path);
  if (!d.hasKeys(o, path, RESULT_KEYS)) return o as unknown as FitResult;
  const method = d.string(o.method, `${path}.method`);
  const spec = decodeSpec(d, o.spec, `${path}.spec`);
  const converged = d.boolean(o.converged, `${path}.converged`);
  const message = d.string(o.message, `${path}.message`);
  const iterations = d.number(o.iterations, `${path}.iterations`);
  const ofv = d.number(o.ofv, `${path}.ofv`, true);
  const cov = d.object(o.covarianceStep, `${path}.covarianceStep`);
  return {
    ...o,
    method,
    spec,
    converged,
    message,
    iterations,
    ofv,
    minus2LL: d.number(o.minus2LL, `${path}.minus2LL`),
    aic: d.number(o.aic, `${path}.aic`),
    bic: d.number(o.bic, `${path}.bic`),
    nObservations: d.number(o.nObservations, `${path}.nObservations`),
    nSubjects: d.number(o.nSubjects, `${path}.nSubjects`),
    nParameters: d.number(o.nParameters, `${path}.nParameters`),
    estimates: d.array(o.estimates, `${path}.estimates`, (x, p) => decodeEstimate(d, x, p)),
    identifiability: d.array(o.identifiability, `${path}.identifiability`, (x, p) => {
      const e = d.object(x, p);
      return {
        parameter: d.string(e.parameter, `${p}.parameter`),
        reason: d.string(e.reason, `${p}.reason`),
      };
    }),
    covarianceStep: {
      ok: d.boolean(cov.ok, `${path}.covarianceStep.ok`),
      message: d.string(cov.message, `${path}.covarianceStep.message`),
      method: d.string(cov.method, `${path}.covarianceStep.method`),
    },
    etaNames: d.array(o.etaNames, `${path}.etaNames`, (x, p) => d.string(x, p)),
    omegaMatrix: d.numbers(o.omegaMatrix, `${path}.omegaMatrix`),
    subjects: d.array(o.subjects, `${path}.subjects`, (x, p) => decodeSubject(d, x, p)),
    model: decodeModel(d, o.model, `${path}.model`),
    ...(o.parameterDraws !== undefined
      ? { parameterDraws: decodeDraws(d, o.parameterDraws, `${path}.parameterDraws`) }
      : {}),
    dataName: d.string(o.dataName, `${path}.dataName`),
    finishedAt: d.string(o.finishedAt, `${path}.finishedAt`),
    elapsedMs: d.number(o.elapsedMs, `${path}.elapsedMs`),
  };
}
