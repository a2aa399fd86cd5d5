import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { generateDemoTrial } from '../src/core/trial/demoTrial';
import { snap, trackErrors } from './helpers';

/**
 * The dosing report (issue 8): demo trial → Dosing → Find dose → the report, downloaded as one
 * self-contained HTML file and printed from the app. The data set's name carries a script tag:
 * the report shows it as text and nothing runs.
 */

const EVIL_NAME = 'trial<script>window.__xss=9</script>.csv';
const ESCAPED_NAME = 'trial&lt;script&gt;window.__xss=9&lt;/script&gt;.csv';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

test('writes a dosing report of the answer, as a file and for print', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
  // The demo trial again, under a name that is markup.
  await page.getByTestId('file-input').setInputFiles({
    name: EVIL_NAME,
    mimeType: 'text/csv',
    buffer: Buffer.from(generateDemoTrial(3).csv),
  });
  await expect(page.getByTestId('status-data')).toContainText(EVIL_NAME);
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');

  await page.getByRole('tab', { name: /Dosing/ }).click();
  await page.getByTestId('dosing-size').fill('2000');
  await page.getByTestId('dosing-run').click();
  const dose = page.getByTestId('dosing-answer-dose');
  await expect(dose).toHaveText(/^\d+(\.\d+)? mg$/);
  const doseText = (await dose.textContent())!.trim();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('dosing-report-download').click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^dose-report-\d{4}-\d\d-\d\d-\d{4}\.html$/);
  const html = await readFile(await download.path(), 'utf8');
  // Self-contained: styles inline, the plot as SVG, no script, nothing to fetch.
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain('<style>');
  expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(/i);
  expect(html).toMatch(/<svg [^>]*role="img"[\s\S]*<polyline [\s\S]*<\/svg>/);
  // The question, the population, the model, the answer, the limits, the date and version.
  expect(html).toContain('keeps the biomarker below 3.3 ng/mL throughout the dosing interval');
  expect(html).toContain('<dt>Virtual subjects</dt><dd>2,000 per model</dd>');
  expect(html).toContain('<dt>Body weight</dt><dd>uniform 50–100 kg</dd>');
  expect(html).toContain('Demo trial&#39;s true model');
  expect(html).toMatch(/<th scope="row">CL<\/th><td class="r-num">0\.045<\/td>/);
  expect(html).toContain(`${doseText} once daily (24 h)`);
  expect(html).toMatch(/<td class="r-num">\d+\.\d%–\d+\.\d%<\/td>/);
  expect(html).toContain('studied 1–10 mg');
  expect(html).toContain('<h2>6. Limits of the answer</h2>');
  // The demo truth's answer lies inside the trial's doses: no extrapolation warning.
  expect(Number.parseFloat(doseText)).toBeLessThanOrEqual(10);
  expect(html).not.toContain('data-warning="extrapolation"');
  expect(html).toContain(`The answer ${doseText} lies within the doses studied (1–10 mg)`);
  const today = new Date().toISOString().slice(0, 10);
  expect(html).toMatch(new RegExp(`<dt>Report date</dt><dd>${today} \\d\\d:\\d\\d UTC</dd>`));
  expect(html).toContain(`<dt>Workbench version</dt><dd>${version}</dd>`);
  // The data set's name is text.
  expect(html).toContain(`<dt>Data set</dt><dd>${ESCAPED_NAME}</dd>`);
  expect(html).not.toMatch(/NaN|undefined|Infinity/);

  // Print / save as PDF: the same report in the page, shown only when printing.
  await page.evaluate(() => {
    const w = window as unknown as { __prints: number };
    w.__prints = 0;
    window.print = () => {
      w.__prints += 1;
    };
  });
  await page.getByTestId('dosing-report-print').click();
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { __prints: number }).__prints))
    .toBe(1);
  const view = page.getByTestId('dosing-report-print-view');
  await expect(view).toBeHidden();
  await page.emulateMedia({ media: 'print' });
  await expect(view).toBeVisible();
  await expect(page.locator('#root')).toBeHidden();
  await expect(view.locator('h1')).toHaveText('Which dose, for which population');
  await expect(view).toContainText(EVIL_NAME);
  await expect(view).toContainText(`${doseText} once daily (24 h)`);
  // The report's own stylesheet applies under the app's Content-Security-Policy.
  expect(await view.locator('h1').evaluate((h) => getComputedStyle(h).color)).toBe(
    'rgb(11, 79, 108)',
  );
  await snap(page, testInfo, 'report-print');
  // Nothing from the name ran.
  expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  await expect(page.locator('#root script, .dose-report-print script')).toHaveCount(0);

  // After the print dialog the app is back as it was.
  await page.evaluate(() => window.dispatchEvent(new Event('afterprint')));
  await expect(view).toHaveCount(0);
  await page.emulateMedia({ media: 'screen' });
  await expect(page.locator('#root')).toBeVisible();
  expect(errors).toEqual([]);
});
