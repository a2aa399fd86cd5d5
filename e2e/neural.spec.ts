import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { snap, trackErrors, trackOffMachineRequests } from './helpers';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
});

/**
 * A small, quick network (a real training run, only shorter): the GPU backends here are
 * SwiftShader, on the CPU, where every kernel launch is costly, so few and large batches.
 */
async function smallNetwork(page: Page, epochs: number) {
  await page.getByRole('tab', { name: /Neural models/ }).click();
  await page.getByRole('radio', { name: 'MLP', exact: true }).click();
  await page.getByTestId('neural-hidden').fill('8');
  await page.getByTestId('neural-blocks').fill('1');
  await page.getByTestId('neural-batchSize').fill('1024');
  await page.getByTestId('neural-maxEpochs').fill(String(epochs));
  await page.getByTestId('neural-patience').fill(String(epochs));
}

test('trains a network in a worker, scores held-out subjects, keeps it across a reload and predicts with it', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const errors = trackErrors(page);
  const off = trackOffMachineRequests(page);
  const workers: string[] = [];
  page.on('worker', (w) => workers.push(w.url()));
  await smallNetwork(page, 6);
  await page.getByTestId('neural-train').click();

  // The backend is named while it trains; WebGPU where the browser offers it.
  const backend = page.getByTestId('neural-backend-used');
  await expect(backend).toContainText('Running on', { timeout: 60_000 });
  if (testInfo.project.name === 'webgpu') await expect(backend).toContainText('Running on WebGPU');
  else await expect(backend).toContainText(/Running on (WebGL|the CPU)/);

  const model = page.getByTestId('neural-model');
  await expect(model).toBeVisible({ timeout: 150_000 });
  await expect(page.getByTestId('neural-pk-rmse')).toHaveText(/^\d+(\.\d+)? mg\/L$/);
  await expect(page.getByTestId('neural-pd-rmse')).toHaveText(/^\d+(\.\d+)? ng\/mL$/);
  // Real losses came back from the backend (a broken readback gives zeros).
  const losses = (await page.getByTestId('neural-progress-text').innerText()).match(
    /training loss ([\d.]+) · validation loss ([\d.]+)/,
  );
  expect(losses).not.toBeNull();
  expect(Number(losses?.[1])).toBeGreaterThan(0);
  expect(Number(losses?.[2])).toBeGreaterThan(0);
  // Still the backend it started on: no fall-back to the CPU after a failure.
  await expect(backend).not.toContainText('failed during training');
  await expect(page.getByTestId('neural-loss-chart').first()).toBeVisible();
  await expect(page.getByTestId('saved-neural-model')).toHaveCount(1);
  expect(workers.some((u) => u.includes('train'))).toBe(true);
  await snap(page, testInfo, 'neural');

  // The model answers in the Regimen explorer, with its uncertainty band and domain marks.
  await page.getByTestId('neural-use-in-regimen').click();
  await expect(page.getByTestId('regimen-charts')).toBeVisible();
  await expect(page.getByTestId('regimen-model-note')).toContainText('neural network');
  await expect(page.getByTestId('uncertainty-legend')).toContainText('Monte Carlo dropout');
  await page.getByTestId('dose').fill('40');
  await expect(page.getByText(/outside the trained doses/).first()).toBeVisible();
  await snap(page, testInfo, 'neural-regimen');

  // Curves: observed against predicted, held-out subjects marked.
  await page.getByRole('tab', { name: /Curves/ }).click();
  await expect(page.getByTestId('neural-curves')).toContainText('held-out subjects');
  await expect(page.getByTestId('neural-subject-pk')).toBeVisible();
  await snap(page, testInfo, 'neural-curves');

  // Everything survives a reload: the model, the explorer's choice of it.
  await page.reload();
  await page.getByRole('tab', { name: /Regimen/ }).click();
  await expect(page.getByTestId('regimen-model-note')).toContainText('neural network');
  await expect(page.getByTestId('regimen-charts')).toBeVisible();

  // Export, delete, import: the same model comes back.
  await page.getByRole('tab', { name: /Neural models/ }).click();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: /^Export .* as a file$/ }).click();
  const file = await (await download).path();
  const text = await readFile(file, 'utf8');
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: /^Delete / }).click();
  await expect(page.getByTestId('saved-neural-model')).toHaveCount(0);
  await page.getByTestId('neural-import').setInputFiles({
    name: 'model.json',
    mimeType: 'application/json',
    buffer: Buffer.from(text),
  });
  await expect(page.getByTestId('neural-file-message')).toContainText('Imported');
  await expect(page.getByTestId('saved-neural-model')).toHaveCount(1);

  // A file that is not a model is refused with a reason.
  await page.getByTestId('neural-import').setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"hello": 1}'),
  });
  await expect(page.getByTestId('neural-file-message')).toContainText('was not imported');
  expect(errors).toEqual([]);
  expect(off).toEqual([]);
});

test('stop keeps the best epoch so far; cancel keeps nothing', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = trackErrors(page);
  await smallNetwork(page, 3000);
  await page.getByTestId('neural-train').click();
  await expect(page.getByTestId('neural-progress-text')).toContainText('Epoch', {
    timeout: 60_000,
  });
  await page.getByTestId('neural-cancel').click();
  await expect(page.getByTestId('neural-message')).toContainText('cancelled');
  await expect(page.getByTestId('saved-neural-model')).toHaveCount(0);

  await page.getByTestId('neural-train').click();
  await expect(page.getByTestId('neural-progress-text')).toContainText(/Epoch [2-9]/, {
    timeout: 60_000,
  });
  await page.getByTestId('neural-stop').click();
  await expect(page.getByTestId('neural-message')).toContainText('best epoch', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('saved-neural-model')).toHaveCount(1);
  await expect(page.getByTestId('neural-pd-rmse')).toHaveText(/ng\/mL$/);
  expect(errors).toEqual([]);
});

test('settings out of range are marked and not taken', async ({ page }) => {
  await page.getByRole('tab', { name: /Neural models/ }).click();
  await page.getByTestId('neural-hidden').fill('0');
  await expect(page.getByTestId('neural-hidden')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('neural-test-fraction').fill('90');
  await expect(page.getByTestId('neural-test-fraction')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('neural-train')).toBeEnabled();
});

test('a parameter-head model shows the compartmental parameters it learned', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = trackErrors(page);
  await smallNetwork(page, 4);
  await page.getByRole('radio', { name: 'PK/PD parameters' }).click();
  await page.getByRole('radio', { name: 'CPU' }).click();
  await page.getByTestId('neural-train').click();
  await expect(page.getByTestId('neural-model')).toBeVisible({ timeout: 90_000 });
  const table = page.getByTestId('neural-head-parameters');
  await expect(table).toContainText('half-life (h)');
  await expect(table).toContainText('no COMED');
  // The PK parameters are positive numbers for every patient shown.
  for (const name of ['CL (L/h)', 'V (L)', 'ka (1/h)', 'half-life (h)', 'E0 (ng/mL)']) {
    const cells = await table.locator('tr', { hasText: name }).locator('td').allInnerTexts();
    expect(cells.length).toBeGreaterThan(0);
    for (const c of cells) expect(Number(c.replace(/,/g, ''))).toBeGreaterThan(0);
  }
  expect(errors).toEqual([]);
});

test('trains a hybrid quantum network: its circuits run on the backend offered (WebGPU kernel where there is WebGPU)', async ({
  page,
}, testInfo) => {
  test.setTimeout(240_000);
  const errors = trackErrors(page);
  await smallNetwork(page, 3);
  await page.getByRole('radio', { name: 'QNN', exact: true }).click();
  await page.getByTestId('neural-qubits').fill('3');
  await page.getByTestId('neural-qlayers').fill('1');
  await expect(page.getByTestId('neural-readout')).toBeVisible();
  await page.getByTestId('neural-train').click();
  const backend = page.getByTestId('neural-backend-used');
  await expect(backend).toContainText('Running on', { timeout: 60_000 });
  if (testInfo.project.name === 'webgpu') await expect(backend).toContainText('Running on WebGPU');
  await expect(page.getByTestId('neural-model')).toBeVisible({ timeout: 220_000 });
  // No fall-back: the circuit kernel ran where training started.
  await expect(backend).not.toContainText('failed during training');
  const losses = (await page.getByTestId('neural-progress-text').innerText()).match(
    /training loss ([\d.]+) · validation loss ([\d.]+)/,
  );
  expect(Number(losses?.[1])).toBeGreaterThan(0);
  expect(Number(losses?.[2])).toBeGreaterThan(0);
  await expect(page.getByTestId('neural-pd-rmse')).toHaveText(/^\d+(\.\d+)? ng\/mL$/);
  // cascade: a PK and a PD encoder with one hybrid layer each, 3 qubits × 1 layer × 3 angles.
  await expect(page.getByTestId('neural-model')).toContainText('(18 quantum angles)');
  await expect(page.getByTestId('neural-model')).toContainText('3 qubits × 1 circuit layers');
  expect(errors).toEqual([]);
});
