import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import type { Metric } from './simulation';

/**
 * The first screen of the built site (dist/, `npm run build` first) in headless Chromium: what
 * it downloads and how soon it shows something useful. Each run is a cold first visit (fresh
 * browser context, empty cache, service worker blocked) of `vite preview` on 127.0.0.1.
 *
 * - Bytes: every JS and CSS file the page and its workers fetch until the demo trial is on
 *   screen, raw and gzipped (zlib level 9, as a static server would serve them), page and
 *   worker code apart. Fails if any of them carries tfjs: it must load only when a panel
 *   needs it.
 * - Times from navigation start (ms, median over the runs): first contentful paint, largest
 *   contentful paint, and "first meaningful paint" taken as the moment the demo trial's summary
 *   and its concentration chart are both in the page (what a user opens the app for).
 */
const distDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');

/** A chunk that carries tfjs (its code names the package). */
const TFJS_MARK = /@tensorflow\/tfjs|tfjs-core/;

/** Page script: fills window.firstScreen with paint times and `meaningful` (ms). */
const RECORD_FIRST_SCREEN = `
  const marks = {};
  window.firstScreen = marks;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) marks[e.name] = e.startTime;
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) marks.lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new MutationObserver((_m, observer) => {
    const ready =
      document.querySelector('[data-testid="summary-subjects"]') !== null &&
      document.querySelector('[data-testid="observed-chart-1"] svg.recharts-surface') !== null;
    if (!ready) return;
    // The frame after the DOM change is when it is painted.
    requestAnimationFrame(() => (marks.meaningful = performance.now()));
    observer.disconnect();
  }).observe(document, { childList: true, subtree: true });
`;

export interface FirstScreenOptions {
  readonly runs?: number;
  /** Port of the preview server on 127.0.0.1 (the e2e tests use 4173). */
  readonly port?: number;
}

interface LoadTimes {
  readonly fcp: number;
  readonly lcp: number;
  readonly meaningful: number;
}

interface Fetched {
  readonly file: string;
  readonly kind: 'js' | 'css';
  readonly fromWorker: boolean;
}

export async function runFirstScreenBench(opts: FirstScreenOptions = {}): Promise<Metric[]> {
  const runs = opts.runs ?? 5;
  const port = opts.port ?? 4175;
  const { preview } = await import('vite');
  const server = await preview({
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port, strictPort: true },
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox'],
  });
  try {
    const times: LoadTimes[] = [];
    let fetched: Fetched[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await loadOnce(browser, `http://127.0.0.1:${port}/`);
      times.push(run.times);
      if (i === 0) fetched = run.fetched;
    }
    const tfjs = fetched.filter((f) => TFJS_MARK.test(readFileSync(f.file, 'utf8')));
    if (tfjs.length > 0) {
      throw new Error(`The first screen loads tfjs: ${tfjs.map((f) => f.file).join(', ')}`);
    }
    const bytes = (pick: (f: Fetched) => boolean) => {
      const files = fetched.filter(pick).map((f) => readFileSync(f.file));
      return {
        raw: files.reduce((s, b) => s + b.length, 0) / 1024,
        gzip: files.reduce((s, b) => s + gzipSync(b, { level: 9 }).length, 0) / 1024,
        count: files.length,
      };
    };
    const pageJs = bytes((f) => f.kind === 'js' && !f.fromWorker);
    const css = bytes((f) => f.kind === 'css');
    const workerJs = bytes((f) => f.kind === 'js' && f.fromWorker);
    const median = (pick: (t: LoadTimes) => number) => {
      const v = times.map(pick).sort((a, b) => a - b);
      return v[Math.floor(v.length / 2)];
    };
    const bench = 'first-screen';
    return [
      { bench, metric: 'page JS files', value: pageJs.count, unit: 'files' },
      { bench, metric: 'page JS', value: pageJs.raw, unit: 'KiB' },
      { bench, metric: 'page JS gzip', value: pageJs.gzip, unit: 'KiB' },
      { bench, metric: 'CSS', value: css.raw, unit: 'KiB' },
      { bench, metric: 'CSS gzip', value: css.gzip, unit: 'KiB' },
      { bench, metric: 'worker JS files', value: workerJs.count, unit: 'files' },
      { bench, metric: 'worker JS', value: workerJs.raw, unit: 'KiB' },
      { bench, metric: 'worker JS gzip', value: workerJs.gzip, unit: 'KiB' },
      { bench, metric: 'tfjs chunks loaded', value: tfjs.length, unit: 'files' },
      {
        bench,
        metric: `first contentful paint (median of ${runs})`,
        value: median((t) => t.fcp),
        unit: 'ms',
      },
      {
        bench,
        metric: `largest contentful paint (median of ${runs})`,
        value: median((t) => t.lcp),
        unit: 'ms',
      },
      {
        bench,
        metric: `demo trial on screen (median of ${runs})`,
        value: median((t) => t.meaningful),
        unit: 'ms',
      },
      {
        bench,
        metric: 'demo trial on screen (fastest)',
        value: Math.min(...times.map((t) => t.meaningful)),
        unit: 'ms',
      },
      {
        bench,
        metric: 'demo trial on screen (slowest)',
        value: Math.max(...times.map((t) => t.meaningful)),
        unit: 'ms',
      },
    ];
  } finally {
    await browser.close();
    await server.close();
  }
}

async function loadOnce(
  browser: import('@playwright/test').Browser,
  url: string,
): Promise<{ times: LoadTimes; fetched: Fetched[] }> {
  const context = await browser.newContext({
    serviceWorkers: 'block',
    viewport: { width: 1366, height: 860 },
  });
  const fetched: Fetched[] = [];
  context.on('request', (r) => {
    const pathname = new URL(r.url()).pathname;
    const kind = pathname.endsWith('.js') ? 'js' : pathname.endsWith('.css') ? 'css' : null;
    if (kind === null) return;
    // A worker's entry (name.worker-hash.js) and what it imports (its referrer is the worker).
    const referrer = r.headers()['referer'] ?? '';
    const fromWorker = /\.worker-[^/]*\.js$/.test(pathname) || /\.worker-[^/]*\.js$/.test(referrer);
    fetched.push({ file: path.join(distDir, pathname), kind, fromWorker });
  });
  // Paint timings and the moment the demo trial is on screen, recorded in the page itself
  // (a string: tsx's helpers do not exist in the page).
  await context.addInitScript(RECORD_FIRST_SCREEN);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(
    () => (window as unknown as { firstScreen: Record<string, number> }).firstScreen.meaningful,
    undefined,
    { timeout: 120_000 },
  );
  const marks = await page.evaluate(
    () => (window as unknown as { firstScreen: Record<string, number> }).firstScreen,
  );
  await context.close();
  return {
    times: {
      fcp: marks['first-contentful-paint'],
      lcp: marks.lcp,
      meaningful: marks.meaningful,
    },
    fetched: dedupe(fetched),
  };
}

function dedupe(list: Fetched[]): Fetched[] {
  const seen = new Set<string>();
  return list.filter((f) => !seen.has(f.file) && seen.add(f.file));
}
