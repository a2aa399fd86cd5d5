import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importNonmem } from '../data/importNonmem';
import type { Dataset } from '../data/types';
import { fitPopulation } from './fit';
import type { FitModelSpec } from './types';

/**
 * Reproduces a published FOCE-I fit: nlmixr2's theophylline example (theo_sd, 12 subjects,
 * 132 concentrations incl. time 0, dose in mg; 1-compartment first-order absorption with
 * log-normal ka, CL, V and additive error). Source: nlmixr2/nlmixr2
 * articles/running_nlmixr.md and the saveFit() reference example — OBJF 116.8036, tka 0.4655,
 * tcl 1.012, tv 3.460, add.sd 0.6947, BSV 70.5/26.8/13.9 %CV (ω² ≈ 0.4037, 0.0691, 0.0191).
 * Details and other published fits: fixtures/README.md.
 */
function theophylline(): Dataset {
  const text = readFileSync(path.join(__dirname, 'fixtures', 'theophylline.csv'), 'utf8');
  const res = importNonmem(text, { name: 'theophylline.csv' });
  if (!res.ok) throw new Error(JSON.stringify(res.problems.slice(0, 3)));
  return res.dataset;
}

const spec: FitModelSpec = {
  name: 'pk1-oral',
  pk: 'oral1',
  endpoints: 'pk',
  parameters: [
    { name: 'ka', initial: Math.exp(0.45), omega: 0.6 },
    { name: 'CL', initial: Math.exp(1), omega: 0.3 },
    { name: 'V', initial: Math.exp(3.45), omega: 0.1 },
  ],
  covariates: [],
  residual: { concentration: { type: 'additive', sd: 0.7 } },
};

describe('FOCE-I reproduces the published theophylline fit (nlmixr2 FOCEi)', () => {
  it('matches OFV, fixed effects, ω and σ', async () => {
    const ds = theophylline();
    expect(ds.subjects).toHaveLength(12);
    const result = await fitPopulation(ds, spec);
    expect(result.nObservations).toBe(132);
    expect(result.converged).toBe(true);
    expect(result.ofv).toBeGreaterThan(116.8036 - 0.1);
    expect(result.ofv).toBeLessThan(116.8036 + 0.1);
    const est = (name: string) => result.estimates.find((r) => r.name === name)!.estimate;
    expect(Math.log(est('ka'))).toBeCloseTo(0.4655, 1);
    expect(Math.abs(Math.log(est('ka')) - 0.4655)).toBeLessThan(0.03);
    expect(Math.abs(Math.log(est('CL')) - 1.012)).toBeLessThan(0.01);
    expect(Math.abs(Math.log(est('V')) - 3.46)).toBeLessThan(0.01);
    expect(est('σ add concentration')).toBeCloseTo(0.6947, 2);
    expect(est('ω ka') ** 2).toBeCloseTo(0.4037, 1);
    expect(Math.abs(est('ω CL') ** 2 - 0.0691)).toBeLessThan(0.008);
    expect(Math.abs(est('ω V') ** 2 - 0.0191)).toBeLessThan(0.004);
    // Published standard errors of the log-scale fixed effects: 0.1954, 0.07555, 0.04289.
    const rse = (name: string) => result.estimates.find((r) => r.name === name)!.rse! / 100;
    expect(rse('ka')).toBeGreaterThan(0.1954 * 0.7);
    expect(rse('ka')).toBeLessThan(0.1954 * 1.3);
    expect(rse('CL')).toBeGreaterThan(0.07555 * 0.7);
    expect(rse('CL')).toBeLessThan(0.07555 * 1.3);
    expect(rse('V')).toBeGreaterThan(0.04289 * 0.7);
    expect(rse('V')).toBeLessThan(0.04289 * 1.3);
    // AIC as published (373.4033): −2LL + 2·7.
    expect(result.aic).toBeCloseTo(373.4033, 0);
  }, 120_000);
});
