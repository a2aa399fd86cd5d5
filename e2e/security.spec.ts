import { expect, test, type Page } from '@playwright/test';
import { trackErrors } from './helpers';

/**
 * Column names, values and file names are the user's text: the workbench shows them as text
 * and never interprets them as markup or script (issue 8). Each payload below sets a flag on
 * `window`, opens a dialog or fetches an image if it ever runs; the test loads files carrying
 * them through the file input, visits every panel, and checks that nothing ran and the text
 * appears literally. The built site's Content-Security-Policy would also stop an inline handler
 * from running, so the decisive check is that no element was ever built from a payload (tried:
 * a column header rendered with dangerouslySetInnerHTML fails it, the flag stays unset).
 */

/** Each payload, if interpreted, sets window.__xss to its number. */
const IMG_NAME = '<img src=x-img onerror=window.__xss=1>';
const SCRIPT_NAME = '<script>window.__xss=2</script>';
const SVG_ID = '<svg onload=window.__xss=3>';
/** Breaks out of an attribute value if one is ever built by string concatenation. */
const ATTR_NOTE = '"><img src=x-attr onerror=alert(4)>';
const IFRAME_NOTE = '<iframe src=javascript:window.__xss=5>';

/** A CSV field, quoted where it holds a quote (doubled inside). */
const field = (v: string) => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** Two subjects, one named by a payload; two numeric covariates and a text column named by payloads. */
const LOADABLE = [
  ['ID', 'TIME', 'DV', 'AMT', 'EVID', 'MDV', 'CMT', 'DVID', IMG_NAME, SCRIPT_NAME, 'NOTE'],
  [SVG_ID, '0', '.', '100', '1', '1', '1', '0', '70', '1', ATTR_NOTE],
  [SVG_ID, '1', '2.5', '0', '0', '0', '2', '1', '70', '1', IFRAME_NOTE],
  [SVG_ID, '4', '1.5', '0', '0', '0', '2', '1', '70', '1', ATTR_NOTE],
  ['2', '0', '.', '50', '1', '1', '1', '0', '82', '0', IFRAME_NOTE],
  ['2', '2', '1.1', '0', '0', '0', '2', '1', '82', '0', ATTR_NOTE],
]
  .map((row) => row.map(field).join(','))
  .join('\n');

/** Refused: a payload in a numeric cell, quoted back in the problem list and the preview. */
const BAD_DV = '<script>window.__xss=6</script>';
const REFUSED = ['ID,TIME,DV,' + IMG_NAME, '1,0,' + BAD_DV + ',70', '1,1,2.5,70'].join('\n');
const REFUSED_NAME = '<img src=x-name onerror=window.__xss=7>.csv';

/** Watches for any sign that a payload ran: a dialog, a request for a payload's image. */
function trackPayloads(page: Page): string[] {
  const signs: string[] = [];
  page.on('dialog', (d) => {
    signs.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => {
    if (/\/x-(img|attr|name)/.test(r.url())) signs.push(`request: ${r.url()}`);
  });
  return signs;
}

/** Nothing ran: no flag, no element built from a payload. */
async function expectNothingRan(page: Page, signs: readonly string[]): Promise<void> {
  expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
  await expect(page.locator('[onerror], [onload], iframe, img[src^="x-"]')).toHaveCount(0);
  await expect(page.locator('#root script')).toHaveCount(0);
  expect(signs).toEqual([]);
}

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
});

test('HTML and script in column names and values are shown as text', async ({ page }) => {
  const errors = trackErrors(page);
  const signs = trackPayloads(page);
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await page.getByTestId('file-input').setInputFiles({
    name: 'payloads.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(LOADABLE),
  });
  await expect(page.getByTestId('status-data')).toContainText('payloads.csv');
  await expect(page.getByTestId('summary-subjects')).toHaveText('2');

  // The text appears literally: as the textContent of the cells, not as elements.
  const records = page.getByTestId('records-table');
  for (const text of [IMG_NAME, SCRIPT_NAME, SVG_ID, ATTR_NOTE, IFRAME_NOTE]) {
    await expect(records).toContainText(text);
  }
  await expect(page.getByTestId('data-summary')).toContainText(IMG_NAME.toUpperCase());
  await expectNothingRan(page, signs);

  // Every panel draws the loaded data somewhere (subject lists, legends, tooltips, tables).
  for (const tab of await page.getByRole('tab').all()) {
    await tab.click();
    await expect(tab).toHaveAttribute('data-state', 'active');
    await expectNothingRan(page, signs);
  }

  // The data set comes back on reload, through the same rendering.
  await page.reload();
  await expect(page.getByTestId('status-data')).toContainText('payloads.csv');
  await page.getByRole('tab', { name: /Data/ }).click();
  await expect(page.getByTestId('records-table')).toContainText(SVG_ID);
  await expectNothingRan(page, signs);
  expect(errors).toEqual([]);
});

test('HTML and script in a refused file and its name are quoted as text', async ({ page }) => {
  const errors = trackErrors(page);
  const signs = trackPayloads(page);
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await page.getByTestId('file-input').setInputFiles({
    name: REFUSED_NAME,
    mimeType: 'text/csv',
    buffer: Buffer.from(REFUSED),
  });
  const problems = page.getByTestId('import-problems');
  await expect(problems).toBeVisible();
  await expect(problems).toContainText(`${REFUSED_NAME} was not loaded`);
  await expect(problems).toContainText(`line 2, column DV, value "${BAD_DV}"`);
  // The preview of the first rows shows the header and the cell as written.
  await expect(problems.locator('th', { hasText: IMG_NAME })).toHaveCount(1);
  await expect(problems.locator('td', { hasText: BAD_DV })).toHaveCount(1);
  // The column mapping form offers the columns by name.
  await expect(page.getByTestId('column-mapping')).toContainText(IMG_NAME);
  await expect(page.getByTestId('status-data')).toContainText('Demo trial');
  await expectNothingRan(page, signs);
  expect(errors).toEqual([]);
});
