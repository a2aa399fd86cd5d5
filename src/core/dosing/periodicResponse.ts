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
  private readonly direct: boolean;
  private readonly response: LinearResponse | null;
  private readonly pd: PdParameters;
  private readonly constantLoss: boolean;
  private readonly steps: number;
  private readonly h: number;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly weights = new Float64Array(4);
  private readonly pq = new Float64Array(2);

  constructor(
    pd: PdParameters,
    private readonly profile: SteadyStateProfile,
  ) {
    this.pd = pd;
    this.direct = isDirectPd(pd);
    this.response = isDirectPd(pd) ? null : linearResponse(pd);
    this.constantLoss =
      pd.type === 'effect-compartment' ||
      pd.type === 'indirect-inhibit-production' ||
      pd.type === 'indirect-stimulate-production';
    this.steps = profile.steps;
    this.h = profile.interval / profile.steps;
    this.a = new Float64Array(this.steps);
    this.b = new Float64Array(this.steps);
    if (this.response && this.constantLoss) {
      this.response.coefficients(0, this.pq);
      etdWeights(this.pq[1], this.h, this.weights, 0);
    }
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
    let worst = below ? -Infinity : Infinity;
    const keep = (v: number) => {
      if (below ? v > worst : v < worst) worst = v;
    };
    if (this.direct) {
      const pd = this.pd as Parameters<typeof directEffect>[0];
      for (let j = 0; j <= n; j++) {
        const v = directEffect(pd, dose * u[2 * j]);
        if (out) out[j] = v;
        keep(v);
      }
      return worst;
    }
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
    keep(v);
    for (let j = 0; j < n; j++) {
      y = a[j] * y + b[j];
      v = r.readout(y);
      if (out) out[j + 1] = v;
      keep(v);
    }
    return worst;
  }
}
