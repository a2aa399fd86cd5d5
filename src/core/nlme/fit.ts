import type { Dataset } from '../data/types';
import { splitParameters, type ResidualErrorModel } from '../pkpd/population';
import type { PkParameters } from '../pkpd/types';
import { PK_PARAMETER_NAMES } from '../pkpd/validate';
import { choleskyInverse, cholesky } from './linalg';
import { FLAT_CURVATURE, FoceProblem, objective, type InnerOptions } from './foce';
import { assembleResult } from './results';
import type { FitModelSpec, FitOptions, FitProgress, FitResult } from './types';

export interface FitCallbacks {
  /** Called after every outer iteration and at each phase change. */
  readonly onProgress?: (p: FitProgress) => void;
  /** Polled between evaluations; return true to stop (the promise rejects with FitCancelledError). */
  readonly shouldStop?: () => boolean;
  /**
   * Polled like shouldStop; return true to stop and keep what the fit has: the promise resolves
   * with the last accepted iterate as a result marked `cancelled` (not converged, no standard
   * errors, the message saying where it stopped).
   */
  readonly shouldFinish?: () => boolean;
  /** Per-iteration internals of the optimiser, for diagnosing slow or failing fits. */
  readonly trace?: (info: {
    iteration: number;
    mode: 'scoring' | 'bfgs';
    damping: number;
    stepLength: number;
    decrease: number;
    x: readonly number[];
    names: readonly string[];
  }) => void;
}

/** Error thrown when a fit is cancelled through `shouldStop`. */
export class FitCancelledError extends Error {
  constructor() {
    super('The fit was cancelled.');
    this.name = 'FitCancelledError';
  }
}

/** Thrown inside `estimate` when shouldFinish asks it to stop with what it has. */
class FinishRequested extends Error {}

/** Lets a worker's message queue run (a cancel message) about every 50 ms of work. */
class Yielder {
  private last = Date.now();
  constructor(private readonly cb: FitCallbacks) {}
  async maybe(force = false): Promise<void> {
    const now = Date.now();
    if (force || now - this.last > 50) {
      this.last = now;
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    if (this.cb.shouldStop?.()) throw new FitCancelledError();
    if (this.cb.shouldFinish?.()) throw new FinishRequested();
  }
}

const cloneEtas = (etas: readonly Float64Array[]) => etas.map((e) => Float64Array.from(e));

/**
 * FOCE-I estimation of a population PK/PD model on a data set (see foce.ts for the objective).
 *
 * Outer problem: quasi-Newton (BFGS) over the estimation vector — log θ (logit for fractions),
 * covariate effects, log ω, Fisher-z of a correlation, log σ — with finite-difference gradients
 * (forward while far from the optimum, central near it) and a backtracking line search; each
 * objective evaluation re-solves every subject's conditional mode from the last one.
 * Covariance step: the R matrix (finite-difference Hessian of the objective), Cov = 2·R⁻¹;
 * when R is not positive definite, the parameters it is flat along are named and the others get
 * standard errors from the rest of R (results.ts, uncertainty.ts: partialCovariance).
 *
 * Yields to the event loop regularly so a worker can receive a cancel message: shouldStop
 * rejects, shouldFinish resolves with the last iterate marked `cancelled`.
 */
export async function fitPopulation(
  ds: Dataset,
  spec: FitModelSpec,
  opts: FitOptions = {},
  cb: FitCallbacks = {},
): Promise<FitResult> {
  if (spec.endpoints !== 'pkpd' || opts.staged === false) return estimate(ds, spec, opts, cb);
  // Simultaneous PK+PD from good starting values: PK alone, then PD given each subject's
  // individual PK, then both together from those estimates.
  const started = Date.now();
  const stage = (offset: number, name: 'pk' | 'pd' | 'joint'): FitCallbacks => ({
    ...cb,
    onProgress: (p) =>
      cb.onProgress?.({
        ...p,
        iteration: p.iteration + offset,
        elapsedMs: Date.now() - started,
        stage: name,
      }),
  });
  const pkSpec = pkOnlySpec(spec);
  const pk = await estimate(ds, pkSpec, { ...opts, covariance: false }, stage(0, 'pk'));
  if (pk.cancelled) return cancelledStage(pk, 'pk', 0, started, STAGE_NOTES.pk);
  const pdSpec = pdGivenPkSpec(spec, pk);
  const pd = await estimate(ds, pdSpec, { ...opts, covariance: false }, stage(pk.iterations, 'pd'));
  if (pd.cancelled) return cancelledStage(pd, 'pd', pk.iterations, started, STAGE_NOTES.pd);
  const joint = await estimate(
    ds,
    jointSpecFrom(spec, pk, pd),
    opts,
    stage(pk.iterations + pd.iterations, 'joint'),
  );
  const iterations = pk.iterations + pd.iterations + joint.iterations;
  const stages = `started from a PK fit, ${pk.iterations} iterations, and a PD fit given individual PK, ${pd.iterations} iterations`;
  if (joint.cancelled) {
    const before = pk.iterations + pd.iterations;
    return cancelledStage(joint, 'joint', before, started, `in the joint PK+PD stage (${stages})`);
  }
  return {
    ...joint,
    iterations,
    message: `${joint.message} (${stages})`,
    elapsedMs: Date.now() - started,
  };
}

/** What a staged fit cancelled in its first two stages returns, in words. */
const STAGE_NOTES = {
  pk: 'in the PK stage: these are estimates of the PK part alone, fitted to the concentrations; the PD was not fitted',
  pd: 'in the PD stage: the PD part fitted to the biomarker with each subject’s PK fixed at the PK stage’s estimates; PK and PD were not fitted together',
} as const;

/**
 * A staged fit's result when the user cancelled it during `stage`, after `before` iterations of
 * the stages before; `note` says what the estimates are.
 */
function cancelledStage(
  result: FitResult,
  stage: 'pk' | 'pd' | 'joint',
  before: number,
  started: number,
  note: string,
): FitResult {
  const cancelled = result.cancelled as NonNullable<FitResult['cancelled']>;
  const iteration = cancelled.iteration + before;
  return {
    ...result,
    iterations: result.iterations + before,
    cancelled: { ...cancelled, iteration, stage },
    message: `${cancelledMessage(iteration, cancelled.phase)} ${note}.`,
    elapsedMs: Date.now() - started,
  };
}

/** The first words of a cancelled fit's message. */
function cancelledMessage(iteration: number, phase: 'estimation' | 'covariance'): string {
  return phase === 'covariance'
    ? `Cancelled at iteration ${iteration}, during the covariance step: the estimation had finished, but there are no standard errors`
    : `Cancelled at iteration ${iteration}: the estimates are the last iterate, not an optimum, and have no standard errors`;
}

const isPk = (name: string) => (PK_PARAMETER_NAMES as readonly string[]).includes(name);

/** The PK part of a PK+PD spec, fitted to concentrations only. */
export function pkOnlySpec(spec: FitModelSpec): FitModelSpec {
  const { pd: _pd, individualPk: _i, ...rest } = spec;
  void _pd;
  void _i;
  return {
    ...rest,
    endpoints: 'pk',
    parameters: spec.parameters.filter((p) => isPk(p.name)),
    covariates: spec.covariates.filter((c) => isPk(c.parameter)),
    residual: spec.residual.concentration ? { concentration: spec.residual.concentration } : {},
    ...(spec.correlation && spec.correlation.every(isPk) ? { correlation: spec.correlation } : {}),
  };
}

/** Estimates of a fit by parameter name (typical values, covariate effects, ω, σ). */
function estimatesOf(result: FitResult) {
  const byName = new Map(result.estimates.map((r) => [r.name, r.estimate]));
  return byName;
}

/** PD fitted to the biomarker with each subject's PK fixed at a PK fit's individual estimates. */
export function pdGivenPkSpec(spec: FitModelSpec, pkFit: FitResult): FitModelSpec {
  const est = estimatesOf(pkFit);
  const individualPk: Record<string, PkParameters> = {};
  for (const s of pkFit.subjects) {
    individualPk[s.id] = splitParameters(spec.pk, undefined, s.parameters).pk;
  }
  // A correlation of two PK random effects has no place here (the PK is fixed per subject);
  // the joint stage estimates it.
  const { correlation, ...rest } = spec;
  const keep = correlation && !correlation.every(isPk) ? { correlation } : {};
  return {
    ...rest,
    ...keep,
    endpoints: 'pd',
    individualPk,
    parameters: spec.parameters.map((p) =>
      isPk(p.name)
        ? {
            ...p,
            initial: est.get(p.name) ?? p.initial,
            fixed: true,
            ...(p.omega !== undefined
              ? { omega: est.get(`ω ${p.name}`) ?? p.omega, omegaFixed: true }
              : {}),
          }
        : p,
    ),
    covariates: spec.covariates.map((c) =>
      isPk(c.parameter)
        ? { ...c, initial: est.get(`${c.covariate} on ${c.parameter}`) ?? c.initial, fixed: true }
        : c,
    ),
  };
}

/** The simultaneous spec, started from the PK and the PD fits' estimates. */
export function jointSpecFrom(
  spec: FitModelSpec,
  pkFit: FitResult,
  pdFit: FitResult,
): FitModelSpec {
  const pk = estimatesOf(pkFit);
  const pd = estimatesOf(pdFit);
  // ω floored: a variability collapsed in a stage may still be informed by the joint data.
  return specFromEstimates(spec, pk, pd, 0.02);
}

/**
 * The spec with a fit's estimates as its values (typical values, covariate effects, ω, σ): a
 * FoceProblem built from it at its x0 is the fitted model, e.g. for the conditional modes of
 * subjects the fit did not see.
 */
export function specAtEstimates(spec: FitModelSpec, fit: FitResult): FitModelSpec {
  const est = estimatesOf(fit);
  return specFromEstimates(spec, est, est, 0);
}

/**
 * `spec` with its values taken from estimates by name: those of PK parameters and the
 * concentrations' σ from `pk`, the others from `pd`.
 */
function specFromEstimates(
  spec: FitModelSpec,
  pk: Map<string, number>,
  pd: Map<string, number>,
  omegaFloor: number,
): FitModelSpec {
  const pick = (name: string) => (isPk(name) ? pk : pd);
  const sigma = (fit: Map<string, number>, label: string, err: ResidualErrorModel | undefined) => {
    if (!err) return undefined;
    const sd = fit.get(`σ add ${label}`);
    const cv = fit.get(`σ prop ${label}`);
    if (err.type === 'additive') return { ...err, sd: sd ?? err.sd };
    if (err.type === 'proportional') return { ...err, cv: cv ?? err.cv };
    return { ...err, sd: sd ?? err.sd, cv: cv ?? err.cv };
  };
  const concentration = sigma(pk, 'concentration', spec.residual.concentration);
  const biomarker = sigma(pd, 'biomarker', spec.residual.biomarker);
  return {
    ...spec,
    parameters: spec.parameters.map((p) => {
      const src = pick(p.name);
      return {
        ...p,
        initial: p.fixed ? p.initial : (src.get(p.name) ?? p.initial),
        ...(p.omega !== undefined && !p.omegaFixed
          ? { omega: Math.max(omegaFloor, src.get(`ω ${p.name}`) ?? p.omega) }
          : {}),
      };
    }),
    covariates: spec.covariates.map((c) => ({
      ...c,
      initial: c.fixed
        ? c.initial
        : (pick(c.parameter).get(`${c.covariate} on ${c.parameter}`) ?? c.initial),
    })),
    residual: {
      ...(concentration ? { concentration } : {}),
      ...(biomarker ? { biomarker } : {}),
    },
  };
}

async function estimate(
  ds: Dataset,
  spec: FitModelSpec,
  opts: FitOptions,
  cb: FitCallbacks,
): Promise<FitResult> {
  const started = Date.now();
  const problem = new FoceProblem(ds, spec);
  const yielder = new Yielder(cb);
  const maxIterations = opts.maxIterations ?? 200;
  const ofvTol = opts.ofvTolerance ?? 1e-2;
  const inner: InnerOptions = { solver: opts.innerSolver ?? 'secant' };
  const n = problem.x0.length;
  const report = (iteration: number, ofv: number, phase: FitProgress['phase']) =>
    cb.onProgress?.({ iteration, ofv, phase, elapsedMs: Date.now() - started });

  let x = Float64Array.from(problem.x0);
  const etas = problem.etaHat;
  let f = objective(problem, x, etas, etas, undefined, inner);
  if (!Number.isFinite(f)) {
    throw new Error(
      'The model cannot be evaluated at the initial estimates (predictions or the objective are not finite). Check the initial values and the data.',
    );
  }
  report(0, f, 'estimation');

  const scratch = cloneEtas(etas);
  const nSubj = problem.subjects.length;
  let fi = new Float64Array(nSubj);
  f = objective(problem, x, etas, etas, fi, inner);

  /** Per-subject gradients (nSubj × n, row-major) by finite differences; returns their sum. */
  const gradient = async (central: boolean): Promise<{ g: Float64Array; G: Float64Array }> => {
    const G = new Float64Array(nSubj * n);
    const g = new Float64Array(n);
    const xt = Float64Array.from(x);
    const fp = new Float64Array(nSubj);
    const fm = new Float64Array(nSubj);
    for (let k = 0; k < n; k++) {
      const h = central ? 1e-3 : 3e-4;
      xt[k] = x[k] + h;
      const totalP = objective(problem, xt, etas, scratch, fp, inner);
      let totalM = f;
      if (central) {
        xt[k] = x[k] - h;
        totalM = objective(problem, xt, etas, scratch, fm, inner);
      } else {
        fm.set(fi);
      }
      xt[k] = x[k];
      if (Number.isFinite(totalP) && Number.isFinite(totalM)) {
        const denom = central ? 2 * h : h;
        for (let i = 0; i < nSubj; i++) {
          const gi = (fp[i] - fm[i]) / denom;
          G[i * n + k] = gi;
          g[k] += gi;
        }
      }
      await yielder.maybe();
    }
    return { g, G };
  };

  // Scoring (BHHH) Hessian ½·Σ gᵢgᵢᵀ from the subjects' gradients: Newton-like steps from the
  // start; quasi-Newton (BFGS, started from the scoring Hessian) once progress slows.
  const scoringInverse = (G: Float64Array, mu: number): Float64Array | null => {
    // Centred on the mean gradient: far from the optimum the subjects' gradients share a large
    // common part that would otherwise swamp the curvature estimate along it.
    const H = new Float64Array(n * n);
    const mean = new Float64Array(n);
    for (let i = 0; i < nSubj; i++) for (let a = 0; a < n; a++) mean[a] += G[i * n + a] / nSubj;
    const c = new Float64Array(n);
    for (let i = 0; i < nSubj; i++) {
      for (let a = 0; a < n; a++) c[a] = G[i * n + a] - mean[a];
      for (let a = 0; a < n; a++) {
        const ca = c[a];
        if (ca === 0) continue;
        for (let b = 0; b < n; b++) H[a * n + b] += 0.5 * ca * c[b];
      }
    }
    // Levenberg–Marquardt damping, relative to each diagonal and to their mean (the latter
    // tames directions the data barely inform).
    let meanDiag = 0;
    for (let a = 0; a < n; a++) meanDiag += H[a * n + a] / n;
    for (let a = 0; a < n; a++) H[a * n + a] = H[a * n + a] * (1 + mu) + mu * meanDiag + 1e-8;
    if (!cholesky(H, n)) return null;
    const inv = new Float64Array(n * n);
    choleskyInverse(H, n, inv);
    return inv;
  };

  const { lo, hi } = problem.bounds();
  let iteration = 0;
  let converged = false;
  let message = `Stopped after the maximum of ${maxIterations} iterations.`;
  /** Where a shouldFinish request stopped the fit, if one did. */
  let finishedEarly: 'estimation' | 'covariance' | null = null;
  try {
    await yielder.maybe(true);
    let central = false;
    let { g, G } = await gradient(central);
    let mode: 'scoring' | 'bfgs' = 'scoring';
    let mu = 0.01;
    let B = scoringInverse(G, mu) ?? identity(n, 0.01);
    let smallSteps = 0;
    const trialEtas = cloneEtas(etas);
    const trialFi = new Float64Array(nSubj);
    while (iteration < maxIterations) {
      iteration++;
      // Parameters at a bound that the step would push outwards take no part in this step.
      const atLo = Array.from(x, (v, k) => v <= lo[k] + 1e-9);
      const atHi = Array.from(x, (v, k) => v >= hi[k] - 1e-9);
      const active = Array.from(x, (_, k) => (atLo[k] && g[k] > 0) || (atHi[k] && g[k] < 0));
      let d = new Float64Array(n);
      for (let round = 0; round < 4; round++) {
        const gf = Float64Array.from(g, (v, k) => (active[k] ? 0 : v));
        if (mode === 'scoring') {
          const Gf = Float64Array.from(G, (v, idx) => (active[idx % n] ? 0 : v));
          B = scoringInverse(Gf, mu) ?? identity(n, 0.01);
        }
        d = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          if (active[i]) continue;
          let v = 0;
          for (let k = 0; k < n; k++) if (!active[k]) v -= B[i * n + k] * gf[k];
          d[i] = v;
        }
        // A scoring step longer than e-fold in any parameter: damp more instead of truncating.
        if (mode === 'scoring' && mu < 1e4 && d.some((v) => Math.abs(v) > 1)) {
          mu *= 10;
          round--;
          continue;
        }
        let changed = false;
        for (let k = 0; k < n; k++) {
          if (!active[k] && ((atLo[k] && d[k] < 0) || (atHi[k] && d[k] > 0))) {
            active[k] = true;
            changed = true;
          }
        }
        if (!changed) break;
      }
      for (let k = 0; k < n; k++) if (active[k]) d[k] = 0;
      let slope = 0;
      for (let i = 0; i < n; i++) slope += g[i] * d[i];
      if (!(slope < 0)) {
        const gm = Math.max(1e-12, ...g.map(Math.abs));
        B = identity(n, Math.min(1, 0.1 / gm));
        for (let i = 0; i < n; i++) d[i] = active[i] ? 0 : -B[i * n + i] * g[i];
        slope = 0;
        for (let i = 0; i < n; i++) slope += g[i] * d[i];
      }
      const dMax = d.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      let alpha = dMax > 1 ? 1 / dMax : 1;
      let fNew = Infinity;
      const xNew = new Float64Array(n);
      for (let ls = 0; ls < 20; ls++) {
        for (let i = 0; i < n; i++) xNew[i] = Math.min(hi[i], Math.max(lo[i], x[i] + alpha * d[i]));
        fNew = objective(problem, xNew, etas, trialEtas, trialFi, inner);
        if (Number.isFinite(fNew) && fNew <= f + 1e-4 * alpha * slope) break;
        alpha *= ls < 2 ? 0.5 : 0.2;
        fNew = Infinity;
        await yielder.maybe();
      }
      if (!Number.isFinite(fNew)) {
        if (mode === 'scoring' && mu < 1e3) {
          mu *= 10;
          continue;
        }
        if (!central) {
          central = true;
          ({ g, G } = await gradient(true));
          mode = 'scoring';
          mu = 0.01;
          continue;
        }
        converged = newtonDecrement(B, g, n) < 0.1;
        message = converged
          ? 'Converged: no further decrease of the objective is possible at this precision.'
          : 'Stopped: the line search found no lower objective value (the gradient is not small; treat the estimates with care).';
        break;
      }
      const decrease = f - fNew;
      cb.trace?.({
        iteration,
        mode,
        damping: mu,
        stepLength: alpha,
        decrease,
        x: Array.from(xNew),
        names: problem.xNames,
      });
      const s = new Float64Array(n);
      for (let i = 0; i < n; i++) s[i] = xNew[i] - x[i];
      x = xNew;
      f = fNew;
      fi = Float64Array.from(trialFi);
      for (let i = 0; i < etas.length; i++) etas[i].set(trialEtas[i]);
      report(iteration, f, 'estimation');
      await yielder.maybe(true);
      if (mode === 'scoring') mu = Math.max(1e-4, mu / 3);

      if (!central && decrease < 0.05) central = true;
      const next = await gradient(central);
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) y[i] = next.g[i] - g[i];
      g = next.g;
      G = next.G;
      if (mode === 'scoring' && (decrease < 1 || iteration >= 8)) {
        // Scoring has done the coarse work; refine with quasi-Newton from its curvature.
        mode = 'bfgs';
        B = scoringInverse(G, mu) ?? B;
      } else if (mode === 'bfgs') {
        bfgsUpdate(B, s, y, n);
      }

      if (decrease < ofvTol) smallSteps++;
      else smallSteps = 0;
      if (central && (smallSteps >= 2 || (decrease < ofvTol && newtonDecrement(B, g, n) < 1e-2))) {
        converged = newtonDecrement(B, g, n) < 0.1;
        message = converged
          ? `Converged: the objective changed by less than ${ofvTol} and the gradient is small.`
          : `Stopped: the objective changes by less than ${ofvTol} but the gradient is not small.`;
        break;
      }
    }
  } catch (err) {
    // x, f and etas hold the last accepted iterate: trial points live in their own arrays.
    if (!(err instanceof FinishRequested)) throw err;
    finishedEarly = 'estimation';
    converged = false;
  }
  problem.etaHat = etas;

  // Covariance step.
  let cov: Float64Array | null = null;
  let covMessage = 'Not requested.';
  let hessian: Float64Array | null = null;
  let fd: { H: Float64Array; complete: boolean } | null = null;
  if (finishedEarly) {
    covMessage = 'Not computed: the fit was cancelled.';
  } else if (opts.covariance ?? true) {
    report(iteration, f, 'covariance');
    try {
      fd = await finiteDifferenceHessian(problem, x, etas, f, yielder, inner);
    } catch (err) {
      if (!(err instanceof FinishRequested)) throw err;
      finishedEarly = 'covariance';
      covMessage = 'Not computed: the fit was cancelled during the covariance step.';
    }
  }
  if (fd) {
    hessian = fd.H;
    const c = Float64Array.from(hessian);
    if (fd.complete && cholesky(c, n)) {
      cov = new Float64Array(n * n);
      choleskyInverse(c, n, cov);
      for (let i = 0; i < n * n; i++) cov[i] *= 2;
      covMessage = 'Standard errors from the R matrix (finite-difference Hessian of the OFV).';
    } else {
      covMessage =
        'The Hessian of the objective is not positive definite: some parameters are not identifiable from these data (see below), so no standard errors.';
    }
  }
  report(iteration, f, 'done');
  const result = assembleResult({
    problem,
    dataName: ds.name,
    x,
    ofv: f,
    converged,
    message: finishedEarly ? `${cancelledMessage(iteration, finishedEarly)}.` : message,
    iterations: iteration,
    cov,
    hessian,
    hessianComplete: fd?.complete ?? false,
    covMessage,
    started,
  });
  return finishedEarly ? { ...result, cancelled: { iteration, phase: finishedEarly } } : result;
}

function identity(n: number, scale: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = scale;
  return m;
}

/** g·B·g: the predicted decrease of a Newton step (twice). */
function newtonDecrement(B: Float64Array, g: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) s += g[i] * B[i * n + k] * g[k];
  return Math.abs(s);
}

function bfgsUpdate(B: Float64Array, s: Float64Array, y: Float64Array, n: number): void {
  let sy = 0;
  for (let i = 0; i < n; i++) sy += s[i] * y[i];
  if (!(sy > 1e-10)) return;
  const By = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let k = 0; k < n; k++) v += B[i * n + k] * y[k];
    By[i] = v;
  }
  let yBy = 0;
  for (let i = 0; i < n; i++) yBy += y[i] * By[i];
  const rho = 1 / sy;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      B[i * n + k] += (1 + yBy * rho) * rho * s[i] * s[k] - rho * (By[i] * s[k] + s[i] * By[k]);
    }
  }
}

/**
 * Hessian of the objective by forward second differences,
 * H_kl ≈ [F(x + h e_k + h e_l) − F(x + h e_k) − F(x + h e_l) + F(x)] / h²,
 * with tight inner convergence so the conditional modes do not add noise. Each evaluation's
 * conditional modes start from their linear extrapolation out of the single steps,
 * η̂(x + h e_k + h e_l) ≈ η̂(x + h e_k) + η̂(x + h e_l) − η̂(x), which the inner problems then
 * only polish (the converged modes, and so the Hessian, do not depend on where they start).
 */
async function finiteDifferenceHessian(
  problem: FoceProblem,
  x: Float64Array,
  etas: readonly Float64Array[],
  f0: number,
  yielder: Yielder,
  outer: InnerOptions,
): Promise<{ H: Float64Array; complete: boolean }> {
  const n = x.length;
  const h = 5e-3;
  const inner: InnerOptions = { ...outer, tol: 1e-8, maxIter: 100 };
  const center = cloneEtas(etas);
  const xt = Float64Array.from(x);
  const base = objective(problem, x, center, center, undefined, inner);
  const f = Number.isFinite(base) ? base : f0;
  if (!Number.isFinite(base)) for (let i = 0; i < etas.length; i++) center[i].set(etas[i]);
  const single = new Float64Array(n);
  /** η̂ at x + h e_k, per k. */
  const stepped = Array.from({ length: n }, () => cloneEtas(center));
  for (let k = 0; k < n; k++) {
    xt[k] = x[k] + h;
    single[k] = objective(problem, xt, stepped[k], stepped[k], undefined, inner);
    if (!Number.isFinite(single[k])) {
      for (let i = 0; i < center.length; i++) stepped[k][i].set(center[i]);
    }
    xt[k] = x[k];
    await yielder.maybe();
  }
  const start = cloneEtas(center);
  /** Starts the modes at η̂(x + h e_k) + η̂(x + h e_l) − η̂(x). */
  const extrapolate = (k: number, l: number) => {
    for (let i = 0; i < start.length; i++) {
      const a = stepped[k][i];
      const b = stepped[l][i];
      const c = center[i];
      const out = start[i];
      for (let j = 0; j < out.length; j++) out[j] = a[j] + b[j] - c[j];
    }
  };
  const H = new Float64Array(n * n);
  // Curvatures first: a parameter the objective does not curve along is not estimable, and its
  // cross terms (noise) are left at 0; the others' are what their standard errors need.
  for (let k = 0; k < n; k++) {
    xt[k] += 2 * h;
    extrapolate(k, k);
    const fkk = objective(problem, xt, start, start, undefined, inner);
    xt[k] = x[k];
    H[k * n + k] = (fkk - 2 * single[k] + f) / (h * h);
    await yielder.maybe();
  }
  const flat = Array.from({ length: n }, (_, k) => !(H[k * n + k] > FLAT_CURVATURE));
  for (let k = 0; k < n; k++) {
    if (flat[k]) continue;
    for (let l = k + 1; l < n; l++) {
      if (flat[l]) continue;
      xt[k] += h;
      xt[l] += h;
      extrapolate(k, l);
      const fkl = objective(problem, xt, start, start, undefined, inner);
      xt[k] = x[k];
      xt[l] = x[l];
      const v = (fkl - single[k] - single[l] + f) / (h * h);
      H[k * n + l] = v;
      H[l * n + k] = v;
      await yielder.maybe();
    }
  }
  return { H, complete: true };
}
