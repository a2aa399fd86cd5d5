import { describe, expect, it } from 'vitest';
import { buildFitSpec } from '../core/nlme/models';
import { importNonmem } from '../core/data/importNonmem';
import { generateDemoTrial } from '../core/trial/demoTrial';
import type { Dataset } from '../core/data/types';
import { FIT_FILE_FORMAT, fitFileName, fitFileText, fitMeta, parseFitFile } from './fitFile';
import { fakeFitResult } from '../testing/fakeFit';
import { trainingDomainOf } from '../core/models/trainingDomain';

function demoDataset(): Dataset {
  const result = importNonmem(generateDemoTrial(7).csv, { name: 'Demo trial (seed 7)' });
  if (!result.ok) throw new Error('the demo trial does not import');
  return result.dataset;
}

const dataset = demoDataset();
const spec = buildFitSpec('pk1-oral-idr1', dataset);
const result = fakeFitResult(spec, dataset);
const meta = fitMeta(result, 'fit-1', undefined, trainingDomainOf(dataset));

function problemsOf(text: string): string[] {
  const parsed = parseFitFile(text);
  if (parsed.ok) throw new Error('expected the file to be refused');
  return parsed.problems;
}

describe('fit files', () => {
  it('round-trips a fit, reading JSON null back as NaN and dropping absent optional numbers', () => {
    const parsed = parseFitFile(fitFileText(meta, result));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.label).toBe('pk1-oral-idr1 on Demo trial (seed 7)');
    expect(parsed.domain).toEqual(meta.domain);
    expect(parsed.result.subjects[0].observations[1].cwres).toBeNaN();
    // Everything else is unchanged (NaN compares equal under toEqual).
    expect(parsed.result).toEqual(result);
  });

  it('reads a bare fit result, as the command line writes it', () => {
    const parsed = parseFitFile(JSON.stringify(result));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.label).toBeUndefined();
  });

  it('names the file name after the label', () => {
    expect(fitFileName(meta)).toBe('pk1-oral-idr1-on-demo-trial-seed-7.fit.json');
  });

  it('refuses what is not JSON, not a fit, or from a newer version, saying why', () => {
    expect(problemsOf('{"format": ')[0]).toMatch(/not a JSON file/);
    expect(problemsOf('[1, 2]')[0]).toMatch(/not a saved fit/);
    expect(problemsOf('{"hello": 1}')[0]).toMatch(/not a saved fit/);
    expect(problemsOf(JSON.stringify({ format: 'other' }))[0]).toMatch(
      new RegExp(`format: expected "${FIT_FILE_FORMAT}"`),
    );
    expect(problemsOf(JSON.stringify({ format: FIT_FILE_FORMAT, version: 99, result }))[0]).toMatch(
      /newer version/,
    );
  });

  it('names each wrong field with its path and the value found', () => {
    const broken = JSON.parse(fitFileText(meta, result));
    broken.result.ofv = 'low';
    broken.result.estimates[0].fixed = 'no';
    broken.result.subjects[0].observations[2].dv = '8';
    broken.result.model.pk = 'oral7';
    delete broken.result.spec.parameters;
    const problems = problemsOf(JSON.stringify(broken));
    expect(problems).toEqual(
      expect.arrayContaining([
        'result.ofv: expected a finite number, got "low"',
        'result.estimates[0].fixed: expected true or false, got "no"',
        'result.subjects[0].observations[2].dv: expected a number, got "8"',
        expect.stringMatching(/^result\.model\.pk: expected one of oral1, .*got "oral7"$/),
        'result.spec.parameters: expected a list, got nothing',
      ]),
    );
  });

  it('says in one line which fields a result lacks', () => {
    const text = JSON.stringify({ format: FIT_FILE_FORMAT, version: 1, result: { ofv: 1 } });
    expect(problemsOf(text)).toEqual([
      'result: the fields method, spec, converged, message, iterations, estimates, identifiability, covarianceStep, subjects, model, dataName are missing',
    ]);
  });

  it('caps a long list of problems and counts the rest', () => {
    const broken = JSON.parse(fitFileText(meta, result));
    broken.result.subjects[0].observations = Array.from({ length: 40 }, () => ({ time: 'x' }));
    const problems = problemsOf(JSON.stringify(broken));
    expect(problems.length).toBe(13);
    expect(problems[12]).toMatch(/^…and \d+ more problems$/);
  });

  it('refuses a model that cannot simulate, naming the parameter', () => {
    const broken = JSON.parse(fitFileText(meta, result));
    broken.result.model.theta.CL = -1;
    expect(problemsOf(JSON.stringify(broken))[0]).toMatch(/^result\.model: .*CL/);
  });
});
