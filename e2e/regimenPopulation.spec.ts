import { expect, test } from '@playwright/test';
import { snap, trackErrors } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

test('population mode: percentile bands and the fraction attaining follow the dose', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  await page.getByRole('tab', { name: /Regimen/ }).click();
  await page.getByTestId('regimen-mode-population').click();
  await expect(page.getByTestId('regimen-mode-population')).toHaveAttribute('data-state', 'on');

  // The bands (90% and 50% intervals) are drawn on both charts, with the patient's curve.
  const charts = page.getByTestId('regimen-charts');
  await expect(charts).toHaveAttribute('data-bands', 'ready');
  for (const id of ['regimen-pk-chart', 'regimen-pd-chart']) {
    await expect(page.getByTestId(id).locator('.recharts-area')).toHaveCount(2);
  }
  await expect(page.getByTestId('regimen-legend')).toContainText('500 virtual subjects');
  // The individual patient's controls stay alongside, and the patient verdict too.
  await expect(page.getByTestId('bw')).toBeVisible();
  await expect(page.getByTestId('ss-verdict')).toBeVisible();

  const attainment = page.getByTestId('population-attainment');
  await expect(attainment).toContainText(
    /\d+(\.\d)?% of the population keeps the biomarker below 3\.3 ng\/mL throughout the interval at steady state/,
  );
  await expect(page.getByTestId('population-spread')).toContainText('between-subject variability');
  const fraction = async () => Number((await attainment.innerText()).match(/([\d.]+)%/)?.[1]);
  const before = await fraction();
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThan(100);

  // Each arrow press moves the dose by 0.5 mg; the fraction is a look-up, so it follows at once.
  await page.getByTestId('dose-slider').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('dose')).toHaveValue('4');
  await expect.poll(fraction).toBeGreaterThan(before);
  // The bands catch up once the slider rests.
  await expect(charts).toHaveAttribute('data-bands', 'ready');
  await snap(page, testInfo, 'regimen-population');

  // The mode and the population settings are kept for the next visit.
  const saved = await page.evaluate(() => localStorage.getItem('pkpd-workbench') ?? '');
  expect(saved).toContain('"regimenMode":"population"');
  expect(saved).toContain('"comedFraction":0.5');
  // Patient mode drops the bands and the population's answer.
  await page.getByTestId('regimen-mode-patient').click();
  await expect(page.getByTestId('regimen-pd-chart').locator('.recharts-area')).toHaveCount(0);
  await expect(page.getByTestId('population-summary')).toHaveCount(0);
  expect(errors).toEqual([]);
});
