import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { importNonmem } from '../src/core/data/importNonmem';
import { buildFitSpec } from '../src/core/nlme/models';
import { generateDemoTrial } from '../src/core/trial/demoTrial';
import type { TrainingDomain } from '../src/core/models/types';
import { fitFileText, fitMeta } from '../src/state/fitFile';
import { fakeFitResult } from '../src/testing/fakeFit';
import { snap, trackErrors } from './helpers';

/**
 * A saved-fit file whose model is the demo truth with 1.5 times the clearance; with `draws`,
 * it carries draws of its estimates (IC50 ±30%) as a fit with a covariance step does.
 */
function fasterClearanceFit(draws = false): string {
  const imported = importNonmem(generateDemoTrial(3).csv, { name: 'Demo trial' });
  if (!imported.ok) throw new Error('The demo trial does not import.');
  const result = fakeFitResult(buildFitSpec('pk1-oral-idr1', imported.dataset), imported.dataset);
  const model = { ...result.model, theta: { ...result.model.theta, CL: 0.045 * 1.5 } };
  const domain: TrainingDomain = {
    doseRange: [1, 10],
    intervals: [24],
    bwRange: [50, 100],
    comedValues: [0, 1],
  };
  const parameterDraws = {
    method: 'test draws',
    draws: [0.7, 1, 1.3].map((f) => ({
      theta: { ...(model.theta as Record<string, number>), IC50: (model.theta.IC50 ?? 1) * f },
      covariates: model.covariateEffects.map((e) => (e.kind === 'power' ? e.exponent : e.theta)),
      omega: model.randomEffects.map((r) => r.omega),
    })),
  };
  const fit = { ...result, model, ...(draws ? { parameterDraws } : {}) };
  return fitFileText(fitMeta(fit, 'x', 'Faster clearance', domain), fit);
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

test('finds a dose for a population and answers the challenge questions', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await page.getByRole('tab', { name: /Dosing/ }).click();
  await expect(page.getByTestId('dosing-model-demo-truth')).toBeChecked();

  // A small population keeps the journey quick.
  await page.getByTestId('dosing-size').fill('2000');
  await expect(page.getByTestId('dosing-question')).toContainText('2,000 virtual subjects');
  await page.getByTestId('dosing-run').click();
  const answer = page.getByTestId('dosing-answer-text');
  await expect(answer).toContainText(
    /^\d+(\.\d+)? mg once daily keeps the biomarker below 3\.3 ng\/mL throughout the interval at steady state in \d+(\.\d)?% of 2,000 virtual subjects/,
  );
  await expect(page.getByTestId('dosing-chart').locator('svg.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('dosing-answer-dose')).toHaveText(/^\d+(\.\d+)? mg$/);
  // The search ran in the dosing worker, not on the page.
  expect(workers.some((u) => u.includes('dosing.worker'))).toBe(true);

  // The challenge's twelve answers, each with a dose and an attainment.
  await page.getByTestId('challenge-run').click();
  const rows = page.getByTestId('challenge-table').locator('tbody tr');
  await expect(rows).toHaveCount(12);
  for (let i = 0; i < 12; i++) {
    await expect(rows.nth(i).getByTestId('challenge-dose')).toHaveText(/^\d+(\.\d+)?$/);
    await expect(rows.nth(i).getByTestId('challenge-attainment')).toHaveText(/^\d+(\.\d)?%$/);
  }
  // Weekly dosing was never in the demo trial: said next to the answer.
  await expect(page.getByTestId('challenge-table')).toContainText(
    'Interval 168 h was not in the data',
  );
  await snap(page, testInfo, 'dosing');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('challenge-csv').click(),
  ]);
  expect(download.suggestedFilename()).toBe('challenge-answers.csv');
  const csv = (await readFile(await download.path(), 'utf8')).trim().split('\n');
  expect(csv[0]).toMatch(/^scenario,scenario_label,interval_h,dose_step_mg,target_percent,dose_mg/);
  expect(csv).toHaveLength(13);
  expect(csv[1]).toMatch(/^base,.*,24,0\.5,90,\d+(\.\d+)?,/);

  const [report] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('challenge-report').click(),
  ]);
  expect(report.suggestedFilename()).toBe('challenge-report.html');
  const html = await readFile(await report.path(), 'utf8');
  expect(html).toContain('<table>');
  expect(html).toContain('PK/PD Dosing Workbench 0.');
  expect(errors).toEqual([]);
});

test('lists invalid settings in plain words and keeps the settings over a reload', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Dosing/ }).click();
  await page.getByTestId('dosing-bw-min').fill('120');
  await expect(page.getByTestId('dosing-problems')).toContainText('low ≤ high');
  await expect(page.getByTestId('dosing-run')).toBeDisabled();
  await page.getByTestId('dosing-bw-normal').click();
  await snap(page, testInfo, 'dosing-problems');
  await page.getByTestId('dosing-bw-uniform').click();
  await page.getByTestId('dosing-bw-min').fill('60');
  await expect(page.getByTestId('dosing-problems')).toHaveCount(0);
  await expect(page.getByTestId('dosing-run')).toBeEnabled();

  // Weekly: the dose step follows (5 mg); the settings survive a reload.
  await page.getByTestId('dosing-interval-168').click();
  await expect(page.getByTestId('dosing-step')).toHaveValue('5');
  await page.getByTestId('dosing-size').fill('500');
  await page.reload();
  await expect(page.getByRole('tab', { name: /Dosing/ })).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('dosing-size')).toHaveValue('500');
  await expect(page.getByTestId('dosing-bw-min')).toHaveValue('60');
  await expect(page.getByTestId('dosing-interval-168')).toHaveAttribute('data-state', 'on');

  // Cancel keeps the panel usable.
  await page.getByTestId('dosing-size').fill('200000');
  await page.getByTestId('dosing-run').click();
  await expect(page.getByTestId('dosing-progress')).toBeVisible();
  await page.getByTestId('dosing-cancel').click();
  await expect(page.getByTestId('dosing-message')).toContainText('Cancelled');
  await expect(page.getByTestId('dosing-run')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('compares the answers of two models side by side', async ({ page }, testInfo) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await page.getByTestId('fit-import').setInputFiles({
    name: 'faster.fit.json',
    mimeType: 'application/json',
    buffer: Buffer.from(fasterClearanceFit()),
  });
  await expect(page.getByTestId('fit-file-message')).toContainText('Imported');
  await page.getByRole('tab', { name: /Dosing/ }).click();
  await page.getByRole('checkbox', { name: /Faster clearance/ }).check();
  await page.getByTestId('dosing-size').fill('1000');
  await page.getByTestId('dosing-run').click();
  const answers = page.getByTestId('dosing-answers').locator('> li');
  await expect(answers).toHaveCount(2);
  const doses = await page.getByTestId('dosing-answer-dose').allInnerTexts();
  const [truth, faster] = doses.map((d) => Number(d.replace(' mg', '')));
  // Faster clearance needs a larger dose for the same suppression.
  expect(faster).toBeGreaterThan(truth);
  await expect(page.getByTestId('dosing-chart').locator('.recharts-line')).toHaveCount(2);
  await snap(page, testInfo, 'dosing-compare');
  expect(errors).toEqual([]);
});

test('runs the dose search on WebGPU when asked, checked against the CPU', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Dosing/ }).click();
  await page.getByTestId('dosing-size').fill('2000');
  await page.getByTestId('dosing-compute-cpu').click();
  await page.getByTestId('dosing-run').click();
  await expect(page.getByTestId('dosing-answer-compute')).toContainText(
    'Computed on the CPU: the CPU was chosen',
  );
  const cpuAnswer = await page.getByTestId('dosing-answer-text').textContent();

  await page.getByTestId('dosing-compute-webgpu').click();
  await page.getByTestId('dosing-run').click();
  const compute = page.getByTestId('dosing-answer-compute');
  if (testInfo.project.name === 'webgpu') {
    // SwiftShader here: slow, but the same kernel a real GPU runs.
    await expect(compute).toContainText(/Computed on WebGPU .*64 of 64 check subjects identical/, {
      timeout: 45_000,
    });
  } else {
    await expect(compute).toContainText(
      /Computed on the CPU: (this browser does not offer WebGPU|no WebGPU adapter is available)/,
    );
  }
  // The same answer, to the subject: the kernel's single precision does not move it.
  await expect(page.getByTestId('dosing-answer-text')).toHaveText(cpuAnswer ?? '');
  await snap(page, testInfo, 'dosing-webgpu');
  expect(errors).toEqual([]);
});

test("a fit's parameter uncertainty gives the band", async ({ page }) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await page.getByTestId('fit-import').setInputFiles({
    name: 'faster.fit.json',
    mimeType: 'application/json',
    buffer: Buffer.from(fasterClearanceFit(true)),
  });
  await expect(page.getByTestId('fit-file-message')).toContainText('Imported');
  await page.getByRole('tab', { name: /Dosing/ }).click();
  await page.getByRole('checkbox', { name: /Faster clearance/ }).check();
  await page.getByRole('checkbox', { name: /Demo trial's true model/ }).uncheck();
  await page.getByTestId('dosing-size').fill('500');
  await page.getByTestId('dosing-parameter-uncertainty').check();
  await page.getByTestId('dosing-run').click();
  await expect(page.getByTestId('dosing-answer-band')).toContainText(
    /50 replicate populations of 500 subjects, each from one draw of the fit's estimates/,
    { timeout: 45_000 },
  );
  await expect(page.getByTestId('dosing-answer-dose')).toHaveText(/^\d+(\.\d+)? mg$/);
  expect(errors).toEqual([]);
});
