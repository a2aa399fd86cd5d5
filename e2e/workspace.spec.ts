import { readFile } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { snap, trackErrors } from './helpers';

/** A PK fit of the demo trial takes seconds; give slow machines room. */
const FIT_TIMEOUT = 120_000;

/** The Regimen explorer's answer: every steady-state number and the verdict, as shown. */
async function regimenAnswer(page: Page): Promise<string[]> {
  await expect(page.getByTestId('ss-cmax')).not.toHaveText('–');
  return page.locator('[data-testid^="ss-"]').allInnerTexts();
}

/** Everything the browser keeps for this site: local and session storage, every IndexedDB. */
async function clearEverything(page: Page): Promise<void> {
  await page.evaluate(async () => {
    localStorage.clear();
    sessionStorage.clear();
    const dbs = await indexedDB.databases();
    // A database this page still has open is deleted once the reload closes it.
    await Promise.all(
      dbs.map(
        (db) =>
          new Promise<void>((resolve) => {
            const request = indexedDB.deleteDatabase(db.name ?? '');
            request.onsuccess = request.onerror = request.onblocked = () => resolve();
          }),
      ),
    );
  });
  await page.reload();
}

test('a workspace exported, cleared and imported gives the same answers', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const errors = trackErrors(page);
  await page.goto('/');
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');

  // Demo trial → a quick PK fit.
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await page.getByTestId('fit-model').selectOption('pk1-oral');
  await page.getByTestId('fit-run').click();
  await expect(page.getByTestId('parameter-table')).toBeVisible({ timeout: FIT_TIMEOUT });
  await expect(page.getByTestId('saved-fit')).toHaveCount(1);
  const ofv = await page.getByTestId('fit-ofv').innerText();
  expect(ofv).toMatch(/\d/);

  // The fit answers in the Regimen explorer, at a dose of our choosing.
  await page.getByRole('tab', { name: /Regimen/ }).click();
  const picker = page.getByTestId('regimen-model');
  const fitId =
    (await picker.locator('option', { hasText: 'pk1-oral' }).first().getAttribute('value')) ?? '';
  await picker.selectOption(fitId);
  await expect(page.getByTestId('regimen-model-label')).toContainText('pk1-oral');
  const answer = await regimenAnswer(page);

  // Export the workspace from the header.
  const exportButton = page.getByRole('button', { name: 'Export workspace' });
  const [download] = await Promise.all([page.waitForEvent('download'), exportButton.click()]);
  expect(download.suggestedFilename()).toMatch(/^pkpd-workspace-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await readFile(await download.path());
  expect(JSON.parse(file.toString('utf8'))).toMatchObject({
    format: 'pkpd-workbench-workspace',
    fits: [{ id: fitId }],
  });
  await snap(page, testInfo, 'workspace-exported');

  // Cleared: no fit, the demo truth answers, the first panel opens.
  await clearEverything(page);
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await expect(page.getByRole('tab', { name: /Data/ })).toHaveAttribute('data-state', 'active');
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await expect(page.getByTestId('saved-fit')).toHaveCount(0);
  await expect(page.getByTestId('status-model')).not.toContainText('pk1-oral');

  // A file that is not a workspace is refused with the reason, and nothing changes.
  const importInput = page.getByLabel('Import workspace…');
  await importInput.setInputFiles({
    name: 'not-a-workspace.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ format: 'pkpd-workbench-fit', version: 1 })),
  });
  const alert = page.getByRole('alert').filter({ hasText: 'not-a-workspace.json' });
  await expect(alert).toContainText('was not imported');
  await expect(alert).toContainText('format: expected "pkpd-workbench-workspace"');
  await snap(page, testInfo, 'workspace-refused');
  await alert.getByRole('button', { name: 'Dismiss' }).click();
  await expect(alert).toHaveCount(0);
  await expect(page.getByTestId('saved-fit')).toHaveCount(0);

  // Import the exported file: the page reloads on it.
  await importInput.setInputFiles({
    name: download.suggestedFilename(),
    mimeType: 'application/json',
    buffer: file,
  });
  await expect(page.getByTestId('workspace-status')).toHaveText(
    `Workspace imported from ${download.suggestedFilename()}.`,
    { timeout: 30_000 },
  );
  await expect(page.getByRole('tab', { name: /Regimen/ })).toHaveAttribute('data-state', 'active');
  await expect(page.getByTestId('regimen-model')).toHaveValue(fitId);
  expect(await regimenAnswer(page)).toEqual(answer);
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await expect(page.getByTestId('saved-fit')).toHaveCount(1);
  await expect(page.getByTestId('fit-ofv')).toHaveText(ofv);
  await snap(page, testInfo, 'workspace-imported');

  // Importing over a workspace that holds a fit asks first; declining changes nothing.
  page.once('dialog', (dialog) => {
    expect(dialog.message()).toContain('Replace the current workspace (1 saved fit)');
    void dialog.dismiss();
  });
  await importInput.setInputFiles({
    name: download.suggestedFilename(),
    mimeType: 'application/json',
    buffer: file,
  });
  await expect(page.getByTestId('workspace-status')).toHaveCount(0);
  await expect(page.getByTestId('saved-fit')).toHaveCount(1);
  expect(errors).toEqual([]);
});
