import { etdWeights } from '../nlme/fastPredict';
import { directEffect, isDirectPd, linearResponse, type LinearResponse } from '../pkpd/pd';
import type { ThresholdDirection } from '../pkpd/metrics';
import type { PdParameters } from '../pkpd/types';
import type { Mg, NgPerMl } from '../units';
import type { SteadyStateProfile } from './steadyStateProfile';

/**
 * The biomarker at periodic steady state under a dose D repeated forever, from a subject's
 * per-mg concentration profile (steadyStateProfile).
 *
 * Direct models read the biomarker off the concentration. The ODE models (effect compartment,
 * indirect response I–IV) have a state that is linear given the concentration,
 * y′ = p(C) − q(C)·y, so one interval maps the state affinely, y(τ) = Φ·y(0) + ψ, and the
 * periodic steady state is y(0) = ψ / (1 − Φ), exactly, without dosing for many half-lives.
 *
 * Each step of the scoring grid (length h) is an exponential integrator with the rate frozen at
 * the step's midpoint, λ = q(C_mid), and the remainder −(q − λ)·y treated implicitly at the
 * end: with weights [e, w0, wm, w1] for forcing quadratic through the step's start, middle and
 * end (etdWeights),
 *
 *   y₁ = (e·y₀ + w0·(p₀ − (q₀ − λ)·y₀) + wm·p_m + w1·p₁) / (1 + w1·(q₁ − λ)),
 *
 * which is affine in y₀ and, for constant q (indirect response I and III, effect compartment),
 * exact for quadratic p.
 */
export class PeriodicResponse {
  private direct = false;
  private response: LinearResponse | null = null;
  private pd!: PdParameters;
  private profile!: SteadyStateProfile;
  private constantLoss = false;
  private steps = 0;
  private h = 0;
  private a = new Float64Array(0);
  private b = new Float64Array(0);
  private readonly weights = new Float64Array(4);
  private readonly pq = new Float64Array(2);
  /**
   * Constant-loss models in closed form (the hot path of a dose search): p(C) = kin·(1 +
   * sign·drug·H(C)) for indirect response I/III, p(C) = ke0·C for the effect compartment.
   */
  private kind: 'production' | 'effect' | 'other' = 'other';
  private kin = 0;
  private drug = 0;
  private c50 = 1;
  private hill = 1;
  private baseline = 0;
  private emax = 0;

  constructor(pd: PdParameters, profile: SteadyStateProfile) {
    this.reset(pd, profile);
  }

  /** Reuses this evaluator (and its work arrays) for another subject. */
  reset(pd: PdParameters, profile: SteadyStateProfile): this {
    this.pd = pd;
    this.profile = profile;
    this.direct = isDirectPd(pd);
    this.response = isDirectPd(pd) ? null : linearResponse(pd);
    this.constantLoss =
      pd.type === 'effect-compartment' ||
      pd.type === 'indirect-inhibit-production' ||
      pd.type === 'indirect-stimulate-production';
    this.steps = profile.steps;
    this.h = profile.interval / profile.steps;
    if (this.a.length < this.steps) {
      this.a = new Float64Array(this.steps);
      this.b = new Float64Array(this.steps);
    }
    if (this.response && this.constantLoss) {
      this.response.coefficients(0, this.pq);
      etdWeights(this.pq[1], this.h, this.weights, 0);
    }
    this.kind = 'other';
    this.hill = pd.hill ?? 1;
    this.baseline = pd.baseline;
    if (pd.type === 'indirect-inhibit-production' || pd.type === 'indirect-stimulate-production') {
      this.kind = 'production';
      this.kin = pd.kout * pd.baseline;
      const inhibit = pd.type === 'indirect-inhibit-production';
      this.drug = inhibit ? -(pd.Imax ?? 1) : (pd.Emax as number);
      this.c50 = (inhibit ? pd.IC50 : pd.EC50) as number;
    } else if (pd.type === 'effect-compartment') {
      this.kind = 'effect';
      this.kin = pd.ke0;
      this.emax = pd.Emax;
      this.c50 = pd.EC50;
    }
    return this;
  }

  /**
   * The biomarker at the scoring grid's n + 1 points (dose to the next dose) for dose `dose`,
   * written to `out` when given; returns the extreme the direction cares about: the maximum
   * for 'below', the minimum for 'above'.
   */
  worst(dose: Mg, direction: ThresholdDirection, out?: Float64Array): NgPerMl {
    const u = this.profile.perMg;
    const n = this.steps;
    const below = direction === 'below';
    let hi = -Infinity;
    let lo = Infinity;
    if (this.direct) {
      const pd = this.pd as Parameters<typeof directEffect>[0];
      for (let j = 0; j <= n; j++) {
        const v = directEffect(pd, dose * u[2 * j]);
        if (out) out[j] = v;
        if (v > hi) hi = v;
        if (v < lo) lo = v;
      }
      return below ? hi : lo;
    }
    if (this.kind !== 'other' && !out) return this.worstConstantLoss(dose, below);
    const r = this.response as LinearResponse;
    const { a, b, pq, weights: w } = this;
    r.coefficients(dose * u[0], pq);
    let p0 = pq[0];
    let q0 = pq[1];
    let phi = 1;
    let psi = 0;
    for (let j = 0; j < n; j++) {
      r.coefficients(dose * u[2 * j + 1], pq);
      const pm = pq[0];
      const lambda = pq[1];
      r.coefficients(dose * u[2 * j + 2], pq);
      const p1 = pq[0];
      const q1 = pq[1];
      if (!this.constantLoss) etdWeights(lambda, this.h, w, 0);
      const denom = 1 + w[3] * (q1 - lambda);
      const aj = (w[0] - w[1] * (q0 - lambda)) / denom;
      const bj = (w[1] * p0 + w[2] * pm + w[3] * p1) / denom;
      a[j] = aj;
      b[j] = bj;
      phi *= aj;
      psi = aj * psi + bj;
      p0 = p1;
      q0 = q1;
    }
    let y = psi / (1 - phi);
    let v = r.readout(y);
    if (out) out[0] = v;
    hi = v;
    lo = v;
    for (let j = 0; j < n; j++) {
      y = a[j] * y + b[j];
      v = r.readout(y);
      if (out) out[j + 1] = v;
      if (v > hi) hi = v;
      if (v < lo) lo = v;
    }
    return below ? hi : lo;
  }

  /** worst() for the constant-loss models, with the drug term written out (same arithmetic). */
  private worstConstantLoss(dose: Mg, below: boolean): NgPerMl {
    const u = this.profile.perMg;
    const n = this.steps;
    const b = this.b;
    const w = this.weights;
    const e = w[0];
    const w0 = w[1];
    const wm = w[2];
    const w1 = w[3];
    let p0 = this.production(dose * u[0]);
    let psi = 0;
    let phi = 1;
    for (let j = 0; j < n; j++) {
      const pm = this.production(dose * u[2 * j + 1]);
      const p1 = this.production(dose * u[2 * j + 2]);
      const bj = w0 * p0 + wm * pm + w1 * p1;
      b[j] = bj;
      psi = e * psi + bj;
      phi *= e;
      p0 = p1;
    }
    let y = psi / (1 - phi);
    let hi = y;
    let lo = y;
    for (let j = 0; j < n; j++) {
      y = e * y + b[j];
      if (y > hi) hi = y;
      if (y < lo) lo = y;
    }
    if (this.kind === 'production') return below ? hi : lo;
    // Effect compartment: the biomarker is monotone in Ce, so its extremes sit at Ce's.
    const rHi = this.baseline + this.emax * this.hillOf(hi);
    const rLo = this.baseline + this.emax * this.hillOf(lo);
    return below ? Math.max(rHi, rLo) : Math.min(rHi, rLo);
  }

  private hillOf(c: number): number {
    if (!(c > 0)) return 0;
    return this.hill === 1 ? c / (this.c50 + c) : 1 / (1 + (this.c50 / c) ** this.hill);
  }

  /** p(C) of the constant-loss models. */
  private production(c: number): number {
    return this.kind === 'production' ? this.kin * (1 + this.drug * this.hillOf(c)) : this.kin * c;
  }
}
