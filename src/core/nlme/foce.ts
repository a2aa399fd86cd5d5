import type { Dataset } from '../data/types';
import { residualVariance, type ResidualErrorModel } from '../pkpd/population';
import { PD_PARAMETER_NAMES, PK_PARAMETER_NAMES } from '../pkpd/validate';
import type { DoseEvent, PdParameters, PkParameters, PkPdParameters } from '../pkpd/types';
import { buildSubjectDesign, predictSubject, type SubjectDesign } from './fastPredict';
import { cholesky, choleskyInverse, choleskyLogDet, choleskySolve } from './linalg';
import type { FitCovariateSpec, FitModelSpec, FitParameterSpec } from './types';

/**
 * The FOCE-I objective of a population model on a data set.
 *
 * Subject i with random effects η (q of them) and observations y_j, predictions f_j(η) and
 * residual variances V_j(η) (interaction: V depends on the individual prediction) has
 *
 *   OBJ_i(η) = Σ_j [ (y_j − f_j)²/V_j + log V_j ] + ηᵀΩ⁻¹η
 *
 * and its conditional mode η̂_i minimises OBJ_i. The Laplace approximation of the marginal
 * likelihood with the first-order (Gauss–Newton) Hessian Ω⁻¹ + Gᵀ W G, G = ∂f/∂η and W =
 * diag(1/V) at η̂, gives the objective function value (NONMEM's FOCE INTERACTION)
 *
 *   OFV = Σ_i OBJ_i(η̂_i) + log det Ω + log det(Ω⁻¹ + GᵢᵀWᵢGᵢ)
 *       = Σ_i OBJ_i(η̂_i) + log det(I + Ω GᵢᵀWᵢGᵢ),
 *
 * which is −2 log L without the constant n·log 2π (Wang 2007, J Pharmacokinet Pharmacodyn
 * 34:575–593). The inner problems are solved by Fisher scoring with finite-difference G, its
 * Hessian corrected near the mode by a structured secant update (see solveSubject).
 */

const PK_NAMES: ReadonlySet<string> = new Set(PK_PARAMETER_NAMES);
const PD_NAMES: ReadonlySet<string> = new Set(PD_PARAMETER_NAMES);

/** What an element of the estimation vector x is. */
export type XElement =
  | { kind: 'theta'; index: number; transform: 'log' | 'logit' | 'identity' }
  | { kind: 'covariate'; index: number; effect: 'power' | 'categorical' }
  | { kind: 'omega'; index: number }
  | { kind: 'correlation' }
  | { kind: 'sigma'; endpoint: 0 | 1; component: 'sd' | 'cv' };

/** Population parameters decoded from x (natural scale). */
export interface PopulationValues {
  /** By spec.parameters index. */
  theta: Float64Array;
  /** By spec.covariates index: power exponent or categorical fractional change. */
  covariate: Float64Array;
  /** SD of each random effect (etaParams order). */
  omegaSd: Float64Array;
  /** Correlation of the spec.correlation pair (0 when none). */
  rho: number;
  /** Residual error per endpoint index (0 concentration, 1 biomarker). */
  sigma: [ResidualErrorModel | undefined, ResidualErrorModel | undefined];
}

export interface ProblemSubject {
  readonly id: string;
  readonly covariates: Readonly<Record<string, number>>;
  readonly design: SubjectDesign;
  readonly y: Float64Array;
  /** 0 concentration, 1 biomarker, per observation. */
  readonly endpoint: Int8Array;
  readonly times: Float64Array;
  readonly dvid: Int8Array;
  /** Dose and reset records as in the data set (file order, ADDL not expanded). */
  readonly doses: readonly DoseEvent[];
  /** Individual PK for sequential ('pd') fits. */
  readonly pk?: PkParameters;
}

export interface InnerResult {
  obj: number;
  ofv: number;
  ok: boolean;
}

function transformOf(p: FitParameterSpec): 'log' | 'logit' | 'identity' {
  return p.transform ?? 'log';
}

function toX(value: number, t: 'log' | 'logit' | 'identity'): number {
  if (t === 'log') return Math.log(value);
  if (t === 'logit') return Math.log(value / (1 - value));
  return value;
}

function fromX(x: number, t: 'log' | 'logit' | 'identity'): number {
  if (t === 'log') return Math.exp(x);
  if (t === 'logit') return 1 / (1 + Math.exp(-x));
  return x;
}

/** Typical value of a parameter for a subject's covariates, then η on its transform scale. */
function applyEta(typical: number, eta: number, t: 'log' | 'logit' | 'identity'): number {
  if (eta === 0) return typical;
  if (t === 'log') return typical * Math.exp(eta);
  if (t === 'logit') {
    const z = Math.log(typical / (1 - typical)) + eta;
    return 1 / (1 + Math.exp(-z));
  }
  return typical + eta;
}

const FD_ETA = 1e-5;
/** Curvature of the OFV (per unit of the estimation scale) below which a parameter is flat. */
export const FLAT_CURVATURE = 1e-6;
/** Smallest ω (SD of η) the estimation goes down to. */
export const OMEGA_FLOOR = 1e-3;

export class FoceProblem {
  readonly spec: FitModelSpec;
  readonly subjects: ProblemSubject[];
  /** spec.parameters indices that carry a random effect (in η order). */
  readonly etaParam: Int32Array;
  readonly etaNames: string[];
  readonly q: number;
  /** η index of the correlated pair, or −1. */
  readonly corrA: number;
  readonly corrB: number;
  readonly x0: Float64Array;
  readonly elements: XElement[];
  readonly xNames: string[];
  readonly nObs: number;
  /** What the problem set-up changed about the data, in plain language. */
  readonly notes: readonly string[];
  /** Which endpoints are fitted: [concentration, biomarker]. */
  readonly fitted: [boolean, boolean];
  private readonly sigmaInit: [ResidualErrorModel | undefined, ResidualErrorModel | undefined];
  /** Current conditional modes, per subject (warm starts). */
  etaHat: Float64Array[];
  /** For each covariate effect, the index in spec.parameters of the parameter it acts on. */
  private readonly covariateParam: Int32Array;
  /** The PK and the PD parameters: name and index in spec.parameters. */
  private readonly pkFields: readonly (readonly [string, number])[];
  private readonly pdFields: readonly (readonly [string, number])[];

  constructor(ds: Dataset, spec: FitModelSpec) {
    this.spec = spec;
    const fitConc = spec.endpoints !== 'pd';
    const fitBio = spec.endpoints !== 'pk' && spec.pd !== undefined;
    this.fitted = [fitConc, fitBio];
    if (fitConc && !spec.residual.concentration)
      throw new Error('The model fits concentrations but has no residual error for them.');
    if (fitBio && !spec.residual.biomarker)
      throw new Error('The model fits the biomarker but has no residual error for it.');
    if (spec.endpoints !== 'pk' && !spec.pd)
      throw new Error(`Endpoints "${spec.endpoints}" need a PD model.`);

    for (const p of spec.parameters) {
      const t = transformOf(p);
      const ok =
        Number.isFinite(p.initial) &&
        (t === 'log' ? p.initial > 0 : t === 'logit' ? p.initial > 0 && p.initial < 1 : true);
      if (!ok)
        throw new Error(
          `Initial value of ${p.name} must be ${t === 'log' ? '> 0' : t === 'logit' ? 'between 0 and 1' : 'finite'}, got ${p.initial}.`,
        );
      if (p.omega !== undefined && !(p.omega > 0))
        throw new Error(`Initial ω of ${p.name} must be > 0, got ${p.omega}.`);
      if (p.omega !== undefined && t === 'identity')
        throw new Error(
          `${p.name} is estimated on a linear scale and cannot have a random effect.`,
        );
    }
    const usesPd = (name: string) => PD_NAMES.has(name);
    // Random effects that reach a fitted endpoint.
    const etaIdx: number[] = [];
    spec.parameters.forEach((p, i) => {
      if (p.omega === undefined) return;
      if (spec.endpoints === 'pd' && PK_NAMES.has(p.name)) return;
      if (spec.endpoints === 'pk' && usesPd(p.name)) return;
      etaIdx.push(i);
    });
    this.etaParam = Int32Array.from(etaIdx);
    this.etaNames = etaIdx.map((i) => spec.parameters[i].name);
    this.q = etaIdx.length;
    let corrA = -1;
    let corrB = -1;
    if (spec.correlation) {
      corrA = this.etaNames.indexOf(spec.correlation[0]);
      corrB = this.etaNames.indexOf(spec.correlation[1]);
      if (corrA < 0 || corrB < 0 || corrA === corrB)
        throw new Error(
          `A correlation needs random effects on both ${spec.correlation[0]} and ${spec.correlation[1]}.`,
        );
    }
    this.corrA = corrA;
    this.corrB = corrB;

    const fields = spec.parameters.map((p, i) => [p.name, i] as const);
    this.pkFields = fields.filter(([name]) => PK_NAMES.has(name));
    this.pdFields = fields.filter(([name]) => !PK_NAMES.has(name) && PD_NAMES.has(name));
    this.covariateParam = Int32Array.from(spec.covariates, (c) =>
      spec.parameters.findIndex((p) => p.name === c.parameter),
    );
    for (const c of spec.covariates) {
      if (!spec.parameters.some((p) => p.name === c.parameter))
        throw new Error(`Covariate ${c.covariate} acts on ${c.parameter}, which the model lacks.`);
      if (c.kind === 'power' && !(c.reference > 0))
        throw new Error(`Reference of ${c.covariate} on ${c.parameter} must be > 0.`);
      if (c.kind === 'categorical' && !(c.initial > -1))
        throw new Error(`Effect of ${c.covariate} on ${c.parameter} must be > −1.`);
    }

    // Subjects and their observations.
    const subjects: ProblemSubject[] = [];
    let nObs = 0;
    let preDoseDropped = 0;
    for (const s of ds.subjects) {
      // A proportional error model gives a concentration predicted to be exactly 0 (before the
      // first dose) zero variance: such records cannot be fitted and are left out, and said so.
      const firstDose = s.doses
        .filter((d) => d.amt > 0 || (d.rate ?? 0) > 0)
        .reduce((m, d) => Math.min(m, d.time), Infinity);
      const dropPreDose = fitConc && spec.residual.concentration?.type === 'proportional';
      const obs = s.observations.filter((o) => {
        if (o.dvid === 1 && fitConc) {
          if (dropPreDose && o.time <= firstDose) {
            preDoseDropped++;
            return false;
          }
          return true;
        }
        return o.dvid === 2 && fitBio;
      });
      if (obs.length === 0) continue;
      for (const c of spec.covariates) {
        const x = s.covariates[c.covariate];
        if (typeof x !== 'number' || !Number.isFinite(x))
          throw new Error(`Subject ${s.id} has no value of covariate ${c.covariate}.`);
        if (c.kind === 'power' && !(x > 0))
          throw new Error(
            `Subject ${s.id}: ${c.covariate} = ${x}; a power effect needs values > 0.`,
          );
      }
      let pk: PkParameters | undefined;
      if (spec.endpoints === 'pd') {
        pk = spec.individualPk?.[s.id];
        const dosed = s.doses.some((d) => d.amt > 0 || (d.rate ?? 0) > 0);
        if (!pk && dosed)
          throw new Error(`Subject ${s.id} has no individual PK parameters for the PD fit.`);
        pk ??= { type: spec.pk, CL: 1, V: 1, ...(spec.pk.startsWith('oral') ? { ka: 1 } : {}) };
      }
      const pdState = fitBio && spec.pd !== undefined && !spec.pd.startsWith('direct');
      const design = buildSubjectDesign(spec.pk, s.doses, obs, { cutsOnly: !pdState });
      subjects.push({
        id: s.id,
        covariates: s.covariates,
        design,
        y: Float64Array.from(obs, (o) => o.dv),
        endpoint: Int8Array.from(obs, (o) => (o.dvid === 2 ? 1 : 0)),
        times: Float64Array.from(obs, (o) => o.time),
        dvid: Int8Array.from(obs, (o) => o.dvid),
        doses: s.doses,
        ...(pk ? { pk } : {}),
      });
      nObs += obs.length;
    }
    if (subjects.length === 0)
      throw new Error('No subject has observations of the fitted endpoint(s).');
    this.subjects = subjects;
    this.nObs = nObs;
    this.notes =
      preDoseDropped > 0
        ? [
            `${preDoseDropped} concentration${preDoseDropped === 1 ? '' : 's'} at or before the first dose left out: a proportional error model cannot weigh a prediction of 0 (use additive or combined error to keep them).`,
          ]
        : [];
    this.etaHat = subjects.map(() => new Float64Array(this.q));

    // Estimation vector.
    const elements: XElement[] = [];
    const names: string[] = [];
    const x0: number[] = [];
    spec.parameters.forEach((p, i) => {
      if (p.fixed) return;
      const t = transformOf(p);
      elements.push({ kind: 'theta', index: i, transform: t });
      names.push(p.name);
      x0.push(toX(p.initial, t));
    });
    spec.covariates.forEach((c: FitCovariateSpec, i) => {
      if (c.fixed) return;
      elements.push({ kind: 'covariate', index: i, effect: c.kind });
      names.push(`${c.covariate} on ${c.parameter}`);
      x0.push(c.kind === 'power' ? c.initial : Math.log(1 + c.initial));
    });
    etaIdx.forEach((pi, k) => {
      const p = spec.parameters[pi];
      if (p.omegaFixed) return;
      elements.push({ kind: 'omega', index: k });
      names.push(`ω ${p.name}`);
      x0.push(Math.log(p.omega as number));
    });
    if (corrA >= 0) {
      elements.push({ kind: 'correlation' });
      names.push(`corr ${this.etaNames[corrA]}–${this.etaNames[corrB]}`);
      x0.push(0);
    }
    this.sigmaInit = [
      fitConc ? spec.residual.concentration : undefined,
      fitBio ? spec.residual.biomarker : undefined,
    ];
    this.sigmaInit.forEach((err, e) => {
      if (!err) return;
      const label = e === 0 ? 'concentration' : 'biomarker';
      if (err.type !== 'proportional') {
        if (!(err.sd > 0)) throw new Error(`Additive residual SD (${label}) must be > 0.`);
        elements.push({ kind: 'sigma', endpoint: e as 0 | 1, component: 'sd' });
        names.push(`σ add ${label}`);
        x0.push(Math.log(err.sd));
      }
      if (err.type !== 'additive') {
        if (!(err.cv > 0)) throw new Error(`Proportional residual CV (${label}) must be > 0.`);
        elements.push({ kind: 'sigma', endpoint: e as 0 | 1, component: 'cv' });
        names.push(`σ prop ${label}`);
        x0.push(Math.log(err.cv));
      }
    });
    this.elements = elements;
    this.xNames = names;
    this.x0 = Float64Array.from(x0);
  }

  /**
   * Box bounds of the estimation vector: ω between OMEGA_FLOOR and 5, fractions within
   * logit ±12, log-scale values within 10⁴-fold of their start, a categorical effect between
   * −99% and ×100, a power exponent within ±10, a correlation within ±0.9999.
   */
  bounds(): { lo: Float64Array; hi: Float64Array } {
    const n = this.x0.length;
    const lo = new Float64Array(n);
    const hi = new Float64Array(n);
    const span = Math.log(1e4);
    this.elements.forEach((el, k) => {
      const x0 = this.x0[k];
      switch (el.kind) {
        case 'theta':
          if (el.transform === 'log') [lo[k], hi[k]] = [x0 - span, x0 + span];
          else if (el.transform === 'logit') [lo[k], hi[k]] = [-12, 12];
          else [lo[k], hi[k]] = [-Infinity, Infinity];
          break;
        case 'covariate':
          [lo[k], hi[k]] = el.effect === 'power' ? [-10, 10] : [Math.log(0.01), Math.log(100)];
          break;
        case 'omega':
          [lo[k], hi[k]] = [Math.log(OMEGA_FLOOR), Math.log(5)];
          break;
        case 'correlation':
          [lo[k], hi[k]] = [-Math.atanh(0.9999), Math.atanh(0.9999)];
          break;
        case 'sigma':
          [lo[k], hi[k]] = [x0 - span, x0 + span];
          break;
      }
    });
    return { lo, hi };
  }

  /** Natural-scale population values for an estimation vector. */
  decode(x: ArrayLike<number>): PopulationValues {
    const spec = this.spec;
    const theta = Float64Array.from(spec.parameters, (p) => p.initial);
    const covariate = Float64Array.from(spec.covariates, (c) => c.initial);
    const omegaSd = Float64Array.from(this.etaParam, (pi) => spec.parameters[pi].omega as number);
    let rho = 0;
    const sd = [NaN, NaN];
    const cv = [NaN, NaN];
    this.sigmaInit.forEach((err, e) => {
      if (!err) return;
      if (err.type !== 'proportional') sd[e] = err.sd;
      if (err.type !== 'additive') cv[e] = err.cv;
    });
    this.elements.forEach((el, k) => {
      const v = x[k];
      switch (el.kind) {
        case 'theta':
          theta[el.index] = fromX(v, el.transform);
          break;
        case 'covariate':
          covariate[el.index] = el.effect === 'power' ? v : Math.exp(v) - 1;
          break;
        case 'omega':
          // ω below 0.1% is no variability at all; the floor stops a random effect the data
          // cannot support from drifting to zero forever (it is then reported as such).
          omegaSd[el.index] = Math.max(OMEGA_FLOOR, Math.exp(v));
          break;
        case 'correlation':
          rho = Math.tanh(v);
          break;
        case 'sigma':
          if (el.component === 'sd') sd[el.endpoint] = Math.exp(v);
          else cv[el.endpoint] = Math.exp(v);
          break;
      }
    });
    const sigma = this.sigmaInit.map((err, e): ResidualErrorModel | undefined => {
      if (!err) return undefined;
      if (err.type === 'additive') return { type: 'additive', sd: sd[e] };
      if (err.type === 'proportional') return { type: 'proportional', cv: cv[e] };
      return { type: 'combined', sd: sd[e], cv: cv[e] };
    }) as PopulationValues['sigma'];
    return { theta, covariate, omegaSd, rho, sigma };
  }

  /** Ω as a full q×q matrix (row-major). */
  omegaMatrix(pop: PopulationValues): Float64Array {
    const q = this.q;
    const om = new Float64Array(q * q);
    for (let k = 0; k < q; k++) om[k * q + k] = pop.omegaSd[k] ** 2;
    if (this.corrA >= 0) {
      const c = pop.rho * pop.omegaSd[this.corrA] * pop.omegaSd[this.corrB];
      om[this.corrA * q + this.corrB] = c;
      om[this.corrB * q + this.corrA] = c;
    }
    return om;
  }

  /** Typical structural values (covariates applied, η = 0) for one subject. */
  typicalValues(pop: PopulationValues, s: ProblemSubject): Float64Array {
    const spec = this.spec;
    const values = Float64Array.from(pop.theta);
    spec.covariates.forEach((c, i) => {
      const pi = this.covariateParam[i];
      const x = s.covariates[c.covariate];
      if (c.kind === 'power') values[pi] *= (x / c.reference) ** pop.covariate[i];
      else if (x === (c.level ?? 1)) values[pi] *= 1 + pop.covariate[i];
    });
    return values;
  }

  /** Individual structural parameter values for η. */
  individualValues(typical: Float64Array, eta: ArrayLike<number>, out: Float64Array): void {
    out.set(typical);
    for (let k = 0; k < this.q; k++) {
      const pi = this.etaParam[k];
      out[pi] = applyEta(typical[pi], eta[k], transformOf(this.spec.parameters[pi]));
    }
  }

  /**
   * PK and PD records from flat individual values (a sequential fit's PK comes with `s`), as
   * splitParameters makes them, built from precomputed field lists: this runs for every
   * prediction.
   */
  structural(values: ArrayLike<number>, s: ProblemSubject): PkPdParameters {
    let pk = s.pk;
    if (!pk) {
      const record: Record<string, unknown> = { type: this.spec.pk };
      for (const [name, i] of this.pkFields) record[name] = values[i];
      pk = record as unknown as PkParameters;
    }
    if (!this.spec.pd) return { pk };
    const pd: Record<string, unknown> = { type: this.spec.pd };
    for (const [name, i] of this.pdFields) pd[name] = values[i];
    return { pk, pd: pd as unknown as PdParameters };
  }

  /** Predictions for one subject at individual values; false when not finite. */
  predict(s: ProblemSubject, values: ArrayLike<number>, out: Float64Array): boolean {
    const { pk, pd } = this.structural(values, s);
    try {
      predictSubject(s.design, pk, this.fitted[1] ? pd : undefined, out);
    } catch {
      return false;
    }
    for (let j = 0; j < out.length; j++) if (!Number.isFinite(out[j])) return false;
    return true;
  }
}

/**
 * Residual variance at prediction f; a proportional model's zero variance at f = 0 is floored so
 * the objective stays finite (such observations are left out up front, see `notes`).
 */
function observationVariance(err: ResidualErrorModel, f: number): number {
  return Math.max(residualVariance(f, err), 1e-12);
}

/** ∂V/∂f for the interaction term. */
function varianceSlope(err: ResidualErrorModel, f: number): number {
  return err.type === 'additive' ? 0 : 2 * err.cv * err.cv * f;
}

/** Scratch space for one subject's inner problem. */
export class InnerWorkspace {
  f: Float64Array;
  fPlus: Float64Array;
  v: Float64Array;
  g: Float64Array;
  values: Float64Array;
  eta: Float64Array;
  trial: Float64Array;
  grad: Float64Array;
  hess: Float64Array;
  step: Float64Array;
  a: Float64Array;
  /** Structured secant correction of the scoring Hessian (q×q), for the current solve. */
  corr: Float64Array;
  /** Scoring Hessian plus correction, factorised. */
  full: Float64Array;
  /** The last accepted step, the gradient it started from, and scratch for the update. */
  sPrev: Float64Array;
  gPrev: Float64Array;
  yDiff: Float64Array;
  rDiff: Float64Array;
  /** Whether g holds a Jacobian from an earlier solve. */
  hasJacobian = false;
  constructor(nObs: number, q: number, nParams: number) {
    this.f = new Float64Array(nObs);
    this.fPlus = new Float64Array(nObs);
    this.v = new Float64Array(nObs);
    this.g = new Float64Array(nObs * q);
    this.values = new Float64Array(nParams);
    this.eta = new Float64Array(q);
    this.trial = new Float64Array(q);
    this.grad = new Float64Array(q);
    this.hess = new Float64Array(q * q);
    this.step = new Float64Array(q);
    this.a = new Float64Array(q * q);
    this.corr = new Float64Array(q * q);
    this.full = new Float64Array(q * q);
    this.sPrev = new Float64Array(q);
    this.gPrev = new Float64Array(q);
    this.yDiff = new Float64Array(q);
    this.rDiff = new Float64Array(q);
  }
}

export interface PopulationContext {
  pop: PopulationValues;
  omega: Float64Array;
  /** Cholesky factor of Ω. */
  omegaChol: Float64Array;
  /** Ω⁻¹ */
  omegaInv: Float64Array;
  ok: boolean;
}

export function populationContext(problem: FoceProblem, x: ArrayLike<number>): PopulationContext {
  const pop = problem.decode(x);
  const q = problem.q;
  const omega = problem.omegaMatrix(pop);
  const omegaChol = Float64Array.from(omega);
  const ok = q === 0 || cholesky(omegaChol, q);
  const omegaInv = new Float64Array(q * q);
  if (ok) choleskyInverse(omegaChol, q, omegaInv);
  return { pop, omega, omegaChol, omegaInv, ok };
}

/** Data part Σ (r²/V + log V) at the predictions in w.f (fills w.v). */
function dataObjective(s: ProblemSubject, ctx: PopulationContext, w: InnerWorkspace): number {
  let sum = 0;
  for (let j = 0; j < s.y.length; j++) {
    const err = ctx.pop.sigma[s.endpoint[j]] as ResidualErrorModel;
    const v = observationVariance(err, w.f[j]);
    w.v[j] = v;
    const r = s.y[j] - w.f[j];
    sum += (r * r) / v + Math.log(v);
  }
  return sum;
}

function etaPenalty(ctx: PopulationContext, eta: ArrayLike<number>, q: number): number {
  let s = 0;
  for (let i = 0; i < q; i++) {
    let row = 0;
    for (let k = 0; k < q; k++) row += ctx.omegaInv[i * q + k] * eta[k];
    s += eta[i] * row;
  }
  return s;
}

/** OBJ_i at η (fills w.f, w.v); Infinity when predictions fail. */
function subjectObjective(
  problem: FoceProblem,
  s: ProblemSubject,
  ctx: PopulationContext,
  typical: Float64Array,
  eta: ArrayLike<number>,
  w: InnerWorkspace,
): number {
  problem.individualValues(typical, eta, w.values);
  if (!problem.predict(s, w.values, w.f)) return Infinity;
  const d = dataObjective(s, ctx, w);
  return Number.isFinite(d) ? d + etaPenalty(ctx, eta, problem.q) : Infinity;
}

/** G = ∂f/∂η by forward differences at η (w.f must hold f(η)). */
function jacobian(
  problem: FoceProblem,
  s: ProblemSubject,
  typical: Float64Array,
  eta: Float64Array,
  w: InnerWorkspace,
): boolean {
  const q = problem.q;
  const n = s.y.length;
  for (let k = 0; k < q; k++) {
    const saved = eta[k];
    eta[k] = saved + FD_ETA;
    problem.individualValues(typical, eta, w.values);
    const ok = problem.predict(s, w.values, w.fPlus);
    eta[k] = saved;
    if (!ok) return false;
    for (let j = 0; j < n; j++) w.g[j * q + k] = (w.fPlus[j] - w.f[j]) / FD_ETA;
  }
  return true;
}

export interface InnerOptions {
  /** Convergence: largest |Δη| (default 1e-7). */
  readonly tol?: number;
  readonly maxIter?: number;
  /**
   * Use the G already in the workspace for the first scoring step instead of recomputing it
   * (valid when η starts where that G was computed, for nearby population parameters).
   */
  readonly reuseJacobian?: boolean;
  /** See FitOptions.innerSolver (default 'secant'). */
  readonly solver?: 'secant' | 'scoring';
}

/**
 * Conditional mode η̂ of one subject (starting from, and written back to, `eta`) and its
 * FOCE-I contribution. On return w.f, w.v and w.g hold f, V and G at η̂.
 */
export function solveSubject(
  problem: FoceProblem,
  s: ProblemSubject,
  ctx: PopulationContext,
  typical: Float64Array,
  eta: Float64Array,
  w: InnerWorkspace,
  opts: InnerOptions = {},
): InnerResult {
  const q = problem.q;
  const n = s.y.length;
  const tol = opts.tol ?? 1e-7;
  const maxIter = opts.maxIter ?? 60;
  let obj = subjectObjective(problem, s, ctx, typical, eta, w);
  if (!Number.isFinite(obj) && q > 0) {
    eta.fill(0);
    obj = subjectObjective(problem, s, ctx, typical, eta, w);
  }
  if (!Number.isFinite(obj)) return { obj: Infinity, ofv: Infinity, ok: false };
  if (q === 0) return { obj, ofv: obj, ok: true };
  const { grad, hess, step, trial, corr } = w;
  innerStats.solves++;
  /** Whether w.corr holds a correction learnt in this solve (else it is stale). */
  let hasCorrection = false;
  /** Whether sPrev/gPrev hold a step from a gradient on a fresh Jacobian. */
  let havePair = false;
  /** Whether the first step, taken with an earlier solve's G, failed and G is fresh now. */
  let refreshed = false;
  const secant = (opts.solver ?? 'secant') === 'secant';
  for (let iter = 0; iter < maxIter; iter++) {
    innerStats.iterations++;
    const reuse = iter === 0 && !refreshed && (opts.reuseJacobian ?? true) && w.hasJacobian;
    if (!reuse && !jacobian(problem, s, typical, eta, w))
      return { obj: Infinity, ofv: Infinity, ok: false };
    // Gradient and Fisher-scoring Hessian of OBJ.
    for (let i = 0; i < q; i++) {
      let gi = 0;
      for (let k = 0; k < q; k++) gi += ctx.omegaInv[i * q + k] * eta[k];
      grad[i] = 2 * gi;
      for (let k = 0; k < q; k++) hess[i * q + k] = 2 * ctx.omegaInv[i * q + k];
    }
    for (let j = 0; j < n; j++) {
      const err = ctx.pop.sigma[s.endpoint[j]] as ResidualErrorModel;
      const v = w.v[j];
      const r = s.y[j] - w.f[j];
      const dvdf = varianceSlope(err, w.f[j]);
      const cRes = (-2 * r) / v;
      const cVar = (1 / v - (r * r) / (v * v)) * dvdf;
      const hVar = (dvdf * dvdf) / (v * v);
      for (let i = 0; i < q; i++) {
        const gi = w.g[j * q + i];
        if (gi === 0) continue;
        grad[i] += (cRes + cVar) * gi;
        for (let k = 0; k < q; k++) {
          const gk = w.g[j * q + k];
          hess[i * q + k] += (2 / v) * gi * gk + hVar * gi * gk;
        }
      }
    }
    // The scoring Hessian C misses the residuals' second-derivative term, which for a subject
    // the model misfits makes the steps overshoot and zigzag; near the mode a secant correction
    // A learns it (C + A)·s = y from the steps taken. Where the corrected step does not descend,
    // the plain scoring step is taken instead and A is forgotten.
    if (havePair) {
      if (!hasCorrection) corr.fill(0);
      if (secantUpdate(w, q)) hasCorrection = true;
    }
    const full = w.full;
    let corrected = false;
    if (hasCorrection) {
      for (let i = 0; i < q * q; i++) full[i] = hess[i] + corr[i];
      corrected = cholesky(full, q);
    }
    if (hasCorrection && !corrected) hasCorrection = false;
    if (!cholesky(hess, q)) return { obj: Infinity, ofv: Infinity, ok: false };
    let { maxStep, decrement } = newtonStep(corrected ? full : hess, grad, step, q);
    if (corrected && (maxStep < tol || decrement < NOISE_DECREMENT)) {
      corrected = hasCorrection = false;
      ({ maxStep, decrement } = newtonStep(hess, grad, step, q));
    }
    if (maxStep < tol) {
      if (reuse && !jacobian(problem, s, typical, eta, w))
        return { obj: Infinity, ofv: Infinity, ok: false };
      break;
    }
    // Keep steps sane (η of a few units is already extreme).
    let alpha = maxStep > 2 ? 2 / maxStep : 1;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < q; i++) trial[i] = eta[i] + alpha * step[i];
      const o = subjectObjective(problem, s, ctx, typical, trial, w);
      innerStats.evaluations++;
      if (o <= obj + 1e-12 * Math.abs(obj)) {
        obj = o;
        for (let i = 0; i < q; i++) {
          w.sPrev[i] = trial[i] - eta[i];
          w.gPrev[i] = grad[i];
        }
        const taken = maxStep * alpha;
        havePair = secant && !reuse && taken > SECANT_MIN_STEP && taken < SECANT_MAX_STEP;
        eta.set(trial);
        accepted = true;
        break;
      }
      if (reuse && secant) {
        // The borrowed G (another solve's) does not point downhill here: take a fresh one.
        refreshed = true;
        break;
      }
      if (corrected) {
        corrected = hasCorrection = false;
        ({ maxStep, decrement } = newtonStep(hess, grad, step, q));
        alpha = maxStep > 2 ? 2 / maxStep : 1;
        continue;
      }
      // At the noise floor of the finite-difference gradient (a predicted decrease far below
      // anything the objective value can show), an uphill full step means η̂ is found.
      if (secant && decrement < NOISE_DECREMENT) break;
      alpha /= 2;
    }
    if (refreshed && reuse) {
      obj = subjectObjective(problem, s, ctx, typical, eta, w);
      iter--;
      continue;
    }
    if (!accepted) {
      // No descent along the scoring direction: η is as good as it gets; restore f at η.
      // (G at η is still in w.g unless this iteration reused an earlier solve's.)
      obj = subjectObjective(problem, s, ctx, typical, eta, w);
      if (reuse || !secant) jacobian(problem, s, typical, eta, w);
      break;
    }
    if (iter === maxIter - 1) jacobian(problem, s, typical, eta, w);
  }
  // log det(I + Ω·GᵀWG) via log det(Ω⁻¹ + GᵀWG) + log det Ω.
  const a = w.a;
  for (let i = 0; i < q; i++) for (let k = 0; k < q; k++) a[i * q + k] = ctx.omegaInv[i * q + k];
  for (let j = 0; j < n; j++) {
    const invV = 1 / w.v[j];
    for (let i = 0; i < q; i++) {
      const gi = w.g[j * q + i];
      if (gi === 0) continue;
      for (let k = 0; k < q; k++) a[i * q + k] += gi * w.g[j * q + k] * invV;
    }
  }
  w.hasJacobian = true;
  if (!cholesky(a, q)) return { obj, ofv: Infinity, ok: false };
  const logDet = choleskyLogDet(a, q) + choleskyLogDet(ctx.omegaChol, q);
  return { obj, ofv: obj + logDet, ok: true };
}

/** Counts of the inner problems' work since the module loaded (for benchmarks). */
export const innerStats = { solves: 0, iterations: 0, evaluations: 0 };

/**
 * Newton decrement −gᵀH⁻¹g (twice the predicted decrease of OBJ_i) below which a step that does
 * not decrease the objective ends the inner problem: the gradient from the forward-difference G
 * is accurate to about this level, so a smaller predicted change is noise.
 */
const NOISE_DECREMENT = 1e-9;
/**
 * Steps (largest |Δη|) that teach the secant correction: shorter ones teach only the noise of the
 * finite differences, longer ones are not yet near the mode, where the correction is meant to act.
 */
const SECANT_MIN_STEP = 1e-6;
const SECANT_MAX_STEP = 0.3;

/** Step = −H⁻¹g from H's Cholesky factor; its largest |component| and −gᵀ·step. */
function newtonStep(
  l: Float64Array,
  grad: Float64Array,
  step: Float64Array,
  q: number,
): { maxStep: number; decrement: number } {
  for (let i = 0; i < q; i++) step[i] = -grad[i];
  choleskySolve(l, q, step);
  let maxStep = 0;
  let decrement = 0;
  for (let i = 0; i < q; i++) {
    maxStep = Math.max(maxStep, Math.abs(step[i]));
    decrement -= grad[i] * step[i];
  }
  return { maxStep, decrement };
}

/**
 * Structured secant (Dennis–Gay–Welsch) update of the correction A that the scoring Hessian C
 * misses: afterwards (C + A)·s = y for the last step s and the change y of the gradient along it
 * (Dennis, Gay & Welsch 1981, ACM TOMS 7:348–368, the NL2SOL update). w.hess must hold C at the
 * new point (before its factorisation). False when the pair carries no curvature (yᵀs ≤ 0).
 */
function secantUpdate(w: InnerWorkspace, q: number): boolean {
  const { sPrev: s, gPrev, grad, hess: c, corr: a, yDiff: y, rDiff: r } = w;
  let ys = 0;
  let ss = 0;
  for (let i = 0; i < q; i++) {
    y[i] = grad[i] - gPrev[i];
    ys += y[i] * s[i];
    ss += s[i] * s[i];
  }
  let yy = 0;
  for (let i = 0; i < q; i++) yy += y[i] * y[i];
  if (!(ys > 1e-8 * Math.sqrt(ss * yy))) return false;
  // r = y − (C + A)·s
  let rs = 0;
  for (let i = 0; i < q; i++) {
    let v = y[i];
    for (let k = 0; k < q; k++) v -= (c[i * q + k] + a[i * q + k]) * s[k];
    r[i] = v;
    rs += v * s[i];
  }
  for (let i = 0; i < q; i++)
    for (let k = 0; k < q; k++)
      a[i * q + k] += (r[i] * y[k] + y[i] * r[k]) / ys - (rs * y[i] * y[k]) / (ys * ys);
  return true;
}

/**
 * Total FOCE-I objective at x. Conditional modes start from `etaStart` and are written to
 * `etaOut` (may be the same arrays). `perSubject` receives each subject's contribution.
 */
export function objective(
  problem: FoceProblem,
  x: ArrayLike<number>,
  etaStart: readonly Float64Array[],
  etaOut: Float64Array[],
  perSubject?: Float64Array,
  inner: InnerOptions = {},
): number {
  const ctx = populationContext(problem, x);
  if (!ctx.ok) return Infinity;
  let total = 0;
  for (let i = 0; i < problem.subjects.length; i++) {
    const s = problem.subjects[i];
    const w = workspaceFor(problem, s);
    const typical = problem.typicalValues(ctx.pop, s);
    for (const v of typical) if (!Number.isFinite(v)) return Infinity;
    const eta = etaOut[i];
    if (eta !== etaStart[i]) eta.set(etaStart[i]);
    const r = solveSubject(problem, s, ctx, typical, eta, w, inner);
    if (perSubject) perSubject[i] = r.ofv;
    if (!r.ok) return Infinity;
    total += r.ofv;
  }
  return total;
}

const workspaces = new WeakMap<ProblemSubject, InnerWorkspace>();
export function workspaceFor(problem: FoceProblem, s: ProblemSubject): InnerWorkspace {
  let w = workspaces.get(s);
  if (!w) {
    w = new InnerWorkspace(s.y.length, problem.q, problem.spec.parameters.length);
    workspaces.set(s, w);
  }
  return w;
}
