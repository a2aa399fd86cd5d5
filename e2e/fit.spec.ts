import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { snap, trackErrors } from './helpers';

// Each test runs in a fresh browser context: local storage and IndexedDB start empty.
test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

/** A PK fit of the demo trial takes seconds; give slow machines room. */
const FIT_TIMEOUT = 120_000;

test('fits a PK model, shows its diagnostics, keeps it across a reload and doses with it', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await expect(page.getByTestId('fit-model')).toHaveValue('pk1-oral-idr1');
  await page.getByTestId('fit-model').selectOption('pk1-oral');
  await expect(page.getByTestId('spec-row-ka')).toBeVisible();
  await expect(page.getByTestId('spec-row-baseline')).toHaveCount(0);
  await page.getByTestId('fit-run').click();

  // Progress streams while it runs; the trace stays after it ends.
  await expect(page.getByTestId('fit-progress-text')).toContainText('Iteration', {
    timeout: FIT_TIMEOUT,
  });
  const table = page.getByTestId('parameter-table');
  await expect(table).toBeVisible({ timeout: FIT_TIMEOUT });
  for (const name of ['CL', 'V', 'ka']) {
    await expect(table.getByTestId(`estimate-${name}`)).toBeVisible();
  }
  await expect(page.getByTestId('fit-convergence')).toContainText('Converged');
  await expect(page.getByTestId('ofv-chart').locator('svg.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('saved-fit')).toHaveCount(1);
  await snap(page, testInfo, 'fit-result');

  // Export, then import the file again: a second saved fit.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /^Export .* as a file$/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/^pk1-oral-on-demo-trial.*\.fit\.json$/);
  const text = await readFile(await download.path());
  await page.getByTestId('fit-import').setInputFiles({
    name: download.suggestedFilename(),
    mimeType: 'application/json',
    buffer: text,
  });
  await expect(page.getByTestId('fit-file-message')).toContainText('Imported');
  await expect(page.getByTestId('saved-fit')).toHaveCount(2);

  // Curves: diagnostics, one subject's curves, a quick VPC.
  await page.getByRole('tab', { name: /Curves/ }).click();
  for (const id of ['gof-dv-pred-1', 'gof-dv-ipred-1', 'gof-cwres-time-1', 'gof-cwres-pred-1']) {
    await expect(page.getByTestId(id).locator('svg.recharts-surface')).toBeVisible();
  }
  await expect(page.getByTestId('gof-1')).toBeVisible();
  await expect(page.getByTestId('gof-2')).toHaveCount(0);
  await expect(page.getByTestId('subject-chart-1').locator('svg.recharts-surface')).toBeVisible();
  await page.getByTestId('subject-picker').selectOption({ index: 20 });
  await expect(
    page.getByTestId('subject-chart-1').locator('path.recharts-curve').first(),
  ).toBeVisible();
  await page.getByTestId('vpc-replicates').fill('20');
  await page.getByTestId('vpc-run').click();
  await expect(page.getByTestId('vpc-chart-1').locator('svg.recharts-surface')).toBeVisible({
    timeout: FIT_TIMEOUT,
  });
  await expect(page.getByTestId('curves-panel').getByTestId('parameter-table')).toBeVisible();
  await snap(page, testInfo, 'curves');

  // Nothing lost on reload: the saved fits and the open fit come back.
  await page.reload();
  await expect(page.getByRole('tab', { name: /Curves/ })).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('gof-dv-pred-1').locator('svg.recharts-surface')).toBeVisible();
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await expect(page.getByTestId('saved-fit')).toHaveCount(2);
  await expect(page.getByTestId('fit-model')).toHaveValue('pk1-oral');

  // The fitted model drives the Regimen explorer.
  await page.getByRole('tab', { name: /Regimen/ }).click();
  const picker = page.getByTestId('regimen-model');
  await expect(picker).toHaveValue('demo-truth');
  const fitOption = picker.locator('option', { hasText: 'pk1-oral' }).first();
  await picker.selectOption((await fitOption.getAttribute('value')) ?? '');
  await expect(page.getByTestId('status-model')).toContainText('pk1-oral');
  await expect(page.getByTestId('regimen-model-label')).toContainText('pk1-oral');
  await expect(page.getByTestId('ss-verdict')).toContainText('concentrations only');
  await expect(page.getByTestId('regimen-pk-chart').locator('svg.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('ss-cmax')).not.toHaveText('–');
  await snap(page, testInfo, 'regimen-fit');
  expect(errors).toEqual([]);
});

test('a cancelled fit keeps its last iterate, labelled as such, and a VPC can be cancelled', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await expect(page.getByTestId('fit-model')).toHaveValue('pk1-oral-idr1');
  await page.getByTestId('fit-run').click();
  const cancel = page.getByTestId('fit-cancel');
  await expect(cancel).toBeVisible();
  await expect(page.getByTestId('fit-run')).toBeDisabled();
  // A step or two first, so that there is an iterate to keep.
  await expect(page.getByTestId('fit-progress-text')).toContainText(/Iteration [1-9]/, {
    timeout: FIT_TIMEOUT,
  });
  await snap(page, testInfo, 'fit-running');
  await cancel.click();
  await expect(page.getByTestId('fit-message')).toContainText(/Fit cancelled at iteration \d+/, {
    timeout: FIT_TIMEOUT,
  });
  await expect(cancel).toHaveCount(0);
  await expect(page.getByTestId('fit-run')).toBeEnabled();
  const verdict = page.getByTestId('fit-convergence');
  await expect(verdict).toContainText('Cancelled, not converged');
  await expect(verdict).toContainText(/Cancelled at iteration \d+/);
  await expect(page.getByTestId('parameter-table')).toBeVisible();
  await expect(page.getByTestId('saved-fit')).toHaveCount(1);
  await snap(page, testInfo, 'fit-cancelled');

  // Its curves can be looked at, and a long VPC of it stopped.
  await page.getByRole('tab', { name: /Curves/ }).click();
  await page.getByTestId('vpc-replicates').fill('1000');
  await page.getByTestId('vpc-run').click();
  await expect(page.getByTestId('vpc-progress')).toContainText('Replicate');
  await page.getByTestId('vpc-cancel').click();
  await expect(page.getByTestId('vpc-message')).toContainText('VPC cancelled');
  await expect(page.getByTestId('vpc-run')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('a file that is not a fit is refused with what is wrong', async ({ page }, testInfo) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Model fit/ }).click();
  const bad = JSON.stringify({ format: 'pkpd-workbench-fit', version: 1, result: { ofv: 'low' } });
  await page.getByTestId('fit-import').setInputFiles({
    name: 'bad.fit.json',
    mimeType: 'application/json',
    buffer: Buffer.from(bad),
  });
  const message = page.getByTestId('fit-file-message');
  await expect(message).toContainText('bad.fit.json was not imported');
  await expect(message).toContainText(
    'result: the fields method, spec, converged, message, iterations, estimates',
  );
  await expect(page.getByTestId('saved-fits-empty')).toBeVisible();
  await snap(page, testInfo, 'fit-bad-file');
  expect(errors).toEqual([]);
});
