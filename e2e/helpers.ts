import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page, TestInfo } from '@playwright/test';

export const sharedDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../shared');
export const estDataPath = path.join(sharedDir, 'data/EstData.csv');

/** Collects page errors so a journey fails on any uncaught exception. */
export function trackErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

/** Saves a screenshot under screenshots/ when SCREENSHOTS=1 (for looking at what users see). */
export async function snap(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  if (!process.env.SCREENSHOTS) return;
  await page.screenshot({
    path: `screenshots/${testInfo.project.name}-${name}.png`,
    fullPage: true,
  });
}

/** Every request the page makes must stay on this machine. */
export function trackOffMachineRequests(page: Page): string[] {
  const off: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (
      !['127.0.0.1', 'localhost', ''].includes(url.hostname) &&
      !url.protocol.startsWith('data') &&
      !url.protocol.startsWith('blob')
    ) {
      off.push(r.url());
    }
  });
  return off;
}
