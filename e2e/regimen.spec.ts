import { expect, test } from '@playwright/test';
import { snap, trackErrors } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

test('tunes a regimen and follows the steady-state verdict', async ({ page }, testInfo) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Regimen/ }).click();
  const verdict = page.getByTestId('ss-verdict');
  await expect(verdict).toBeVisible();
  await expect(page.getByTestId('regimen-pk-chart').locator('svg.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('regimen-pd-chart').locator('svg.recharts-surface')).toBeVisible();

  // A tiny dose cannot keep the biomarker below 3.3 ng/mL; a large one does.
  const readCmax = async () =>
    Number((await page.getByTestId('ss-cmax').innerText()).replace(/[^0-9.e-]/g, ''));
  await page.getByTestId('dose').fill('0.5');
  await expect(page.getByTestId('dose')).toHaveValue('0.5');
  await expect(verdict).toContainText('does not stay below');
  // The charts follow a deferred copy of the inputs: wait until the metrics settle.
  await expect.poll(readCmax).toBeLessThan(1);
  const cmaxLow = await readCmax();
  await page.getByTestId('dose').fill('60');
  await expect(verdict).toContainText('stays below');
  // Linear PK: 120 times the dose gives 120 times Cmax,ss.
  await expect.poll(async () => (await readCmax()) / cmaxLow).toBeGreaterThan(110);
  expect((await readCmax()) / cmaxLow).toBeLessThan(130);
  await expect(page.getByTestId('extrapolation-warnings')).toContainText(
    'outside the trained doses',
  );

  // Keyboard: the slider moves by one step per arrow key.
  await page.getByTestId('dose-slider').focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('dose')).toHaveValue('59.5');

  // The direction flips the verdict.
  await page.getByTestId('threshold-direction').selectOption('above');
  await expect(verdict).toContainText('does not stay above');

  // Weekly dosing is one click.
  await page.getByTestId('interval-168').click();
  await expect(page.getByRole('heading', { name: /one 168 h interval/ })).toBeVisible();
  await snap(page, testInfo, 'regimen');

  // Settings survive a reload.
  await page.reload();
  await expect(page.getByRole('tab', { name: /Regimen/ })).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('dose')).toHaveValue('59.5');
  await expect(page.getByTestId('threshold-direction')).toHaveValue('above');
  expect(errors).toEqual([]);
});
