import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { snap, trackErrors, trackOffMachineRequests } from './helpers';

/**
 * The Compare panel's journey on the demo trial. The quick profile (six models × three folds)
 * takes minutes in this CPU-only Chromium, so the test sets the slice's test hook
 * (localStorage 'pkpd-compare-test-profile' = 'tiny': two cheap networks × two folds, short
 * training); everything else is the real sweep — worker, storage, pause, reload and resume.
 */

test.beforeEach(async ({ page }, testInfo) => {
  // The comparison runs on the CPU whatever the browser offers: one browser is enough.
  test.skip(testInfo.project.name === 'webgpu', 'the comparison runs on the CPU in either browser');
  await page.goto('/');
  await page.evaluate(() => {
    localStorage.clear();
    localStorage.setItem('pkpd-compare-test-profile', 'tiny');
  });
  await page.reload();
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

test('runs a sweep in a worker, pauses, survives a reload, resumes, and shows and exports the results', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const errors = trackErrors(page);
  const off = trackOffMachineRequests(page);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));

  await page.getByRole('tab', { name: /Compare/ }).click();
  await expect(page.getByTestId('compare-data')).toContainText('Demo trial');
  await expect(page.getByTestId('compare-data')).toContainText('48 subjects');
  await expect(page.getByTestId('compare-plan-size')).toHaveText(
    '2 models × 1 seed × 2 folds = 4 tasks',
  );
  await expect(page.getByText(/on the CPU \(the tfjs CPU backend\)/)).toBeVisible();
  await expect(page.getByTestId('compare-empty')).toBeVisible();

  // Start: progress names the task running, fold and epoch.
  await page.getByTestId('compare-start').click();
  const text = page.getByTestId('compare-progress-text');
  await expect(text).toContainText(/Running — [0-4] of 4 tasks done/);
  await expect(page.getByTestId('compare-current')).toContainText(/fold [12] of 2 · seed \d+/, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('compare-current')).toContainText(/epoch \d+ of at most 25/, {
    timeout: 60_000,
  });
  expect(workers.some((u) => u.includes('compare'))).toBe(true);

  // Pause once a task is done: the running one is abandoned, the cells kept.
  await expect(text).toContainText(/[1-3] of 4 tasks done/, { timeout: 120_000 });
  await expect(text).toContainText(/about .* left/);
  await snap(page, testInfo, 'compare-running');
  await page.getByTestId('compare-pause').click();
  await expect(text).toContainText(/^Paused — [1-3] of 4 tasks done — Resume/, { timeout: 60_000 });
  const pausedAt = Number((await text.innerText()).match(/(\d) of 4/)?.[1]);
  await expect(page.getByTestId('compare-results')).toBeVisible();
  await snap(page, testInfo, 'compare-paused');

  // Starting another asks first; keeping it changes nothing.
  await page.getByTestId('compare-start').click();
  await expect(page.getByRole('alertdialog')).toContainText('half done');
  await page.getByRole('button', { name: 'Keep it' }).click();
  await expect(page.getByRole('alertdialog')).toHaveCount(0);

  // A reload finds the half-done sweep, paused.
  await page.reload();
  await expect(page.getByTestId('compare-progress-text')).toHaveText(
    new RegExp(`^Paused — ${pausedAt} of 4 tasks done — Resume`),
  );
  // Resume with two workers: the tasks left are dealt to two module workers (one if one is left).
  await page.getByTestId('compare-workers').fill('2');
  const before = workers.length;
  await page.getByTestId('compare-resume').focus();
  await page.keyboard.press('Enter');
  await expect(text).toContainText('Running');
  await expect
    .poll(() => workers.slice(before).filter((u) => u.includes('compare')).length)
    .toBe(Math.min(2, 4 - pausedAt));
  await expect(text).toContainText(/^Done — 4 of 4 tasks done/, { timeout: 240_000 });
  await expect(page.getByTestId('compare-resume')).toHaveCount(0);

  // Plots first: two bar charts with error bars and the best starred, the heat map's place.
  for (const endpoint of ['pd', 'pk']) {
    const chart = page.getByTestId(`compare-chart-${endpoint}`);
    await expect(chart.locator('.recharts-bar-rectangle')).toHaveCount(2);
    await expect(chart.locator('.recharts-errorBar')).toHaveCount(2);
    await expect(chart.locator('svg text', { hasText: '★' })).toHaveCount(1);
  }
  await expect(page.getByTestId('compare-heatmap-absent')).toContainText('Not in this profile');
  await expect(page.getByTestId('compare-reading').locator('li').first()).toBeVisible();

  // The table: two rows, every cell done, sorted by PD RMSE; reverse it with the keyboard.
  const table = page.getByTestId('compare-table');
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  await expect(page.getByTestId('compare-row').first()).toContainText('2/2');
  const pdHeader = table.locator('th', { has: page.getByTestId('compare-sort-pdRmse') });
  await expect(pdHeader).toHaveAttribute('aria-sort', 'ascending');
  const pdColumn = 8;
  const pdValues = async () =>
    (
      await page.getByTestId('compare-row').locator(`td:nth-child(${pdColumn})`).allInnerTexts()
    ).map((t) => Number(t.split('±')[0]));
  const ascending = await pdValues();
  expect(ascending[0]).toBeLessThanOrEqual(ascending[1]);
  await page.getByTestId('compare-sort-pdRmse').focus();
  await page.keyboard.press('Enter');
  await expect(pdHeader).toHaveAttribute('aria-sort', 'descending');
  expect(await pdValues()).toEqual([...ascending].reverse());
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(
    table.locator('th', { has: page.getByTestId('compare-sort-outcomeAccuracy') }),
  ).toHaveAttribute('aria-sort', 'descending');
  await expect(pdHeader).toHaveAttribute('aria-sort', 'none');
  await page.getByTestId('compare-sort-pdRmse').click();

  await page.getByTestId('compare-chart-pd').scrollIntoViewIfNeeded();
  await snap(page, testInfo, 'compare-results');

  // Exports: the table as CSV, a chart as SVG and PNG, all made in the page.
  const csvDownload = page.waitForEvent('download');
  await page.getByTestId('compare-csv').click();
  const csv = await readFile(await (await csvDownload).path(), 'utf8');
  const [header, ...lines] = csv.trim().split(/\r?\n/);
  expect(header).toMatch(/framework/);
  expect(header).toMatch(/pdRmse/);
  expect(lines).toHaveLength(2);

  const svgDownload = page.waitForEvent('download');
  await page.getByTestId('compare-export-pd-svg').click();
  const svgFile = await svgDownload;
  expect(svgFile.suggestedFilename()).toMatch(/^comparison-demo-trial-seed-\d+-pd-rmse\.svg$/);
  const svg = await readFile(await svgFile.path(), 'utf8');
  expect(svg).toContain('<svg');
  expect(svg).toContain('Biomarker (PD) RMSE by model');

  const pngDownload = page.waitForEvent('download');
  await page.getByTestId('compare-export-pk-png').click();
  const png = await readFile(await (await pngDownload).path());
  expect([...png.subarray(0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);

  // The results file: every cell, with a header naming the plan (the command line's format).
  const cellsDownload = page.waitForEvent('download');
  await page.getByTestId('compare-save-cells').click();
  const cellsFile = await cellsDownload;
  expect(cellsFile.suggestedFilename()).toMatch(/\.cells\.jsonl$/);
  const cellsPath = await cellsFile.path();
  const cellLines = (await readFile(cellsPath, 'utf8')).trim().split('\n');
  expect(JSON.parse(cellLines[0])).toMatchObject({ kind: 'pkpd-compare-cells', tasks: 4 });
  expect(cellLines).toHaveLength(5);

  // Discard forgets it, after a reload too.
  await page.getByTestId('compare-discard').click();
  await expect(page.getByTestId('compare-empty')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('compare-empty')).toBeVisible();
  await expect(page.getByTestId('compare-progress')).toHaveCount(0);

  // Opening the saved file brings the results back; a file that is not one is refused.
  await page.getByTestId('compare-open-file').setInputFiles({
    name: 'notes.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('ID,TIME,DV\n1,0,1\n'),
  });
  await expect(page.getByTestId('compare-open-problem')).toContainText(
    'notes.csv is not a cells file of compare',
  );
  await page.getByTestId('compare-open-file').setInputFiles(cellsPath);
  await expect(page.getByTestId('compare-progress-text')).toHaveText(/^Done — 4 of 4 tasks done/);
  await expect(page.getByTestId('compare-row')).toHaveCount(2);
  await expect(page.getByTestId('compare-open-problem')).toHaveCount(0);

  expect(errors).toEqual([]);
  expect(off).toEqual([]);
});

test('cancel stops at once and keeps the tasks done', async ({ page }) => {
  test.setTimeout(180_000);
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Compare/ }).click();
  await page.getByTestId('compare-start').click();
  const text = page.getByTestId('compare-progress-text');
  await expect(text).toContainText(/[1-3] of 4 tasks done/, { timeout: 120_000 });
  await page.getByTestId('compare-cancel').click();
  await expect(text).toContainText(/^Paused — [1-3] of 4 tasks done/);
  await expect(page.getByTestId('compare-message')).toContainText('Cancelled');
  await expect(page.getByTestId('compare-resume')).toBeVisible();
  expect(errors).toEqual([]);
});
