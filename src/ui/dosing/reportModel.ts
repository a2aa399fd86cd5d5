import type { TrainingDomain } from '../../core/models/types';
import type { CovarianceStatus, FitResult } from '../../core/nlme/types';
import type { PopulationModel, ResidualErrorModel } from '../../core/pkpd/population';
import type { SavedFitMeta } from '../../state/fitFile';
import { formatObjective } from '../charts/format';
import { ESTIMATE_KIND_LABELS, parameterInfo } from '../fit/parameterInfo';

/**
 * What the dosing report says about a model that answered: where it comes from, its
 * diagnostics, its parameters with their uncertainty, and the data it was fitted on (the
 * range outside which an answer is an extrapolation). Plain data, built from a saved fit's
 * full result when the browser still has it, else from the model itself.
 */

/** RSE above this (%) marks an estimate the data pin down poorly (as the Fit panel does). */
export const HIGH_RSE = 50;
/** η shrinkage above this (%) makes individual estimates unreliable (as the Fit panel does). */
export const HIGH_SHRINKAGE = 30;

export interface ReportParameter {
  /** 'Typical values', 'Covariate effects', 'Between-subject variability', … */
  readonly group: string;
  readonly name: string;
  readonly estimate: number | undefined;
  readonly unit: string;
  /** %, when estimated with a covariance step. */
  readonly rse?: number;
  /** η shrinkage, %, for a between-subject variability. */
  readonly shrinkage?: number;
  readonly fixed?: boolean;
  readonly meaning?: string;
}

export interface ReportDiagnostic {
  readonly label: string;
  readonly value: string;
  /** Marks a value that calls for caution (no convergence, failed covariance step). */
  readonly warn?: boolean;
}

export interface ReportModel {
  readonly modelId: string;
  readonly label: string;
  /** One line: what kind of model and where it comes from. */
  readonly source: string;
  readonly description?: string;
  /** The doses, intervals, weights and COMED values of the data it was fitted on. */
  readonly domain?: TrainingDomain;
  readonly diagnostics: readonly ReportDiagnostic[];
  /** Parameters the data cannot identify, failed steps: each a plain sentence. */
  readonly cautions: readonly string[];
  readonly parameters: readonly ReportParameter[];
  /** How to read the parameter table for this model (e.g. why there is no RSE). */
  readonly parameterNote: string;
}

function residualRows(
  endpoint: string,
  unit: string,
  e: ResidualErrorModel | undefined,
): ReportParameter[] {
  if (!e) return [];
  const group = 'Residual error';
  const rows: ReportParameter[] = [];
  if (e.type === 'additive' || e.type === 'combined')
    rows.push({ group, name: `σ add ${endpoint}`, estimate: e.sd, unit, meaning: 'additive SD' });
  if (e.type === 'proportional' || e.type === 'combined')
    rows.push({
      group,
      name: `σ prop ${endpoint}`,
      estimate: 100 * e.cv,
      unit: '%',
      meaning: 'proportional CV',
    });
  return rows;
}

/** The parameter rows of a population model (no estimation uncertainty: none is known). */
export function populationModelParameters(model: PopulationModel): ReportParameter[] {
  const rows: ReportParameter[] = [];
  for (const [name, value] of Object.entries(model.theta)) {
    const info = parameterInfo(name, model.pd);
    rows.push({
      group: 'Typical values',
      name,
      estimate: value,
      unit: info.unit === 'fraction' ? '' : info.unit,
      meaning: info.meaning,
    });
  }
  for (const e of model.covariateEffects) {
    rows.push(
      e.kind === 'power'
        ? {
            group: 'Covariate effects',
            name: `${e.covariate} on ${e.parameter}`,
            estimate: e.exponent,
            unit: '',
            meaning: `${e.parameter} ∝ (${e.covariate}/${e.reference})^exponent`,
          }
        : {
            group: 'Covariate effects',
            name: `${e.covariate} on ${e.parameter}`,
            estimate: e.theta,
            unit: '',
            meaning: `${e.parameter} × (1 + θ) when ${e.covariate} = ${e.level ?? 1}`,
          },
    );
  }
  for (const r of model.randomEffects) {
    rows.push({
      group: 'Between-subject variability',
      name: `ω ${r.parameter}`,
      estimate: r.omega,
      unit: '',
      meaning: `SD of η on the ${r.transform === 'logit' ? 'logit' : 'log'} scale`,
    });
  }
  for (const c of model.correlations ?? []) {
    rows.push({
      group: 'Correlation of random effects',
      name: `corr ${c.parameters[0]}–${c.parameters[1]}`,
      estimate: c.rho,
      unit: '',
    });
  }
  rows.push(
    ...residualRows('concentration', 'mg/L', model.residualError.concentration),
    ...residualRows('biomarker', 'ng/mL', model.residualError.biomarker),
  );
  return rows;
}

/** The covariance step's outcome in words. */
const COVARIANCE_WORDS: Readonly<Record<CovarianceStatus, string>> = {
  ok: 'succeeded',
  partial: 'partial (some parameters not estimable)',
  failed: 'failed',
  'not-run': 'not run',
};

/** The status, for fits saved before it was recorded: from the ok flag. */
function covarianceStatus(result: FitResult): CovarianceStatus {
  return result.covarianceStep.status ?? (result.covarianceStep.ok ? 'ok' : 'failed');
}

/** A saved fit with its full result: convergence, objective, covariance step, the estimates. */
export function reportModelFromFit(meta: SavedFitMeta, result: FitResult): ReportModel {
  const diagnostics: ReportDiagnostic[] = [
    {
      label: 'Convergence',
      value: `${result.converged ? 'converged' : 'did not converge'} after ${result.iterations} iteration${result.iterations === 1 ? '' : 's'} (${result.method}): ${result.message}`,
      warn: !result.converged,
    },
    { label: 'OFV', value: formatObjective(result.ofv) },
    {
      label: 'AIC / BIC',
      value: `${formatObjective(result.aic)} / ${formatObjective(result.bic)}`,
    },
    {
      label: 'Data',
      value: `${result.dataName}: ${result.nSubjects} subjects, ${result.nObservations} observations; ${result.nParameters} parameters estimated`,
    },
    {
      label: 'Covariance step',
      value: `${COVARIANCE_WORDS[covarianceStatus(result)]} (${result.covarianceStep.method}): ${result.covarianceStep.message}`,
      warn: covarianceStatus(result) !== 'ok',
    },
    { label: 'Fitted', value: result.finishedAt.slice(0, 16).replace('T', ' ') + ' UTC' },
  ];
  if (result.cancelled)
    diagnostics.push({
      label: 'Stopped',
      value: `stopped by the user at iteration ${result.cancelled.iteration} (${result.cancelled.phase})`,
      warn: true,
    });
  const cautions = result.identifiability.map(
    (w) => `The data cannot pin down ${w.parameter}: ${w.reason}`,
  );
  for (const e of result.estimates) {
    if (!e.fixed && e.rse !== undefined && e.rse > HIGH_RSE)
      cautions.push(`${e.name} is poorly determined (RSE ${e.rse.toFixed(1)}% > ${HIGH_RSE}%).`);
    if (e.shrinkage !== undefined && e.shrinkage > HIGH_SHRINKAGE)
      cautions.push(
        `η shrinkage of ${e.name} is ${e.shrinkage.toFixed(1)}% (> ${HIGH_SHRINKAGE}%): individual estimates of it are unreliable.`,
      );
  }
  return {
    modelId: meta.id,
    label: `Fit: ${meta.label}`,
    source: `Population PK/PD model (${result.spec.name}) estimated by nonlinear mixed effects (${result.method}) on ${result.dataName}.`,
    ...(result.model.description ? { description: result.model.description } : {}),
    ...(meta.domain ? { domain: meta.domain } : {}),
    diagnostics,
    cautions,
    parameters: result.estimates.map((e) => ({
      group: ESTIMATE_KIND_LABELS[e.kind],
      name: e.name,
      estimate: e.estimate,
      unit: e.unit,
      ...(e.rse !== undefined && !e.fixed ? { rse: e.rse } : {}),
      ...(e.shrinkage !== undefined ? { shrinkage: e.shrinkage } : {}),
      fixed: e.fixed,
      ...(e.meaning ? { meaning: e.meaning } : {}),
    })),
    parameterNote: `RSE: relative standard error of the estimate (above ${HIGH_RSE}% the data pin the value down poorly); shrinkage: η shrinkage (above ${HIGH_SHRINKAGE}% individual estimates are unreliable); – where not estimated.`,
  };
}

/** A saved fit whose full result this browser no longer has: the model, without diagnostics. */
export function reportModelFromMeta(meta: SavedFitMeta): ReportModel {
  return {
    modelId: meta.id,
    label: `Fit: ${meta.label}`,
    source: `Population PK/PD model (${meta.modelName}) fitted on ${meta.dataName}.`,
    ...(meta.model.description ? { description: meta.model.description } : {}),
    ...(meta.domain ? { domain: meta.domain } : {}),
    diagnostics: [
      {
        label: 'Convergence',
        value: meta.converged ? 'converged' : 'did not converge',
        warn: !meta.converged,
      },
      { label: 'OFV', value: formatObjective(meta.ofv) },
    ],
    cautions: [
      'The full fit result (standard errors, shrinkage, covariance step) could not be read in this browser; only the fitted values are listed.',
    ],
    parameters: populationModelParameters(meta.model),
    parameterNote: 'Fitted values only: RSE and shrinkage were not available (–).',
  };
}

/** The demo trial's true model: known, not estimated, so it has no estimation diagnostics. */
export function reportModelFromTruth(
  id: string,
  label: string,
  model: PopulationModel,
  domain: TrainingDomain | undefined,
): ReportModel {
  return {
    modelId: id,
    label,
    source:
      'The model the embedded demo trial was simulated from (known truth, not estimated from data).',
    ...(model.description ? { description: model.description } : {}),
    ...(domain ? { domain } : {}),
    diagnostics: [
      {
        label: 'Estimation',
        value:
          'none: the parameters are the simulation’s own, so there are no standard errors, shrinkage or objective function',
      },
    ],
    cautions: [],
    parameters: populationModelParameters(model),
    parameterNote:
      'Known values of the simulation: RSE and shrinkage do not apply (–). ω is the SD of η (log-normal between-subject variability).',
  };
}
