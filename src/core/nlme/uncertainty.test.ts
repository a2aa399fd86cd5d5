import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importNonmem } from '../data/importNonmem';
import { FoceProblem } from './foce';
import { cholesky, choleskyInverse } from './linalg';
import { assembleResult, covarianceStatusOf, notEstimableOf } from './results';
import type { FitModelSpec } from './types';
import { partialCovariance, symmetricEigen } from './uncertainty';

/** 2·H⁻¹ as the covariance step computes it when H is positive definite. */
function fullCov(h: Float64Array, n: number): Float64Array {
  const l = Float64Array.from(h);
  if (!cholesky(l, n)) throw new Error('not PD');
  const cov = new Float64Array(n * n);
  choleskyInverse(l, n, cov);
  for (let i = 0; i < n * n; i++) cov[i] *= 2;
  return cov;
}

function sub(a: Float64Array, n: number, idx: number[]): Float64Array {
  const m = idx.length;
  const out = new Float64Array(m * m);
  idx.forEach((r, i) => idx.forEach((c, j) => (out[i * m + j] = a[r * n + c])));
  return out;
}

/** A well-determined 4×4 Hessian (log-scale parameters, curvatures 10–2000). */
function pdHessian(): Float64Array {
  const n = 4;
  const b = [
    [30, 2, -1, 0.5],
    [1, 12, 3, -2],
    [-4, 0.5, 20, 1],
    [2, -1, 0.3, 8],
  ];
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += b[k][i] * b[k][j];
      h[i * n + j] = s;
    }
  return h;
}

/** pdHessian with parameter `k`'s row and column replaced by finite-difference noise. */
function withFlat(h0: Float64Array, n: number, k: number, diag: number, cross: number) {
  const h = Float64Array.from(h0);
  for (let j = 0; j < n; j++) {
    h[k * n + j] = j === k ? diag : cross * (j % 2 === 0 ? 1 : -1);
    h[j * n + k] = h[k * n + j];
  }
  return h;
}

describe('symmetricEigen', () => {
  it('reconstructs the matrix from ascending eigenvalues and orthonormal eigenvectors', () => {
    const n = 4;
    const a = pdHessian();
    a[0] -= 2000; // make it indefinite
    const { values, vectors } = symmetricEigen(a, n);
    expect([...values].sort((x, y) => x - y)).toEqual(values);
    expect(values[0]).toBeLessThan(0);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        let o = 0;
        for (let k = 0; k < n; k++) {
          s += vectors[i * n + k] * values[k] * vectors[j * n + k];
          o += vectors[k * n + i] * vectors[k * n + j];
        }
        expect(s).toBeCloseTo(a[i * n + j], 8);
        expect(o).toBeCloseTo(i === j ? 1 : 0, 12);
      }
  });
});

describe('partialCovariance', () => {
  const n = 4;
  it('a positive definite Hessian: nothing left out, exactly 2·H⁻¹', () => {
    const h = pdHessian();
    const p = partialCovariance(h, n);
    expect(p?.notEstimable).toEqual([]);
    expect(Array.from(p!.cov)).toEqual(Array.from(fullCov(h, n)));
  });

  it('names a parameter the objective is flat along; the others get 2·(H_AA)⁻¹', () => {
    // Curvature at finite-difference noise level and noise cross terms: not positive definite.
    const h = withFlat(pdHessian(), n, 2, 1e-3, 0.3);
    expect(cholesky(Float64Array.from(h), n)).toBe(false);
    const p = partialCovariance(h, n)!;
    expect(p.notEstimable).toEqual([2]);
    const keep = [0, 1, 3];
    const reduced = fullCov(sub(h, n, keep), 3);
    keep.forEach((a, i) =>
      keep.forEach((b, j) => expect(p.cov[a * n + b]).toBe(reduced[i * 3 + j])),
    );
    for (let j = 0; j < n; j++) {
      expect(p.cov[2 * n + j]).toBe(0);
      expect(p.cov[j * n + 2]).toBe(0);
    }
  });

  it('two flat directions (a parameter and its ω): both named, the rest unaffected', () => {
    let h = withFlat(pdHessian(), n, 0, 2e-3, 0.04);
    h = withFlat(h, n, 3, -1e-3, 0.03);
    h[0 * n + 3] = h[3 * n + 0] = 0.01;
    const p = partialCovariance(h, n)!;
    expect(p.notEstimable).toEqual([0, 3]);
    const reduced = fullCov(sub(h, n, [1, 2]), 2);
    expect(p.cov[1 * n + 1]).toBe(reduced[0]);
    expect(p.cov[1 * n + 2]).toBe(reduced[1]);
    expect(p.cov[2 * n + 2]).toBe(reduced[3]);
  });

  it('a direction that is flat only in combination: the parameter loading most on it goes', () => {
    // Parameters 1 and 2 trade off perfectly (the objective depends on x1 + 2·x2 only): the
    // flat direction is (2, −1)/√5, so parameter 1 goes and 2 is estimable given it.
    const h = pdHessian();
    for (let i = 0; i < n; i++) {
      h[i * n + 2] = 2 * h[i * n + 1];
      h[2 * n + i] = 2 * h[1 * n + i];
    }
    h[2 * n + 2] = 4 * h[1 * n + 1] - 1e-6;
    const p = partialCovariance(h, n)!;
    expect(p.notEstimable).toEqual([1]);
    const reduced = fullCov(sub(h, n, [0, 2, 3]), 3);
    expect(p.cov[2 * n + 2]).toBe(reduced[4]);
  });

  it('parameters with a flat diagonal (cross terms not computed) are taken out first', () => {
    const h = pdHessian();
    for (let j = 0; j < n; j++) h[1 * n + j] = h[j * n + 1] = 0;
    const p = partialCovariance(h, n, [1])!;
    expect(p.notEstimable).toEqual([1]);
    const reduced = fullCov(sub(h, n, [0, 2, 3]), 3);
    expect(p.cov[3 * n + 3]).toBe(reduced[8]);
  });
});

describe('assembleResult with a flat direction (theophylline, pk1-oral)', () => {
  const text = readFileSync(path.join(__dirname, 'fixtures', 'theophylline.csv'), 'utf8');
  const res = importNonmem(text, { name: 'theophylline.csv' });
  if (!res.ok) throw new Error('fixture');
  const spec: FitModelSpec = {
    name: 'pk1-oral',
    pk: 'oral1',
    endpoints: 'pk',
    parameters: [
      { name: 'ka', initial: 1.6, omega: 0.6 },
      { name: 'CL', initial: 2.75, omega: 0.3 },
      { name: 'V', initial: 31.5, omega: 0.1 },
    ],
    covariates: [],
    residual: { concentration: { type: 'additive', sd: 0.7 } },
  };
  const problem = new FoceProblem(res.dataset, spec);
  const x = Float64Array.from(problem.x0);
  const n = x.length; // ka, CL, V, ω ka, ω CL, ω V, σ add
  expect(problem.xNames).toEqual(['ka', 'CL', 'V', 'ω ka', 'ω CL', 'ω V', 'σ add concentration']);
  const base = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    base[i * n + i] = 50 + 10 * i;
    if (i > 0) base[i * n + i - 1] = base[(i - 1) * n + i] = 5;
  }
  const assemble = (h: Float64Array, cov: Float64Array | null, complete = true) =>
    assembleResult({
      problem,
      dataName: 'theophylline.csv',
      x,
      ofv: 100,
      converged: true,
      message: 'ok',
      iterations: 1,
      cov,
      hessian: h,
      hessianComplete: complete,
      covMessage: cov ? 'Standard errors from the R matrix.' : 'not positive definite',
      started: Date.now(),
    });

  it('a positive definite Hessian gives the same SEs as the covariance matrix it was given', () => {
    const cov = fullCov(base, n);
    const r = assemble(base, cov);
    expect(covarianceStatusOf(r)).toBe('ok');
    expect(r.covarianceStep.ok).toBe(true);
    expect(r.covarianceStep.message).toBe('Standard errors from the R matrix.');
    expect(r.notEstimable).toEqual([]);
    const row = (name: string) => r.estimates.find((e) => e.name === name)!;
    expect(row('CL').se).toBe(row('CL').estimate * Math.sqrt(cov[1 * n + 1]));
    expect(row('ω ka').rse).toBe(100 * Math.sqrt(cov[3 * n + 3]));
    expect(r.estimates.some((e) => e.notEstimable)).toBe(false);
    expect(r.parameterDraws?.method).not.toMatch(/conditional/);
  });

  it('ka and ω ka flat: named, no SE, the others from the reduced matrix', () => {
    let h = withFlat(base, n, 0, 1e-3, 2e-3);
    h = withFlat(h, n, 3, -1.3e-3, 1e-3);
    const r = assemble(h, null);
    expect(covarianceStatusOf(r)).toBe('partial');
    expect(r.covarianceStep.ok).toBe(false);
    expect(r.covarianceStep.message).toMatch(/^Partial: 2 parameters not estimable \(ka, ω ka\)/);
    expect(r.covarianceStep.message).toMatch(/conditional on ka, ω ka held at their estimates/);
    expect(r.notEstimable).toEqual(['ka', 'ω ka']);
    expect(notEstimableOf(r)).toEqual(['ka', 'ω ka']);
    const row = (name: string) => r.estimates.find((e) => e.name === name)!;
    for (const name of ['ka', 'ω ka']) {
      expect(row(name).notEstimable).toBe(true);
      expect(row(name).se).toBeUndefined();
      expect(row(name).rse).toBeUndefined();
      expect(r.identifiability.find((i) => i.parameter === name)?.reason).toMatch(
        /^not estimable from these data \(flat objective\)/,
      );
    }
    const keep = [1, 2, 4, 5, 6];
    const reduced = fullCov(sub(h, n, keep), keep.length);
    expect(row('CL').se).toBe(row('CL').estimate * Math.sqrt(reduced[0]));
    expect(row('V').rse).toBeCloseTo(100 * Math.sqrt(reduced[6]), 10);
    expect(row('ω CL').rse).toBe(100 * Math.sqrt(reduced[2 * 5 + 2]));
    expect(row('σ add concentration').rse).toBe(100 * Math.sqrt(reduced[24]));
    expect(r.identifiability.some((i) => i.parameter === 'model')).toBe(false);
    // Draws vary the estimable parameters only.
    const draws = r.parameterDraws!;
    expect(draws.method).toMatch(/conditional on ka, ω ka held at their estimates/);
    expect(new Set(draws.draws.map((d) => d.theta.ka)).size).toBe(1);
    expect(new Set(draws.draws.map((d) => d.omega[0])).size).toBe(1);
    expect(new Set(draws.draws.map((d) => d.theta.CL)).size).toBe(draws.draws.length);
  });

  it('a flat diagonal without cross terms: named, and no SEs for the rest', () => {
    const h = withFlat(base, n, 3, 0, 0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) h[i * n + j] = 0;
    const r = assemble(h, null, false);
    expect(covarianceStatusOf(r)).toBe('failed');
    expect(r.notEstimable).toEqual(['ω ka']);
    expect(r.estimates.every((e) => e.se === undefined)).toBe(true);
    expect(r.parameterDraws).toBeUndefined();
  });
});

describe('a fit with a parameter that has no influence (theophylline)', () => {
  it('names it, and the others’ SEs are those of the fit with it held fixed', async () => {
    const { fitPopulation } = await import('./fit');
    const text = readFileSync(path.join(__dirname, 'fixtures', 'theophylline.csv'), 'utf8');
    const res = importNonmem(text, { name: 'theophylline.csv' });
    if (!res.ok) throw new Error('fixture');
    const spec = (fixed: boolean): FitModelSpec => ({
      name: 'pk1-oral',
      pk: 'oral1',
      endpoints: 'pk',
      // No random effects, so no conditional modes whose re-solution adds noise to the objective:
      // the curvature along the covariate effect below is exactly 0.
      parameters: [
        { name: 'ka', initial: Math.exp(0.45) },
        { name: 'CL', initial: Math.exp(1) },
        { name: 'V', initial: Math.exp(3.45) },
      ],
      // No subject weighs 1000 kg: the effect changes no prediction, the objective is flat.
      covariates: [
        { kind: 'categorical', parameter: 'CL', covariate: 'BW', level: 1000, initial: 0, fixed },
      ],
      residual: { concentration: { type: 'additive', sd: 0.7 } },
    });
    const free = await fitPopulation(res.dataset, spec(false));
    const held = await fitPopulation(res.dataset, spec(true));
    expect(covarianceStatusOf(held)).toBe('ok');
    expect(covarianceStatusOf(free)).toBe('partial');
    expect(free.notEstimable).toEqual(['BW on CL']);
    expect(free.covarianceStep.message).toMatch(/^Partial: 1 parameter not estimable \(BW on CL\)/);
    const row = free.estimates.find((e) => e.name === 'BW on CL')!;
    expect(row.notEstimable).toBe(true);
    expect(row.rse).toBeUndefined();
    for (const e of held.estimates) {
      if (e.fixed) continue;
      const f = free.estimates.find((r) => r.name === e.name)!;
      // The two fits stop at slightly different points (OFV tolerance 0.01), so close, not equal.
      expect(Math.abs(f.estimate / e.estimate - 1)).toBeLessThan(2e-3);
      expect(Math.abs(f.rse! / e.rse! - 1)).toBeLessThan(2e-2);
    }
  }, 60_000);
});
