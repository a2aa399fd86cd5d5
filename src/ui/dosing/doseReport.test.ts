import { describe, expect, it } from 'vitest';
import { findDose, type AttainmentResult } from '../../core/dosing/attainment';
import { CHALLENGE_DEFAULTS, runChallenge } from '../../core/dosing/challenge';
import { sampleVirtualPopulation } from '../../core/dosing/virtualPopulation';
import type { TrainingDomain } from '../../core/models/types';
import type { FitModelSpec, FitResult } from '../../core/nlme/types';
import { TRUE_MODEL } from '../../core/trial/trueModel';
import { fitMeta } from '../../state/fitFile';
import {
  answerWarnings,
  DEFAULT_DOSING_SETTINGS,
  dosingModelOptions,
  dosingPlan,
  type DosingModelResult,
  type DosingRunInfo,
} from '../../state/slices/dosingSlice';
import { DEMO_TRUTH_ID } from '../../state/slices/savedFitsSlice';
import { fakeFitResult } from '../../testing/fakeFit';
import {
  doseReportBody,
  doseReportFileName,
  doseReportHtml,
  doseStanding,
  type DoseReportInput,
} from './doseReport';
import { doseReportInput, type DoseReportState } from './reportInput';
import {
  populationModelParameters,
  reportModelFromFit,
  reportModelFromMeta,
  reportModelFromTruth,
  type ReportModel,
} from './reportModel';
import { attainmentPlotSvg } from './reportPlot';

/** A real find-dose answer of the demo truth for a small trial-like population. */
const settings = { ...DEFAULT_DOSING_SETTINGS, size: 400, seed: 7 };
const plan = dosingPlan(settings, null, []);
const truth = dosingModelOptions([]).find((o) => o.id === DEMO_TRUTH_ID)!;
const answer: AttainmentResult = findDose(
  sampleVirtualPopulation(TRUE_MODEL, plan.jobs[0].population),
  plan.question,
);
const STUDIED: TrainingDomain = truth.domain!;
const run: DosingRunInfo = {
  question: plan.question,
  populationText: plan.populationText,
  population: plan.populationParts,
  date: '2026-11-25T07:45:00.000Z',
};
const truthResult: DosingModelResult = {
  modelId: DEMO_TRUTH_ID,
  label: truth.label,
  result: answer,
  warnings: answerWarnings(STUDIED, answer, plan.bwRange, plan.comedValues),
};
const truthModel = reportModelFromTruth(DEMO_TRUTH_ID, truth.label, truth.model, STUDIED);

function input(over: Partial<DoseReportInput> = {}): DoseReportInput {
  return {
    appVersion: '0.1.0',
    generatedAt: '2026-11-25T08:05:00.000Z',
    dataName: 'Demo trial',
    run,
    results: [truthResult],
    models: [truthModel],
    ...over,
  };
}

/** The same answer, as if the model had been fitted on `doseRange` only. */
function withStudied(doseRange: readonly [number, number] | null): DoseReportInput {
  const domain = doseRange ? { ...STUDIED, doseRange } : undefined;
  return input({ models: [{ ...truthModel, domain }] });
}

const NEVER_PRINTED = /NaN|undefined|Infinity|\bnull\b|\[object/;

function spec(name: string): FitModelSpec {
  return { name } as unknown as FitModelSpec;
}

describe('dosing report', () => {
  const html = doseReportHtml(input());

  it('is one self-contained document: inline CSS and SVG, no script, nothing fetched', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<style>');
    expect(html).toContain('.dose-report h2');
    expect(html).toContain('@media print');
    expect(html).toMatch(/<svg [^>]*role="img"/);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
    // The one URL is the SVG namespace, which is never fetched.
    expect(html.match(/https?:\/\/[^"\s]+/g)).toEqual(['http://www.w3.org/2000/svg']);
    expect(html).not.toMatch(/\sstyle=/);
  });

  it('states the question, population, model, answer, plot, limits, date and version', () => {
    const q = plan.question;
    expect(q.threshold.value).toBe(3.3);
    for (const heading of [
      '1. The question',
      '2. The population',
      '3. The answer',
      '4. Attainment against dose',
      '5. The model',
      '6. Limits of the answer',
    ])
      expect(html).toContain(`<h2>${heading}</h2>`);
    expect(html).toContain('keeps the biomarker below 3.3 ng/mL throughout the dosing interval');
    expect(html).toContain('<dt>Regimen</dt><dd>once daily (24 h), oral');
    expect(html).toContain('<dt>Target</dt><dd>90% of the population</dd>');
    expect(html).toContain('<dt>Virtual subjects</dt><dd>400 per model</dd>');
    expect(html).toContain('<dt>Seed</dt><dd>7 ');
    expect(html).toContain('<dt>Body weight</dt><dd>uniform 50–100 kg</dd>');
    expect(html).toContain('<dt>COMED</dt><dd>in 50% (no data loaded)</dd>');
    // The model's label is the app's, escaped (it has an apostrophe).
    expect(html).toContain('Demo trial&#39;s true model');
    expect(html).toContain('known truth, not estimated from data');
    expect(html).toMatch(/<th scope="row">CL<\/th><td class="r-num">0\.045<\/td><td>L\/h<\/td>/);
    expect(html).toContain('<th scope="row">ω IC50</th><td class="r-num">0.3</td>');
    // The answer, its attainment and band, as the app computes them.
    expect(answer.dose).not.toBeNull();
    const at = answer.curve.find((p) => p.dose === answer.dose)!;
    expect(html).toContain(`${answer.dose} mg once daily (24 h)`);
    expect(html).toContain(
      `<td class="r-num">${answer.dose} mg</td><td class="r-num">${(100 * answer.attainment!).toFixed(1)}%</td><td class="r-num">${(100 * at.lo).toFixed(1)}%–${(100 * at.hi).toFixed(1)}%</td>`,
    );
    expect(html).toContain(answer.summary);
    expect(html).toContain('Monte Carlo 95% interval (Wilson) for 400 virtual subjects');
    expect(html).toContain('<dt>Report date</dt><dd>2026-11-25 08:05 UTC</dd>');
    expect(html).toContain('<dt>Asked</dt><dd>2026-11-25 07:45 UTC</dd>');
    expect(html).toContain('<dt>Workbench version</dt><dd>0.1.0</dd>');
    expect(html).toContain('PK/PD Dosing Workbench 0.1.0');
    expect(html).toContain(
      '<dt>Fitted on</dt><dd>doses 1–10 mg; interval 24 h; body weight 50–100 kg; COMED 0, 1</dd>',
    );
    expect(html).toContain('not the uncertainty of the model’s parameters');
    expect(html).not.toContain('The challenge questions');
  });

  it('never prints NaN, undefined or null', () => {
    expect(html).not.toMatch(NEVER_PRINTED);
    // A broken result: every number missing or not finite.
    const broken: AttainmentResult = {
      ...answer,
      dose: 2,
      attainment: NaN,
      attainmentAtMax: NaN,
      doseBand: [null, null],
      curve: [
        { dose: 0, attainment: NaN, lo: NaN, hi: NaN },
        { dose: 2, attainment: 0.5, lo: NaN, hi: 0.6 },
        { dose: 4, attainment: 0.9, lo: 0.85, hi: 0.95 },
      ],
    };
    const model: ReportModel = {
      ...truthModel,
      parameters: [{ group: 'Typical values', name: 'CL', estimate: NaN, unit: 'L/h', rse: NaN }],
    };
    const out = doseReportHtml(
      input({
        run: { ...run, date: 'not a date', population: { ...plan.populationParts, size: NaN } },
        results: [{ ...truthResult, result: broken }],
        models: [model],
      }),
    );
    expect(out).not.toMatch(NEVER_PRINTED);
    expect(out).toContain(
      '<td class="r-num">2 mg</td><td class="r-num">–</td><td class="r-num">–</td><td class="r-num">–</td>',
    );
    expect(out).toContain(
      '<th scope="row">CL</th><td class="r-num">–</td><td>L/h</td><td class="r-num">–</td><td class="r-num">–</td>',
    );
    expect(out).toContain('<dt>Asked</dt><dd>–</dd>');
    expect(out).toContain('<dt>Virtual subjects</dt><dd>– per model</dd>');
  });

  it('escapes every text from the user or the data', () => {
    const evil = '<script>alert("x")</script>';
    const fit = {
      ...fakeFitResult(spec(`pk1 ${evil}`), { name: `data ${evil}` }),
      estimates: [
        {
          name: `AGE${evil} on CL`,
          kind: 'covariate' as const,
          estimate: 0.5,
          unit: '',
          fixed: false,
          rse: 10,
        },
      ],
      identifiability: [{ parameter: `<img src=x onerror=alert(1)>`, reason: evil }],
    };
    const meta = fitMeta(fit, 'fit-1', `label ${evil}`, STUDIED);
    const out = doseReportHtml(
      input({
        dataName: `trial ${evil}.csv`,
        results: [
          { ...truthResult, modelId: 'fit-1', label: `Fit: label ${evil}`, warnings: [evil] },
        ],
        models: [reportModelFromFit(meta, fit)],
      }),
    );
    expect(out).not.toContain('<script');
    expect(out).not.toContain('<img');
    expect(out).toContain('trial &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.csv');
    expect(out).toContain('Fit: label &lt;script&gt;');
    expect(out).toContain('AGE&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; on CL');
    expect(out).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(out).toContain('data-model="fit-1"');
  });

  it('warns of extrapolation when, and only when, the answer lies outside the studied doses', () => {
    const d = answer.dose!;
    const warning = /data-warning="extrapolation"/;
    expect(doseReportHtml(withStudied([1, 10]))).not.toMatch(warning);
    expect(doseReportHtml(withStudied([d, d]))).not.toMatch(warning);
    const above = doseReportHtml(withStudied([0.5, d - 0.5]));
    expect(above).toMatch(warning);
    expect(above).toContain(
      `lies above the highest dose studied in the data the model was fitted on (${d - 0.5} mg;`,
    );
    const below = doseReportHtml(withStudied([d + 0.5, 100]));
    expect(below).toMatch(warning);
    expect(below).toContain(`lies below the lowest dose studied`);
    const unknown = doseReportHtml(withStudied(null));
    expect(unknown).not.toMatch(warning);
    expect(unknown).toContain('cannot be checked');
    // No answer: nothing to call an extrapolation, but the report says none was found.
    const none: AttainmentResult = { ...answer, dose: null, attainment: null };
    const noAnswer = doseReportHtml(input({ results: [{ ...truthResult, result: none }] }));
    expect(noAnswer).not.toMatch(warning);
    expect(noAnswer).toContain(`No dose up to ${answer.maxDose} mg reached the target`);
    expect(noAnswer).not.toMatch(NEVER_PRINTED);
  });

  it('classifies doses against the studied range', () => {
    expect(doseStanding(5, STUDIED)).toBe('inside');
    expect(doseStanding(10, STUDIED)).toBe('inside');
    expect(doseStanding(10.5, STUDIED)).toBe('above');
    expect(doseStanding(0.5, STUDIED)).toBe('below');
    expect(doseStanding(0, STUDIED)).toBe('inside');
    expect(doseStanding(null, STUDIED)).toBe('no-answer');
    expect(doseStanding(5, undefined)).toBe('unknown');
  });

  it('includes the challenge table when it has been run', () => {
    const result = runChallenge(
      TRUE_MODEL,
      { ...CHALLENGE_DEFAULTS, subjects: 60 },
      { domain: STUDIED },
    );
    const out = doseReportHtml(
      input({
        challenge: {
          modelId: DEMO_TRUTH_ID,
          label: truth.label,
          result,
          populationText: '60 virtual subjects per scenario (seed 1)',
          date: '2026-11-25T07:50:00.000Z',
        },
      }),
    );
    expect(out).toContain('<h2>7. The challenge questions</h2>');
    const table = out.slice(out.indexOf('7. The challenge questions'));
    expect(table.match(/<tr><td>/g)).toHaveLength(12);
    expect(table).toContain('Interval 168 h was not in the data');
    expect(out).not.toMatch(NEVER_PRINTED);
  });

  it('names the file by the date', () => {
    expect(doseReportFileName('2026-11-25T08:05:09.000Z')).toBe('dose-report-2026-11-25-0805.html');
    expect(doseReportFileName('nope')).toBe('dose-report.html');
  });

  it('the body alone is the article the app prints', () => {
    const body = doseReportBody(input()).value;
    expect(body).toMatch(/^<article class="dose-report">/);
    expect(body).not.toContain('<style>');
  });
});

describe('the report plot', () => {
  const series = { label: 'A <b>', curve: answer.curve, dose: answer.dose };

  it('draws each model’s line and band, the target, the answers and the studied doses', () => {
    const svg = attainmentPlotSvg({ series: [series], target: 0.9, studied: [[1, 10]] }).value;
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(svg.match(/<polygon /g)).toHaveLength(1);
    expect(svg).toContain('studied 1–10 mg');
    expect(svg).toContain('target 90%');
    expect(svg).toContain(`>${answer.dose} mg</text>`);
    expect(svg).toContain('Dose (mg)');
    expect(svg).not.toMatch(NEVER_PRINTED);
    // One model: no legend; its points all inside the plot.
    expect(svg).not.toContain('A &lt;b&gt;');
    const pts = svg.match(/<polyline points="([^"]+)"/)![1].split(' ');
    expect(pts).toHaveLength(answer.curve.length);
  });

  it('tells two models apart by dash as well as colour, with an escaped legend', () => {
    const svg = attainmentPlotSvg({
      series: [series, { ...series, label: 'B' }],
      target: 0.75,
      studied: [],
    }).value;
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toMatch(/<polyline [^>]*stroke-dasharray="8 4"/);
    expect(svg).toContain('A &lt;b&gt;');
    expect(svg).not.toContain('studied');
  });

  it('leaves out points that are not finite, and says so when nothing is left', () => {
    const svg = attainmentPlotSvg({
      series: [
        {
          label: 'x',
          dose: null,
          curve: [
            { dose: 0, attainment: 0, lo: 0, hi: 0.1 },
            { dose: 1, attainment: NaN, lo: 0, hi: 1 },
            { dose: 2, attainment: 1, lo: 0.9, hi: 1 },
          ],
        },
      ],
      target: 0.9,
      studied: [],
    }).value;
    expect(svg.match(/<polyline points="([^"]+)"/)![1].split(' ')).toHaveLength(2);
    expect(svg).not.toMatch(NEVER_PRINTED);
    const empty = attainmentPlotSvg({
      series: [{ label: 'x', dose: null, curve: [{ dose: NaN, attainment: 0, lo: 0, hi: 0 }] }],
      target: 0.9,
      studied: [],
    }).value;
    expect(empty).toContain('No attainment curve to plot.');
  });
});

describe('what the report says about a model', () => {
  it('lists the truth’s parameters without estimation uncertainty', () => {
    const rows = populationModelParameters(TRUE_MODEL);
    // 8 typical values, 3 covariate effects, 6 ω, 1 + 2 residual errors.
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.rse === undefined && r.shrinkage === undefined)).toBe(true);
    expect(rows.find((r) => r.name === 'COMED on baseline')?.estimate).toBe(-0.25);
    expect(rows.find((r) => r.name === 'σ prop biomarker')?.estimate).toBe(8);
  });

  it('takes a fit’s diagnostics and flags poorly determined estimates', () => {
    const base = fakeFitResult(spec('pk1-oral-idr1'), { name: 'Demo trial' });
    const fit: FitResult = {
      ...base,
      converged: false,
      estimates: [
        ...base.estimates,
        { name: 'IC50', kind: 'theta', estimate: 1.2, unit: 'mg/L', fixed: false, rse: 72.3 },
        { name: 'ω ka', kind: 'omega', estimate: 0.3, unit: '', fixed: false, shrinkage: 41 },
      ],
    };
    const m = reportModelFromFit(fitMeta(fit, 'f', 'My fit', STUDIED), fit);
    expect(m.label).toBe('Fit: My fit');
    expect(m.source).toContain('FOCE-I');
    expect(m.diagnostics.find((d) => d.label === 'OFV')?.value).toBe('-1234.50');
    expect(m.diagnostics.find((d) => d.label === 'Convergence')?.warn).toBe(true);
    expect(m.cautions).toEqual([
      'The data cannot pin down ka: few observations during absorption',
      'IC50 is poorly determined (RSE 72.3% > 50%).',
      'η shrinkage of ω ka is 41.0% (> 30%): individual estimates of it are unreliable.',
    ]);
    const out = doseReportHtml(
      input({ results: [{ ...truthResult, modelId: 'f', label: m.label }], models: [m] }),
    );
    expect(out).toContain('<td class="r-num r-flag">72.3%</td>');
    expect(out).toContain('<td class="r-num r-flag">41.0%</td>');
    expect(out).toContain('<td class="r-num">fixed</td>');
    expect(out).toContain('<dt>Covariance step</dt><dd>succeeded (R)');
    expect(out).not.toMatch(NEVER_PRINTED);
  });

  it('gathers the models from the store, reading a fit’s full result when it can', async () => {
    const fit = fakeFitResult(spec('pk1-oral-idr1'), { name: 'Demo trial' });
    const meta = fitMeta(fit, 'fit-9', 'Saved', STUDIED);
    const state: DoseReportState = {
      dosingResults: [truthResult, { ...truthResult, modelId: 'fit-9', label: 'Fit: Saved' }],
      dosingRunInfo: run,
      savedFits: [meta],
      fitResult: null,
      currentFitId: null,
      dataset: null,
      challengeRun: null,
    };
    const now = new Date('2026-11-25T08:00:00Z');
    const full = await doseReportInput(state, '9.9.9', now, async () => fit);
    expect(full?.models.map((m) => m.modelId)).toEqual([DEMO_TRUTH_ID, 'fit-9']);
    expect(full?.models[1].diagnostics.some((d) => d.label === 'Covariance step')).toBe(true);
    expect(full?.generatedAt).toBe('2026-11-25T08:00:00.000Z');
    const partial = await doseReportInput(state, '9.9.9', now, async () => undefined);
    expect(partial?.models[1]).toEqual(reportModelFromMeta(meta));
    expect(await doseReportInput({ ...state, dosingResults: [] }, '9.9.9', now)).toBeNull();
  });
});
