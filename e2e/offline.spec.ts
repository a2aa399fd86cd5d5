import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type Page } from '@playwright/test';
import { snap, trackErrors, trackOffMachineRequests } from './helpers';

// The offline promise: after one visit the service worker holds the whole app, so it opens and
// works with the network off; and the built site runs from any sub-path of any static server.
test.use({ serviceWorkers: 'allow' });

const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

/** A fit or a dose search on a loaded machine: give it room. */
const WORK_TIMEOUT = 150_000;
/** The first load competes with the service worker copying 6 MB: slower than usual. */
const FIRST_LOAD_TIMEOUT = 60_000;

/**
 * Collects what the page and its workers report as errors, Content-Security-Policy violations
 * included (Chromium reports them on the console; the listener also names the directive).
 */
function trackErrorsAndCsp(page: Page): string[] {
  const errors = trackErrors(page);
  page.on('worker', (w) =>
    w.on('console', (m) => {
      if (m.type() === 'error') errors.push(`worker ${w.url()}: ${m.text()}`);
    }),
  );
  void page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI}`),
    ),
  );
  return errors;
}

/** Waits until a service worker has copied the app and controls this page. */
async function waitForOfflineCopy(page: Page): Promise<void> {
  await expect(page.getByTestId('offline-status')).toHaveText(/Ready to work offline/, {
    timeout: 60_000,
  });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
}

test('after one visit the app works offline: demo trial, fit, dose answer', async ({
  page,
  context,
}, testInfo) => {
  test.setTimeout(360_000);
  const errors = trackErrorsAndCsp(page);
  const offMachine = trackOffMachineRequests(page);

  // The one visit, online.
  await page.goto('/');
  await expect(page.getByTestId('summary-subjects')).toHaveText('48', {
    timeout: FIRST_LOAD_TIMEOUT,
  });
  await waitForOfflineCopy(page);
  const status = page.getByTestId('offline-status');
  await expect(status).toHaveAttribute('role', 'status');
  await snap(page, testInfo, 'offline-ready');

  // The network goes; a reload still opens the app, from the service worker's copy.
  await context.setOffline(true);
  await page.reload();
  await expect(page.getByTestId('status-data')).toContainText('Demo trial');
  await expect(page.getByTestId('summary-subjects')).toHaveText('48');
  await expect(page.getByTestId('observed-chart-1').locator('svg.recharts-surface')).toBeVisible();
  await expect(status).toHaveText(/Ready to work offline/);
  expect(await page.evaluate(() => navigator.onLine)).toBe(false);

  // Fit the default PK/PD model in its worker: a few iterations and no covariance step keep
  // it short (a real fit, stopped early).
  await page.getByRole('tab', { name: /Model fit/ }).click();
  await expect(page.getByTestId('fit-model')).toHaveValue('pk1-oral-idr1');
  await page.getByTestId('fit-max-iterations').fill('3');
  await page.getByTestId('fit-covariance').uncheck();
  await page.getByTestId('fit-run').click();
  await expect(page.getByTestId('parameter-table')).toBeVisible({ timeout: WORK_TIMEOUT });
  await expect(page.getByTestId('saved-fit')).toHaveCount(1);

  // Ask the fitted model for a dose, in the dosing worker.
  await page.getByRole('tab', { name: /Dosing/ }).click();
  await page.getByTestId('dosing-model-demo-truth').uncheck();
  await page.getByTestId('dosing-models').getByRole('checkbox', { name: /Fit:/ }).check();
  await page.getByTestId('dosing-size').fill('2000');
  await page.getByTestId('dosing-run').click();
  const answer = page.getByTestId('dosing-answer-text');
  await expect(answer).toHaveCount(1, { timeout: WORK_TIMEOUT });
  // The early-stopped fit may find no dose that reaches the target: that is an answer too.
  await expect(answer).toContainText(
    /^(\d+(\.\d+)? mg once daily keeps the biomarker below 3\.3 ng\/mL throughout the interval at steady state in \d+(\.\d)?% of 2,000 virtual subjects|No dose up to \d+ mg once daily reaches the target)/,
  );
  await expect(page.getByTestId('dosing-chart').locator('svg.recharts-surface')).toBeVisible();
  await snap(page, testInfo, 'offline-dosing');

  // The browser's own offline update check of the service worker fails on the console; it is
  // the network being off, not the app.
  expect(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED/.test(e))).toEqual([]);
  expect(offMachine).toEqual([]);
});

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webmanifest': 'application/manifest+json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/**
 * The plainest static server: dist/ under `prefix`, nothing else (no headers, no rewrites), so
 * only the meta-tag CSP applies and any absolute path the build leaked gives a 404.
 */
async function serveDistUnder(prefix: string): Promise<{
  url: string;
  /** Serves sw.js with this appended from now on: a new version of the app, to the browser. */
  publishNewVersion(mark: string): void;
  close(): Promise<void>;
}> {
  let swSuffix = '';
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const relative = pathname.startsWith(prefix) ? pathname.slice(prefix.length) : null;
    const file = relative === null ? null : path.join(distDir, relative || 'index.html');
    if (file === null || !file.startsWith(distDir)) {
      res.writeHead(404).end();
      return;
    }
    stat(file).then(
      (s) => {
        if (!s.isFile()) throw new Error('not a file');
        res.writeHead(200, {
          'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
        });
        const stream = createReadStream(file);
        if (relative === 'sw.js' && swSuffix) {
          stream.on('end', () => res.end(swSuffix));
          stream.pipe(res, { end: false });
        } else {
          stream.pipe(res);
        }
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}${prefix}`,
    publishNewVersion: (mark) => {
      swSuffix = `\n// ${mark}\n`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('the built site runs under a sub-path of a plain static server', async ({
  page,
}, testInfo) => {
  test.setTimeout(300_000);
  const site = await serveDistUnder('/sub/app/');
  try {
    const errors = trackErrorsAndCsp(page);
    const missing: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) missing.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => missing.push(`failed ${r.url()}`));
    const workers: string[] = [];
    page.on('worker', (w) => workers.push(w.url()));

    // The data import worker loads the demo trial.
    await page.goto(site.url);
    await expect(page.getByTestId('summary-subjects')).toHaveText('48', {
      timeout: FIRST_LOAD_TIMEOUT,
    });

    // The service worker registers at the sub-path, and the manifest and its icons resolve.
    await waitForOfflineCopy(page);
    const scope = await page.evaluate(
      async () => (await navigator.serviceWorker.getRegistration())?.scope,
    );
    expect(scope).toBe(site.url);
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    const manifestUrl = new URL(manifestHref ?? '', site.url).href;
    const manifest = (await (await page.request.get(manifestUrl)).json()) as {
      icons: { src: string }[];
    };
    for (const icon of manifest.icons) {
      expect((await page.request.get(new URL(icon.src, manifestUrl).href)).status()).toBe(200);
    }

    // tfjs and its backend load lazily in the training worker: a tiny network trains.
    await page.getByRole('tab', { name: /Neural models/ }).click();
    await page.getByRole('radio', { name: 'MLP', exact: true }).click();
    await page.getByTestId('neural-hidden').fill('8');
    await page.getByTestId('neural-blocks').fill('1');
    await page.getByTestId('neural-batchSize').fill('1024');
    await page.getByTestId('neural-maxEpochs').fill('2');
    await page.getByTestId('neural-patience').fill('2');
    await page.getByTestId('neural-train').click();
    await expect(page.getByTestId('neural-backend-used')).toContainText('Running on', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('neural-model')).toBeVisible({ timeout: WORK_TIMEOUT });

    // A lazily loaded panel.
    await page.getByRole('tab', { name: /Compare/ }).click();
    await expect(page.getByTestId('compare-panel')).toBeVisible();
    await snap(page, testInfo, 'subpath');

    expect(workers.some((u) => u.startsWith(`${site.url}assets/import.worker`))).toBe(true);
    expect(workers.some((u) => u.startsWith(`${site.url}assets/train.worker`))).toBe(true);
    expect(missing).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await site.close();
  }
});

test('a new version waits for the user: "A new version is available — Reload"', async ({
  page,
}, testInfo) => {
  test.setTimeout(180_000);
  const site = await serveDistUnder('/app/');
  try {
    const errors = trackErrorsAndCsp(page);
    await page.goto(site.url);
    await expect(page.getByTestId('summary-subjects')).toHaveText('48', {
      timeout: FIRST_LOAD_TIMEOUT,
    });
    await waitForOfflineCopy(page);

    // The server now has a new version; the page's update check finds it and it waits.
    site.publishNewVersion('version 2');
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    const status = page.getByTestId('offline-status');
    await expect(status).toContainText('A new version is available', { timeout: 60_000 });
    await expect(status).toHaveAttribute('role', 'status');
    const reload = status.getByRole('button', { name: /^Reload/ });
    await expect(reload).toHaveAccessibleName('Reload to use the new version');
    await snap(page, testInfo, 'offline-update');

    // Reload: the new version takes over and the page reloads on it.
    await page.evaluate(() => ((window as { beforeUpdate?: boolean }).beforeUpdate = true));
    await reload.click();
    await page.waitForFunction(() => !(window as { beforeUpdate?: boolean }).beforeUpdate);
    await expect(page.getByTestId('summary-subjects')).toHaveText('48', {
      timeout: FIRST_LOAD_TIMEOUT,
    });
    await expect(status).toHaveText(/Ready to work offline/);
    expect(errors).toEqual([]);
  } finally {
    await site.close();
  }
});
