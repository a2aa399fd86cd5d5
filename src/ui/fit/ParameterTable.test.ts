import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { FitResult } from '../../core/nlme/types';
import { fakeFitResult, TINY_PK_SPEC } from '../../testing/fakeFit';
import { ParameterTable } from './ParameterTable';

const spec = TINY_PK_SPEC;

const html = (result: FitResult) => renderToStaticMarkup(createElement(ParameterTable, { result }));

describe('ParameterTable', () => {
  it('shows "not estimable" with an explanation for parameters the data cannot identify', () => {
    const base = fakeFitResult(spec, { name: 'data.csv' });
    const out = html({
      ...base,
      notEstimable: ['ω CL'],
      covarianceStep: { ok: false, status: 'partial', method: 'R matrix', message: 'Partial' },
    });
    expect(out).toMatch(/data-testid="estimate-ω CL"[^]*?not estimable<sup>\*<\/sup>/);
    expect(out).toMatch(/title="Not estimable from these data \(flat objective\)[^"]*conditional/);
    expect(out).toMatch(/data-testid="not-estimable-note"[^]*ω CL: Not estimable/);
    // CL keeps its RSE.
    expect(out).toMatch(/data-testid="estimate-CL"[^]*?4\.4/);
  });

  it('an older fit with flagged rows but no list, and a fit without any', () => {
    const base = fakeFitResult(spec, { name: 'data.csv' });
    const flagged = html({
      ...base,
      estimates: base.estimates.map((e) => (e.name === 'ω CL' ? { ...e, notEstimable: true } : e)),
    });
    expect(flagged).toContain('not estimable<sup>');
    expect(html(base)).not.toContain('not estimable');
  });
});
