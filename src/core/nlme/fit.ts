import type { Dataset } from '../data/types';
import { choleskyInverse, cholesky, forwardSolve } from './linalg';
import {
  FoceProblem,
  objective,
  populationContext,
  residualVariance,
  solveSubject,
  workspaceFor,
} from './foce';
import { assembleResult } from './results';
import type { FitModelSpec, FitOptions, FitProgress, FitResult } from './types';

export interface FitCallbacks {
  /** Called after every outer iteration and at each phase change. */
  readonly onProgress?: (p: FitProgress) => void;
  /** Polled between evaluations; return true to stop (the promise rejects with FitCancelledError). */
  readonly shouldStop?: () => boolean;
}

/** Error thrown when a fit is cancelled through `shouldStop`. */
export class FitCancelledError extends Error {
  constructor() {
    super('The fit was cancelled.');
    this.name = 'FitCancelledError';
  }
}

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
 * Covariance step: the R matrix (finite-difference Hessian of the objective), Cov = 2·R⁻¹.
 *
 * Yields to the event loop regularly so a worker can receive a cancel message.
 */
export async function fitPopulation(
  ds: Dataset,
  spec: FitModelSpec,
  opts: FitOptions = {},
  cb: FitCallbacks = {},
): Promise<FitResult> {
  const started = Date.now();
  const problem = new FoceProblem(ds, spec);
  const yielder = new Yielder(cb);
  const maxIterations = opts.maxIterations ?? 200;
  const ofvTol = opts.ofvTolerance ?? 1e-3;
  const n = problem.x0.length;
  const report = (iteration: number, ofv: number, phase: FitProgress['phase']) =>
    cb.onProgress?.({ iteration, ofv, phase, elapsedMs: Date.now() - started });

  let x = Float64Array.from(problem.x0);
  let etas = problem.etaHat;
  let f = objective(problem, x, etas, etas);
  if (!Number.isFinite(f)) {
    throw new Error(
      'The model cannot be evaluated at the initial estimates (predictions or the objective are not finite). Check the initial values and the data.',
    );
  }
  report(0, f, 'estimation');
  await yielder.maybe(true);

  const scratch = cloneEtas(etas);
  const evalAt = (xt: ArrayLike<number>, start: readonly Float64Array[], out: Float64Array[]) =>
    objective(problem, xt, start, out);

  const gradient = async (central: boolean): Promise<Float64Array> => {
    const g = new Float64Array(n);
    const xt = Float64Array.from(x);
    for (let k = 0; k < n; k++) {
      const h = central ? 1e-3 : 3e-4;
      xt[k] = x[k] + h;
      const fp = evalAt(xt, etas, scratch);
      if (central) {
        xt[k] = x[k] - h;
        const fm = evalAt(xt, etas, scratch);
        g[k] = (fp - fm) / (2 * h);
      } else {
        g[k] = (fp - f) / h;
      }
      xt[k] = x[k];
      if (!Number.isFinite(g[k])) g[k] = 0;
      await yielder.maybe();
    }
    return g;
  };

  // Inverse-Hessian approximation, starting as a scaled identity.
  let B = new Float64Array(n * n);
  const resetB = (scale: number) => {
    B = new Float64Array(n * n);
    for (let i = 0; i < n; i++) B[i * n + i] = scale;
  };
  let central = false;
  let g = await gradient(central);
  const gMax = g.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  resetB(gMax > 0 ? Math.min(1, 0.1 / gMax) : 1);

  let iteration = 0;
  let converged = false;
  let message = `Stopped after the maximum of ${maxIterations} iterations.`;
  let smallSteps = 0;
  const trialEtas = cloneEtas(etas);
  while (iteration < maxIterations) {
    iteration++;
    const d = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = 0; k < n; k++) s -= B[i * n + k] * g[k];
      d[i] = s;
    }
    let slope = 0;
    for (let i = 0; i < n; i++) slope += g[i] * d[i];
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      resetB(Math.min(1, 0.1 / Math.max(1e-12, ...g.map(Math.abs))));
      for (let i = 0; i < n; i++) d[i] = -B[i * n + i] * g[i];
      slope = 0;
      for (let i = 0; i < n; i++) slope += g[i] * d[i];
    }
    const dMax = d.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    let alpha = dMax > 1 ? 1 / dMax : 1;
    let fNew = Infinity;
    const xNew = new Float64Array(n);
    for (let ls = 0; ls < 25; ls++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + alpha * d[i];
      fNew = evalAt(xNew, etas, trialEtas);
      if (Number.isFinite(fNew) && fNew <= f + 1e-4 * alpha * slope) break;
      alpha *= ls < 2 ? 0.5 : 0.2;
      fNew = Infinity;
      await yielder.maybe();
    }
    if (!Number.isFinite(fNew)) {
      if (!central) {
        central = true;
        g = await gradient(true);
        resetB(Math.min(1, 0.1 / Math.max(1e-12, ...g.map(Math.abs))));
        continue;
      }
      converged = newtonDecrement(B, g, n) < 1e-2;
      message = converged
        ? 'Converged: no further decrease of the objective is possible at this precision.'
        : 'Stopped: the line search found no lower objective value (the gradient is not small; treat the estimates with care).';
      break;
    }
    const decrease = f - fNew;
    const s = new Float64Array(n);
    for (let i = 0; i < n; i++) s[i] = xNew[i] - x[i];
    x = xNew;
    f = fNew;
    for (let i = 0; i < etas.length; i++) etas[i].set(trialEtas[i]);
    report(iteration, f, 'estimation');
    await yielder.maybe(true);

    if (!central && decrease < 0.05) central = true;
    const gNew = await gradient(central);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = gNew[i] - g[i];
    g = gNew;
    bfgsUpdate(B, s, y, n);

    if (decrease < ofvTol) smallSteps++;
    else smallSteps = 0;
    if (central && (smallSteps >= 2 || (decrease < ofvTol && newtonDecrement(B, g, n) < 1e-3))) {
      converged = newtonDecrement(B, g, n) < 1e-2;
      message = converged
        ? `Converged: the objective changed by less than ${ofvTol} and the gradient is small.`
        : `Stopped: the objective changes by less than ${ofvTol} but the gradient is not small.`;
      break;
    }
  }
  problem.etaHat = etas;

  // Covariance step.
  let cov: Float64Array | null = null;
  let covMessage = 'Not requested.';
  let hessian: Float64Array | null = null;
  if (opts.covariance ?? true) {
    report(iteration, f, 'covariance');
    hessian = await finiteDifferenceHessian(problem, x, etas, f, yielder);
    const c = Float64Array.from(hessian);
    if (cholesky(c, n)) {
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
  void forwardSolve;
  void residualVariance;
  void populationContext;
  void solveSubject;
  void workspaceFor;
  return assembleResult({
    problem,
    dataName: ds.name,
    x,
    ofv: f,
    converged,
    message,
    iterations: iteration,
    cov,
    hessian,
    covMessage,
    started,
  });
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
      B[i * n + k] +=
        (1 + yBy * rho) * rho * s[i] * s[k] - rho * (By[i] * s[k] + s[i] * By[k]);
    }
  }
}

/**
 * Hessian of the objective by forward second differences,
 * H_kl ≈ [F(x + h e_k + h e_l) − F(x + h e_k) − F(x + h e_l) + F(x)] / h²,
 * with tight inner convergence so the conditional modes do not add noise.
 */
async function finiteDifferenceHessian(
  problem: FoceProblem,
  x: Float64Array,
  etas: readonly Float64Array[],
  f0: number,
  yielder: Yielder,
): Promise<Float64Array> {
  const n = x.length;
  const h = 5e-3;
  const inner = { tol: 1e-10, maxIter: 100 };
  const scratch = cloneEtas(etas);
  const xt = Float64Array.from(x);
  const base = objective(problem, x, etas, scratch, undefined, inner);
  const f = Number.isFinite(base) ? base : f0;
  const single = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xt[k] = x[k] + h;
    single[k] = objective(problem, xt, etas, scratch, undefined, inner);
    xt[k] = x[k];
    await yielder.maybe();
  }
  const H = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    for (let l = k; l < n; l++) {
      xt[k] += h;
      xt[l] += h;
      const fkl = objective(problem, xt, etas, scratch, undefined, inner);
      xt[k] = x[k];
      xt[l] = x[l];
      const v = (fkl - single[k] - single[l] + f) / (h * h);
      H[k * n + l] = v;
      H[l * n + k] = v;
      await yielder.maybe();
    }
  }
  return H;
}
