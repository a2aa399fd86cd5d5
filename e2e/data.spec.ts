import { expect, test } from '@playwright/test';
import { estDataPath, snap, trackErrors, trackOffMachineRequests } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
});

test('opens on the demo trial with a summary and plots', async ({ page }, testInfo) => {
  const errors = trackErrors(page);
  const offMachine = trackOffMachineRequests(page);
  await page.reload();
  await expect(
    page.getByRole('heading', { name: 'Which dose, for which population?' }),
  ).toBeVisible();
  await expect(page.getByTestId('status-data')).toContainText('Demo trial');
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await expect(page.getByTestId('summary-doses')).toHaveText('756');
  await expect(page.getByTestId('summary-obs-1')).toHaveText('864');
  await expect(page.getByTestId('summary-obs-2')).toHaveText('1200');
  await expect(page.getByTestId('observed-chart-1').locator('svg.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('observed-chart-2').locator('svg.recharts-surface')).toBeVisible();
  await expect(page.getByTestId('demo-truth')).toContainText('half-life');
  // The backend badge says which compute path runs, and why when it is not WebGPU.
  const backend = page.getByTestId('status-backend');
  if (testInfo.project.name === 'webgpu') await expect(backend).toContainText('WebGPU');
  else await expect(backend).toContainText('CPU');
  await page.getByTestId('log-scale').click();
  await expect(page.getByTestId('log-scale')).toHaveAttribute('data-state', 'checked');
  await snap(page, testInfo, 'data-demo');
  expect(errors).toEqual([]);
  expect(offMachine).toEqual([]);
});

test('loads the challenge data file', async ({ page }, testInfo) => {
  const errors = trackErrors(page);
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await page.getByTestId('file-input').setInputFiles(estDataPath);
  await expect(page.getByTestId('status-data')).toContainText('EstData.csv');
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await expect(page.getByTestId('summary-doses')).toHaveText('756');
  await expect(page.getByTestId('summary-obs-1')).toHaveText('864');
  await expect(page.getByTestId('summary-obs-2')).toHaveText('1200');
  await expect(page.getByTestId('records-table')).toContainText('TIME');
  await snap(page, testInfo, 'data-estdata');
  // Nothing lost on reload: the file comes back.
  await page.reload();
  await expect(page.getByTestId('status-data')).toContainText('EstData.csv');
  await expect(page.getByTestId('summary-obs-2')).toHaveText('1200');
  expect(errors).toEqual([]);
});

test('a bad file is refused with line, column and value, and the demo stays', async ({
  page,
}, testInfo) => {
  const errors = trackErrors(page);
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  const bad = [
    'ID,TIME,DV,AMT,EVID,MDV,CMT,DVID',
    '1,0,.,5,1,1,1,0',
    '1,1,abc,0,0,0,2,1',
    '1,0.5,2.0,0,0,0,2,1',
    '2,-3,1.0,0,0,0,2,1',
  ].join('\n');
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
  const problems = page.getByTestId('import-problems');
  await expect(problems).toBeVisible();
  await expect(problems).toContainText('bad.csv was not loaded');
  await expect(problems).toContainText('line 3, column DV, value "abc"');
  await expect(problems).toContainText('line 5, column TIME');
  await expect(page.getByTestId('status-data')).toContainText('Demo trial');
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await snap(page, testInfo, 'data-bad-file');
  expect(errors).toEqual([]);
});
