import type { CovariateEffect, PopulationModel, RandomEffect } from '../pkpd/population';
import { cholesky, forwardSolve } from './linalg';
import { drawParameters, partialCovariance } from './uncertainty';
import {
  FLAT_CURVATURE,
  populationContext,
  solveSubject,
  workspaceFor,
  type FoceProblem,
  type PopulationValues,
} from './foce';
import type {
  CovarianceStatus,
  EstimateRow,
  FitResult,
  FitSubjectResult,
  ObservationDiagnostics,
} from './types';

export const PARAMETER_UNITS: Readonly<Record<string, string>> = {
  CL: 'L/h',
  V: 'L',
  ka: '1/h',
  Q: 'L/h',
  V2: 'L',
  baseline: 'ng/mL',
  kout: '1/h',
  ke0: '1/h',
  IC50: 'mg/L',
  EC50: 'mg/L',
  Imax: '',
  hill: '',
};

function unitOf(name: string, pd: string | undefined): string {
  if (name === 'Emax') return pd === 'direct-emax' || pd === 'effect-compartment' ? 'ng/mL' : '';
  return PARAMETER_UNITS[name] ?? '';
}

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** One plain-language line per structural parameter, from the typical values. */
function meaningOf(name: string, theta: Readonly<Record<string, number>>): string | undefined {
  const ln2 = Math.LN2;
  switch (name) {
    case 'CL':
      return theta.V
        ? `elimination half-life ln2·V/CL = ${fmt((ln2 * theta.V) / theta.CL)} h (reference patient)`
        : 'clearance of the reference patient';
    case 'V':
      return 'volume of distribution of the reference patient';
    case 'ka':
      return `absorption half-life ${fmt(ln2 / theta.ka)} h`;
    case 'kout':
      return `biomarker turnover half-life ${fmt(ln2 / theta.kout)} h`;
    case 'ke0':
      return `effect-site equilibration half-life ${fmt(ln2 / theta.ke0)} h`;
    case 'Imax':
      return `at most ${fmt(100 * theta.Imax)}% inhibition`;
    case 'IC50':
      return 'concentration giving half of the maximal inhibition';
    case 'EC50':
      return 'concentration giving half of the maximal effect';
    case 'baseline':
      return 'drug-free biomarker level (reference patient)';
    case 'Q':
      return 'inter-compartmental clearance';
    case 'V2':
      return 'peripheral volume';
    default:
      return undefined;
  }
}

export interface AssembleInput {
  problem: FoceProblem;
  dataName: string;
  x: Float64Array;
  ofv: number;
  converged: boolean;
  message: string;
  iterations: number;
  cov: Float64Array | null;
  hessian: Float64Array | null;
  /**
   * Whether `hessian` has its cross terms (those of parameters with a flat diagonal may be 0:
   * they are not estimable either way); when absent, only a Hessian without flat diagonal
   * elements counts as complete.
   */
  hessianComplete?: boolean;
  covMessage: string;
  started: number;
}

/** The fitted model as a PopulationModel (what simulators and predictors consume). */
export function populationModelOf(
  problem: FoceProblem,
  pop: PopulationValues,
  description: string,
): PopulationModel {
  const spec = problem.spec;
  const theta: Record<string, number> = {};
  spec.parameters.forEach((p, i) => {
    theta[p.name] = pop.theta[i];
  });
  const covariateEffects: CovariateEffect[] = spec.covariates.map((c, i) =>
    c.kind === 'power'
      ? {
          kind: 'power',
          parameter: c.parameter,
          covariate: c.covariate,
          reference: c.reference,
          exponent: pop.covariate[i],
        }
      : {
          kind: 'categorical',
          parameter: c.parameter,
          covariate: c.covariate,
          level: c.level ?? 1,
          theta: pop.covariate[i],
        },
  );
  const randomEffects: RandomEffect[] = [];
  spec.parameters.forEach((p) => {
    if (p.omega === undefined) return;
    const k = problem.etaNames.indexOf(p.name);
    const omega = k >= 0 ? pop.omegaSd[k] : p.omega;
    randomEffects.push({
      parameter: p.name,
      omega,
      ...(p.transform === 'logit' ? { transform: 'logit' as const } : {}),
    });
  });
  const residualError: {
    concentration?: PopulationModel['residualError']['concentration'];
    biomarker?: PopulationModel['residualError']['biomarker'];
  } = {};
  const conc = pop.sigma[0] ?? spec.residual.concentration;
  const bio = pop.sigma[1] ?? spec.residual.biomarker;
  if (conc) residualError.concentration = conc;
  if (bio && spec.pd) residualError.biomarker = bio;
  return {
    pk: spec.pk,
    ...(spec.pd ? { pd: spec.pd } : {}),
    theta,
    covariateEffects,
    randomEffects,
    ...(problem.corrA >= 0
      ? {
          correlations: [
            {
              parameters: [problem.etaNames[problem.corrA], problem.etaNames[problem.corrB]] as [
                string,
                string,
              ],
              rho: pop.rho,
            },
          ],
        }
      : {}),
    residualError,
    description,
  } as PopulationModel;
}

/** Builds the FitResult: estimate table with SEs, EBEs, diagnostics, identifiability. */
export function assembleResult(input: AssembleInput): FitResult {
  const { problem, x } = input;
  const spec = problem.spec;
  const ctx = populationContext(problem, x);
  const pop = ctx.pop;
  const q = problem.q;
  const n = x.length;
  const step = covarianceOutcome(input);
  const { cov, notEstimable } = step;
  const flat = (k: number) => k >= 0 && notEstimable.includes(k);
  const seX = (k: number) => (cov && !flat(k) ? Math.sqrt(Math.max(0, cov[k * n + k])) : undefined);
  const flatRow = (k: number) => (flat(k) ? { notEstimable: true as const } : {});

  // Subjects: EBEs, predictions, residuals.
  const subjects: FitSubjectResult[] = [];
  const etaByParam: number[][] = problem.etaNames.map(() => []);
  problem.subjects.forEach((s, i) => {
    const w = workspaceFor(problem, s);
    const typical = problem.typicalValues(pop, s);
    const eta = problem.etaHat[i];
    const r = solveSubject(problem, s, ctx, typical, eta, w, { tol: 1e-10, maxIter: 100 });
    const nObs = s.y.length;
    const ipred = Float64Array.from(w.f);
    const v = Float64Array.from(w.v);
    const g = Float64Array.from(w.g);
    const predOut = new Float64Array(nObs);
    problem.predict(s, typical, predOut);
    // CWRES: C = GΩGᵀ + diag(V); e = y − f(η̂) + G·η̂; CWRES = L⁻¹e.
    const C = new Float64Array(nObs * nObs);
    const e = new Float64Array(nObs);
    for (let j = 0; j < nObs; j++) {
      let ge = 0;
      for (let k = 0; k < q; k++) ge += g[j * q + k] * eta[k];
      e[j] = s.y[j] - ipred[j] + ge;
      for (let l = 0; l <= j; l++) {
        let c = 0;
        for (let a = 0; a < q; a++) {
          const ga = g[j * q + a];
          if (ga === 0) continue;
          for (let b = 0; b < q; b++) c += ga * ctx.omega[a * q + b] * g[l * q + b];
        }
        if (l === j) c += v[j];
        C[j * nObs + l] = c;
        C[l * nObs + j] = c;
      }
    }
    const cwresOk = cholesky(C, nObs);
    if (cwresOk) forwardSolve(C, nObs, e);
    const observations: ObservationDiagnostics[] = [];
    for (let j = 0; j < nObs; j++) {
      observations.push({
        time: s.times[j],
        dvid: s.dvid[j],
        dv: s.y[j],
        pred: predOut[j],
        ipred: ipred[j],
        cwres: cwresOk ? e[j] : NaN,
        iwres: (s.y[j] - ipred[j]) / Math.sqrt(v[j]),
      });
    }
    const values = new Float64Array(spec.parameters.length);
    problem.individualValues(typical, eta, values);
    const parameters: Record<string, number> = {};
    spec.parameters.forEach((p, k) => {
      parameters[p.name] = values[k];
    });
    if (s.pk) {
      for (const [name, val] of Object.entries(s.pk))
        if (typeof val === 'number') parameters[name] = val;
    }
    // η informs shrinkage only where it reaches this subject's predictions.
    for (let k = 0; k < q; k++) {
      let reach = false;
      for (let j = 0; j < nObs && !reach; j++) if (g[j * q + k] !== 0) reach = true;
      if (reach) etaByParam[k].push(eta[k]);
    }
    subjects.push({
      id: s.id,
      covariates: s.covariates,
      eta: Array.from(eta),
      parameters,
      ofv: r.ofv,
      observations,
      doses: s.doses.map((d) => ({ ...d })),
    });
  });

  const thetaByName: Record<string, number> = {};
  spec.parameters.forEach((p, i) => {
    thetaByName[p.name] = pop.theta[i];
  });
  const xIndex = (pred: (el: (typeof problem.elements)[number]) => boolean) =>
    problem.elements.findIndex(pred);

  const rows: EstimateRow[] = [];
  spec.parameters.forEach((p, i) => {
    const k = xIndex((el) => el.kind === 'theta' && el.index === i);
    const est = pop.theta[i];
    const sx = k >= 0 ? seX(k) : undefined;
    const t = p.transform ?? 'log';
    const se =
      sx === undefined
        ? undefined
        : t === 'log'
          ? est * sx
          : t === 'logit'
            ? est * (1 - est) * sx
            : sx;
    rows.push({
      name: p.name,
      kind: 'theta',
      estimate: est,
      unit: unitOf(p.name, spec.pd),
      fixed: k < 0,
      ...flatRow(k),
      ...(se !== undefined ? { se, rse: (100 * se) / Math.abs(est) } : {}),
      ...(meaningOf(p.name, thetaByName) ? { meaning: meaningOf(p.name, thetaByName) } : {}),
    });
  });
  spec.covariates.forEach((c, i) => {
    const k = xIndex((el) => el.kind === 'covariate' && el.index === i);
    const est = pop.covariate[i];
    const sx = k >= 0 ? seX(k) : undefined;
    const se = sx === undefined ? undefined : c.kind === 'power' ? sx : (1 + est) * sx;
    rows.push({
      name: `${c.covariate} on ${c.parameter}`,
      kind: 'covariate',
      estimate: est,
      unit: '',
      fixed: k < 0,
      ...flatRow(k),
      ...(se !== undefined ? { se, rse: (100 * se) / Math.max(Math.abs(est), 1e-12) } : {}),
      meaning:
        c.kind === 'power'
          ? `${c.parameter} ∝ (${c.covariate}/${c.reference})^${fmt(est)}`
          : `${c.covariate} = ${c.level ?? 1} changes ${c.parameter} by ${fmt(100 * est)}%`,
    });
  });
  problem.etaNames.forEach((name, k) => {
    const xi = xIndex((el) => el.kind === 'omega' && el.index === k);
    const om = pop.omegaSd[k];
    const sx = xi >= 0 ? seX(xi) : undefined;
    const ebes = etaByParam[k];
    let shrinkage: number | undefined;
    if (ebes.length > 1) {
      const mean = ebes.reduce((a, b) => a + b, 0) / ebes.length;
      const sd = Math.sqrt(ebes.reduce((a, b) => a + (b - mean) ** 2, 0) / (ebes.length - 1));
      shrinkage = 100 * (1 - sd / om);
    }
    const transform = spec.parameters[problem.etaParam[k]].transform ?? 'log';
    rows.push({
      name: `ω ${name}`,
      kind: 'omega',
      estimate: om,
      unit: '',
      fixed: xi < 0,
      ...flatRow(xi),
      ...(sx !== undefined ? { se: om * sx, rse: 100 * sx } : {}),
      ...(shrinkage !== undefined ? { shrinkage } : {}),
      meaning:
        transform === 'log'
          ? `between-subject CV ≈ ${fmt(100 * Math.sqrt(Math.expm1(om * om)))}%`
          : `SD ${fmt(om)} on the logit scale`,
    });
  });
  if (problem.corrA >= 0) {
    const xi = xIndex((el) => el.kind === 'correlation');
    const sx = seX(xi);
    rows.push({
      name: `corr ${problem.etaNames[problem.corrA]}–${problem.etaNames[problem.corrB]}`,
      kind: 'correlation',
      estimate: pop.rho,
      unit: '',
      fixed: false,
      ...flatRow(xi),
      ...(sx !== undefined ? { se: (1 - pop.rho * pop.rho) * sx } : {}),
    });
  }
  problem.elements.forEach((el, k) => {
    if (el.kind !== 'sigma') return;
    const err = pop.sigma[el.endpoint];
    if (!err) return;
    const est = el.component === 'sd' ? (err as { sd: number }).sd : (err as { cv: number }).cv;
    const sx = seX(k);
    const label = el.endpoint === 0 ? 'concentration' : 'biomarker';
    rows.push({
      name: el.component === 'sd' ? `σ add ${label}` : `σ prop ${label}`,
      kind: 'sigma',
      estimate: est,
      unit: el.component === 'sd' ? (el.endpoint === 0 ? 'mg/L' : 'ng/mL') : '',
      fixed: false,
      ...flatRow(k),
      ...(sx !== undefined ? { se: est * sx, rse: 100 * sx } : {}),
      meaning:
        el.component === 'sd'
          ? `additive residual SD ${fmt(est)} ${el.endpoint === 0 ? 'mg/L' : 'ng/mL'}`
          : `proportional residual error ${fmt(100 * est)}%`,
    });
  });

  const identifiability = identifiabilityReport(input, step, rows);
  const nParams = n;
  const minus2LL = input.ofv + problem.nObs * Math.log(2 * Math.PI);
  const draws = cov
    ? drawParameters(problem, x, cov, undefined, undefined, notEstimable)
    : undefined;
  const description = `${spec.name} fitted by FOCE-I to ${input.dataName} (${problem.subjects.length} subjects, ${problem.nObs} observations), OFV ${input.ofv.toFixed(2)}`;
  return {
    method: 'FOCE-I',
    spec,
    converged: input.converged,
    message: input.message,
    ...(problem.notes.length > 0 ? { notes: problem.notes } : {}),
    iterations: input.iterations,
    ofv: input.ofv,
    minus2LL,
    aic: minus2LL + 2 * nParams,
    bic: minus2LL + nParams * Math.log(problem.nObs),
    nObservations: problem.nObs,
    nSubjects: problem.subjects.length,
    nParameters: nParams,
    estimates: rows,
    identifiability,
    covarianceStep: {
      ok: step.status === 'ok',
      message: step.message,
      method: 'R matrix',
      status: step.status,
    },
    notEstimable: notEstimable.map((k) => problem.xNames[k]),
    etaNames: problem.etaNames,
    omegaMatrix: Array.from(ctx.omega),
    subjects,
    model: populationModelOf(problem, pop, description),
    ...(draws ? { parameterDraws: draws } : {}),
    dataName: input.dataName,
    finishedAt: new Date().toISOString(),
    elapsedMs: Date.now() - input.started,
  };
}

/**
 * Parameters the data cannot identify: directions of (near-)zero curvature of the objective
 * (the parameters that dominate them), very large RSE, random effects shrunk to nothing.
 */
function identifiabilityReport(
  input: AssembleInput,
  step: CovarianceOutcome,
  rows: readonly EstimateRow[],
): { parameter: string; reason: string }[] {
  const out: { parameter: string; reason: string }[] = [];
  const { problem, hessian } = input;
  const { cov, notEstimable } = step;
  const n = input.x.length;
  const names = problem.xNames;
  for (const k of notEstimable) {
    const d = hessian ? hessian[k * n + k] : NaN;
    out.push({
      parameter: names[k],
      reason: `not estimable from these data (flat objective): the objective hardly changes with ${names[k]} (curvature ${d.toExponential(1)}), so its value is arbitrary over a wide range and it has no standard error — fix it at a value from prior knowledge`,
    });
  }
  if (hessian) {
    // Scale-free check: a diagonal element that is (nearly) zero or negative means the OFV does
    // not curve along that parameter; a near-singular correlation structure means it trades
    // off against others. The latter is found through the covariance matrix below.
    for (let k = 0; k < n; k++) {
      const d = hessian[k * n + k];
      if (!(d > FLAT_CURVATURE) && !notEstimable.includes(k)) {
        out.push({
          parameter: names[k],
          reason: `the objective does not change with ${names[k]} (curvature ${d.toExponential(1)}): the data do not inform it — fix it at a value from prior knowledge`,
        });
      }
    }
  }
  if (cov) {
    for (let a = 0; a < n; a++) {
      if (notEstimable.includes(a)) continue;
      for (let b = a + 1; b < n; b++) {
        if (notEstimable.includes(b)) continue;
        const r = cov[a * n + b] / Math.sqrt(cov[a * n + a] * cov[b * n + b]);
        if (Math.abs(r) > 0.98) {
          out.push({
            parameter: `${names[a]} / ${names[b]}`,
            reason: `estimates are almost perfectly correlated (r = ${r.toFixed(3)}): the data cannot separate them — fix one`,
          });
        }
      }
    }
  } else if (hessian && notEstimable.length === 0) {
    out.push({
      parameter: 'model',
      reason:
        'the covariance step failed (the objective is flat in some direction); fix the parameters with the largest changes from their initial values or remove random effects with near-zero ω',
    });
  }
  for (const row of rows) {
    if (row.fixed) continue;
    if (row.kind === 'theta' && row.rse !== undefined && row.rse > 50) {
      out.push({
        parameter: row.name,
        reason: `relative standard error ${row.rse.toFixed(0)}%: poorly identified by these data — consider fixing it`,
      });
    }
    if (row.kind === 'omega' && row.estimate < 0.01) {
      out.push({
        parameter: row.name,
        reason: `ω shrank to ${row.estimate.toExponential(1)}: no detectable between-subject variability — remove this random effect`,
      });
    }
    if (row.kind === 'omega' && row.shrinkage !== undefined && row.shrinkage > 50) {
      out.push({
        parameter: row.name,
        reason: `η shrinkage ${row.shrinkage.toFixed(0)}%: individual estimates of this parameter are close to the population value, diagnostics based on them are unreliable`,
      });
    }
  }
  // Parameters that ran off towards a bound.
  problem.elements.forEach((el, k) => {
    if (el.kind !== 'theta') return;
    const p = problem.spec.parameters[el.index];
    if (el.transform === 'log' && Math.abs(input.x[k] - Math.log(p.initial)) > Math.log(1e3)) {
      out.push({
        parameter: p.name,
        reason: `moved more than 1000-fold from its initial value (${p.initial} → ${fmt(Math.exp(input.x[k]))}): likely not identifiable (e.g. absorption too fast for the sampling) — fix it`,
      });
    }
    if (el.transform === 'logit' && Math.abs(input.x[k]) > 9) {
      out.push({
        parameter: p.name,
        reason: `is at the edge of (0, 1) (${fmt(1 / (1 + Math.exp(-input.x[k])))}): the data cannot tell its value — fix it`,
      });
    }
  });
  return out;
}

interface CovarianceOutcome {
  readonly status: CovarianceStatus;
  readonly message: string;
  /** Covariance on the estimation scale (0 in the rows and columns of `notEstimable`). */
  readonly cov: Float64Array | null;
  /** Indices into the estimation vector of the parameters the data cannot identify. */
  readonly notEstimable: readonly number[];
}

const namesOf = (problem: FoceProblem, idx: readonly number[]) =>
  idx.map((k) => problem.xNames[k]).join(', ');

/**
 * The covariance step's outcome: the full covariance when the Hessian was positive definite
 * (unchanged); otherwise the parameters the objective is flat along are named, and the others
 * get standard errors from the Hessian without them (see partialCovariance).
 */
function covarianceOutcome(input: AssembleInput): CovarianceOutcome {
  const { problem, cov, hessian } = input;
  const n = input.x.length;
  if (cov) return { status: 'ok', message: input.covMessage, cov, notEstimable: [] };
  if (!hessian)
    return { status: 'not-run', message: input.covMessage, cov: null, notEstimable: [] };
  const flatDiagonal: number[] = [];
  for (let k = 0; k < n; k++) if (!(hessian[k * n + k] > FLAT_CURVATURE)) flatDiagonal.push(k);
  const complete = input.hessianComplete ?? flatDiagonal.length === 0;
  if (!complete) {
    // Only the curvatures were computed: the flat parameters are known, the others' standard
    // errors need the cross terms.
    const k = flatDiagonal.length;
    return {
      status: 'failed',
      message: `The Hessian of the objective is not positive definite: ${k} parameter${k === 1 ? '' : 's'} not estimable (${namesOf(problem, flatDiagonal)}; flat objective), and the cross terms were not computed, so no standard errors — fix ${k === 1 ? 'it' : 'them'} and fit again for the others'.`,
      cov: null,
      notEstimable: flatDiagonal,
    };
  }
  const partial = partialCovariance(hessian, n, flatDiagonal);
  if (!partial || partial.notEstimable.length === 0) {
    return { status: 'failed', message: input.covMessage, cov: null, notEstimable: [] };
  }
  const k = partial.notEstimable.length;
  const names = namesOf(problem, partial.notEstimable);
  return {
    status: 'partial',
    message: `Partial: ${k} parameter${k === 1 ? '' : 's'} not estimable (${names}). The Hessian of the objective is not positive definite: it is flat along ${k === 1 ? 'this parameter' : 'these parameters'}, which ${k === 1 ? 'has' : 'have'} no standard error. The others' standard errors are from the R matrix without ${k === 1 ? 'it' : 'them'}, conditional on ${names} held at ${k === 1 ? 'its estimate' : 'their estimates'}.`,
    cov: partial.cov,
    notEstimable: partial.notEstimable,
  };
}

/** The covariance step's status, also for fits saved before `status` was kept. */
export function covarianceStatusOf(result: FitResult): CovarianceStatus {
  const step = result.covarianceStep;
  if (step.status) return step.status;
  if (step.ok) return 'ok';
  if ((result.notEstimable?.length ?? 0) > 0) return 'partial';
  return /^not (requested|computed)/i.test(step.message) ? 'not-run' : 'failed';
}

/** Names of the estimates the data cannot identify (also for fits saved without the list). */
export function notEstimableOf(result: FitResult): readonly string[] {
  return result.notEstimable ?? result.estimates.filter((e) => e.notEstimable).map((e) => e.name);
}
