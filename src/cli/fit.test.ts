import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectOutput } from '../testing/cli';
import { repoRoot } from '../testing/close';
import type { FitResult } from '../core/nlme/types';
import { fakeFitResult, TINY_PK_SPEC } from '../testing/fakeFit';
import { applyFixes, fitJson, formatFit, runFit } from './fit';

const theo = path.join(repoRoot, 'src/core/nlme/fixtures/theophylline.csv');

const collect = collectOutput;

describe('cli fit', () => {
  it('fits pk1-oral and prints the documented JSON', async () => {
    const c = collect();
    const code = await runFit(theo, { model: 'pk1-oral', json: true }, c.output);
    expect(code).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc.method).toBe('FOCE-I');
    expect(doc.converged).toBe(true);
    expect(Number.isFinite(doc.ofv)).toBe(true);
    for (const p of ['ka', 'CL', 'V']) {
      expect(doc.parameters[p].estimate).toBeGreaterThan(0);
      expect(doc.parameters[p].rse).toBeGreaterThan(0);
    }
    expect(Object.keys(doc.omega)).toEqual(['ka', 'CL', 'V']);
    expect(doc.sigma['prop concentration'].estimate).toBeGreaterThan(0);
    expect(doc.individual).toHaveLength(12);
    // theophylline has a concentration at time 0 in every subject: proportional error cannot
    // weigh them, so they are left out and the output says so
    expect(doc.notes.join(' ')).toMatch(/12 concentrations at or before the first dose/);
    expect(doc.nObservations).toBe(120);
    expect(doc.individual[0]).toHaveProperty('CL');
  }, 120_000);

  it('fixes a parameter with --fix and says what is wrong with a bad one', async () => {
    const c = collect();
    expect(await runFit(theo, { model: 'pk1-oral', fix: 'ka=1.5', quiet: true }, c.output)).toBe(0);
    expect(c.out.join('\n')).toMatch(/ka\s+1\.500\s+1\/h\s+fixed/);
    const bad = collect();
    expect(await runFit(theo, { model: 'pk1-oral', fix: 'kz=2' }, bad.output)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/no parameter kz/);
    const badModel = collect();
    expect(await runFit(theo, { model: 'pk3-oral' }, badModel.output)).toBe(1);
    expect(badModel.err.join('\n')).toMatch(/Unknown model/);
    const missing = collect();
    expect(await runFit('/nonexistent.csv', {}, missing.output)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/No such file/);
  }, 120_000);

  it('applyFixes rejects values that are not numbers', () => {
    const spec = {
      name: 'x',
      pk: 'oral1' as const,
      endpoints: 'pk' as const,
      parameters: [{ name: 'ka' as const, initial: 1 }],
      covariates: [],
      residual: {},
    };
    expect(() => applyFixes(spec, 'ka=abc')).toThrow(/NAME=VALUE/);
    expect(applyFixes(spec, 'ka=2').parameters[0]).toMatchObject({ initial: 2, fixed: true });
  });

  it('gives rse null and a note for parameters that are not estimable', () => {
    const base = fakeFitResult(TINY_PK_SPEC, { name: 'data.csv' });
    const partial: FitResult = {
      ...base,
      estimates: base.estimates.map((e) => (e.name === 'ω CL' ? { ...e, notEstimable: true } : e)),
      notEstimable: ['ω CL'],
      covarianceStep: {
        ok: false,
        status: 'partial',
        method: 'R matrix',
        message: 'Partial: 1 parameter not estimable (ω CL).',
      },
    };
    const doc = fitJson(partial) as {
      parameters: Record<string, { rse: number | null; notEstimable?: boolean }>;
      omega: Record<string, { rse: number | null; notEstimable?: boolean }>;
      notEstimable: string[];
      note?: string;
      covarianceStep: { status: string };
    };
    expect(doc.omega.CL).toMatchObject({ rse: null, notEstimable: true });
    expect(doc.parameters.CL.rse).toBe(4.4);
    expect(doc.parameters.CL.notEstimable).toBeUndefined();
    expect(doc.notEstimable).toEqual(['ω CL']);
    expect(doc.covarianceStep.status).toBe('partial');
    expect(doc.note).toMatch(
      /^Not estimable from these data \(flat objective\): ω CL; rse is null/,
    );
    expect(doc.note).toMatch(/conditional on ω CL held at its estimate/);
    expect(formatFit(partial)).toMatch(/ω CL\s+0\.2500\s+n\.e\./);
    // A fit whose covariance step succeeded: no list, no note, the status says so.
    const ok = fitJson(base) as { notEstimable: string[]; note?: string; covarianceStep: object };
    expect(ok.notEstimable).toEqual([]);
    expect(ok.note).toBeUndefined();
    expect(ok.covarianceStep).toMatchObject({ ok: true, status: 'ok' });
  });
});
