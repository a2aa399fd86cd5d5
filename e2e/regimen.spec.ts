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

test('shares a regimen as a link that opens it elsewhere and carries no data', async ({
  page,
  browser,
}, testInfo) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Regimen/ }).click();
  await page.getByTestId('dose').fill('7.5');
  await page.getByTestId('interval-168').click();
  await page.getByTestId('doses').fill('9');
  await page.getByTestId('bw').fill('58');
  await page.getByTestId('threshold-value').fill('2.8');
  await page.getByTestId('regimen-share').click();
  const input = page.getByTestId('regimen-share-link');
  await expect(input).toBeVisible();
  const link = await input.inputValue();
  expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#regimen=[A-Za-z0-9_-]+$/);
  // What it carries: the regimen's settings only (no subject, no observation, no file name).
  const doc = JSON.parse(
    Buffer.from(link.split('#regimen=')[1], 'base64url').toString('utf8'),
  ) as Record<string, unknown>;
  expect(Object.keys(doc).sort()).toEqual(
    [
      'intervalChoice',
      'modelId',
      'modelLabel',
      'patient',
      'population',
      'regimen',
      'regimenMode',
      'threshold',
      'v',
    ].sort(),
  );
  expect(JSON.stringify(doc)).not.toMatch(/Demo trial \(seed|EstData|"ID"|"DV"/);
  await snap(page, testInfo, 'regimen-share');

  // Another browser profile (nothing saved) opens the same regimen.
  const other = await browser.newContext();
  const page2 = await other.newPage();
  await page2.goto(link);
  await expect(page2.getByTestId('regimen-shared-notice')).toContainText(
    'Opened a shared regimen: 7.5 mg every 168 h × 9, biomarker below 2.8 ng/mL.',
  );
  await expect(page2.getByRole('tab', { name: /Regimen/ })).toHaveAttribute('data-state', 'active');
  await expect(page2.getByTestId('dose')).toHaveValue('7.5');
  await expect(page2.getByTestId('doses')).toHaveValue('9');
  await expect(page2.getByTestId('bw')).toHaveValue('58');
  await expect(page2.getByTestId('threshold-value')).toHaveValue('2.8');
  await expect(page2.getByTestId('interval-168')).toHaveAttribute('data-state', 'on');
  // The fragment is dropped once applied: a reload keeps the settings, not the link.
  expect(page2.url()).not.toContain('#regimen=');

  // A damaged link is refused with the reason, and changes nothing.
  const page3 = await other.newPage();
  await page3.goto(link.slice(0, link.length - 30));
  await expect(page3.getByTestId('regimen-shared-notice')).toContainText(
    'This regimen link cannot be used',
  );
  await other.close();
  expect(errors).toEqual([]);
});
