import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';

/**
 * Renders the app's SVG icons to the PNG sizes the web manifest and iOS ask for, in headless
 * Chromium (no image library needed): `npx tsx scripts/generate-icons.ts`. The PNGs are
 * committed under public/; run this again only when an SVG changes.
 */
const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public');

const ICONS = [
  { svg: 'icon.svg', png: 'icon-192.png', size: 192 },
  { svg: 'icon.svg', png: 'icon-512.png', size: 512 },
  { svg: 'icon-maskable.svg', png: 'icon-maskable-512.png', size: 512 },
  // iOS draws its own rounded corners: the full-bleed (maskable) design fits it.
  { svg: 'icon-maskable.svg', png: 'apple-touch-icon.png', size: 180 },
] as const;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
try {
  for (const icon of ICONS) {
    const page = await browser.newPage({ viewport: { width: icon.size, height: icon.size } });
    const svg = await readFile(path.join(publicDir, icon.svg), 'utf8');
    const sized = svg.replace('<svg ', `<svg width="${icon.size}" height="${icon.size}" `);
    await page.setContent(`<body style="margin:0;background:transparent">${sized}</body>`);
    await page.screenshot({ path: path.join(publicDir, icon.png), omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}
