import { describe, expect, it } from 'vitest';
import type { FitModelSpec } from '../core/nlme/types';
import {
  canCorrelate,
  covariateKey,
  setCorrelation,
  setCovariate,
  setFixed,
  setInitial,
  setRandomEffect,
  setResidual,
  specProblems,
} from './fitSpecEdits';

const SPEC: FitModelSpec = {
  name: 'pk1-oral-idr1',
  pk: 'oral1',
  pd: 'indirect-inhibit-production',
  endpoints: 'pkpd',
  parameters: [
    { name: 'ka', initial: 1, omega: 0.3 },
    { name: 'CL', initial: 0.05, omega: 0.3 },
    { name: 'V', initial: 10, omega: 0.3 },
    { name: 'Imax', initial: 0.5, transform: 'logit' },
  ],
  covariates: [
    { kind: 'power', parameter: 'CL', covariate: 'BW', reference: 70, initial: 0.75 },
    { kind: 'power', parameter: 'V', covariate: 'BW', reference: 70, initial: 1 },
    { kind: 'categorical', parameter: 'baseline', covariate: 'COMED', level: 1, initial: -0.1 },
  ],
  residual: {
    concentration: { type: 'proportional', cv: 0.2 },
    biomarker: { type: 'combined', sd: 0.5, cv: 0.1 },
  },
};

describe('spec edits', () => {
  it('fix a parameter and change its value without touching the original spec', () => {
    const next = setInitial(setFixed(SPEC, 'ka', true), 'ka', 2);
    expect(next.parameters[0]).toEqual({ name: 'ka', initial: 2, omega: 0.3, fixed: true });
    expect(SPEC.parameters[0]).toEqual({ name: 'ka', initial: 1, omega: 0.3 });
  });

  it('toggle a random effect; removing one from CL or V drops the CL–V correlation', () => {
    const correlated = setCorrelation(SPEC, true);
    expect(correlated.correlation).toEqual(['CL', 'V']);
    const noBsv = setRandomEffect(correlated, 'V', null);
    expect(noBsv.parameters[2]).toEqual({ name: 'V', initial: 10 });
    expect(noBsv.correlation).toBeUndefined();
    expect(canCorrelate(noBsv)).toBe(false);
    expect(setCorrelation(noBsv, true).correlation).toBeUndefined();
    expect(setRandomEffect(noBsv, 'Imax', 0.2).parameters[3].omega).toBe(0.2);
  });

  it('switch covariate effects off and on again, keeping the offered order', () => {
    const choices = SPEC.covariates;
    const off = setCovariate(SPEC, choices, 'BW on CL', false);
    expect(off.covariates.map(covariateKey)).toEqual(['BW on V', 'COMED on baseline']);
    const on = setCovariate(off, choices, 'BW on CL', true);
    expect(on.covariates).toEqual(SPEC.covariates);
  });

  it('change the residual model, keeping known SD/CV and starting new ones sensibly', () => {
    const additive = setResidual(SPEC, 'concentration', 'additive', 5);
    expect(additive.residual.concentration).toEqual({ type: 'additive', sd: 0.5 });
    const combined = setResidual(additive, 'concentration', 'combined', 5);
    expect(combined.residual.concentration).toEqual({ type: 'combined', sd: 0.5, cv: 0.2 });
    expect(setResidual(SPEC, 'biomarker', 'proportional', 10).residual.biomarker).toEqual({
      type: 'proportional',
      cv: 0.1,
    });
  });

  it('name what stops a spec from being fitted', () => {
    expect(specProblems(SPEC)).toEqual([]);
    let bad = setInitial(SPEC, 'CL', -1);
    bad = setInitial(bad, 'Imax', 1.5);
    bad = setRandomEffect(bad, 'ka', 0);
    expect(specProblems(bad)).toEqual([
      'ka: ω must be greater than 0, got 0.',
      'CL: the initial value must be greater than 0, got -1.',
      'Imax: the initial value must lie between 0 and 1, got 1.5.',
    ]);
    const allFixed = SPEC.parameters.reduce((s, p) => setFixed(s, p.name, true), SPEC);
    expect(specProblems(allFixed)).toContain('Every parameter is fixed: nothing to estimate.');
  });
});
