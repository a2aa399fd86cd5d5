import { downloadBlob } from '../components/download';

/**
 * Charts saved as SVG and PNG, made here from the drawn <svg> (nothing leaves the machine). The
 * chart is wrapped in a standalone SVG with its title and a legend drawn in (a recharts legend
 * is HTML beside the chart, not part of its <svg>), on a white ground; the PNG is that SVG
 * drawn onto a canvas at twice the size, for sharp slides.
 */

export interface ExportLegendItem {
  readonly colour: string;
  readonly label: string;
}

export interface ExportDecoration {
  readonly title: string;
  readonly subtitle?: string;
  readonly legend?: readonly ExportLegendItem[];
}

/** A standalone SVG document, its size in CSS pixels. */
export interface ExportedSvg {
  readonly markup: string;
  readonly width: number;
  readonly height: number;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = "'DejaVu Sans', Arial, sans-serif";
const PAD = 12;
const TITLE_PX = 15;
const SUBTITLE_PX = 12;
const LEGEND_PX = 12;
/** Rough width of a character at LEGEND_PX, to wrap the legend (DejaVu Sans is wide). */
const CHAR_PX = 7.2;

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The chart's <svg> in `container`: recharts' surface, or the first <svg> there. */
export function chartSvgIn(container: Element | null): SVGSVGElement | null {
  if (!container) return null;
  return (
    container.querySelector<SVGSVGElement>('svg.recharts-surface') ??
    container.querySelector<SVGSVGElement>('svg')
  );
}

/** The chart with its title and legend, as a standalone SVG document. */
export function exportableSvg(svg: SVGSVGElement, deco: ExportDecoration): ExportedSvg {
  const box = svg.getBoundingClientRect();
  const width = Math.ceil(box.width || svg.width.baseVal.value || 600);
  const chartHeight = Math.ceil(box.height || svg.height.baseVal.value || 400);
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(chartHeight));
  // Screen-reader and focus attributes mean nothing in a file.
  clone.removeAttribute('tabindex');
  clone.removeAttribute('style');

  const parts: string[] = [];
  let y = PAD + TITLE_PX;
  parts.push(
    `<text x="${PAD}" y="${y}" font-size="${TITLE_PX}" font-weight="600" fill="#1b2631">${escapeXml(deco.title)}</text>`,
  );
  if (deco.subtitle) {
    y += SUBTITLE_PX + 6;
    parts.push(
      `<text x="${PAD}" y="${y}" font-size="${SUBTITLE_PX}" fill="#56657a">${escapeXml(deco.subtitle)}</text>`,
    );
  }
  const chartTop = y + 8;
  let legendY = chartTop + chartHeight + 6;
  let x = PAD;
  for (const item of deco.legend ?? []) {
    const itemWidth = 18 + item.label.length * CHAR_PX + 16;
    if (x + itemWidth > width - PAD && x > PAD) {
      x = PAD;
      legendY += LEGEND_PX + 8;
    }
    parts.push(
      `<rect x="${x}" y="${legendY}" width="12" height="12" rx="2" fill="${escapeXml(item.colour)}"/>`,
      `<text x="${x + 18}" y="${legendY + 10.5}" font-size="${LEGEND_PX}" fill="#1b2631">${escapeXml(item.label)}</text>`,
    );
    x += itemWidth;
  }
  const height = Math.ceil(
    (deco.legend?.length ? legendY + LEGEND_PX : chartTop + chartHeight) + PAD,
  );
  clone.setAttribute('x', '0');
  clone.setAttribute('y', String(chartTop));
  const inner = new XMLSerializer().serializeToString(clone);
  const markup =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    parts.join('') +
    inner +
    `</svg>`;
  return { markup, width, height };
}

export function downloadSvg(svg: ExportedSvg, fileName: string): void {
  downloadBlob(fileName, new Blob([svg.markup], { type: 'image/svg+xml' }));
}

/** Draws the SVG onto a canvas at `scale` × its size and saves it as a PNG. */
export async function downloadPng(svg: ExportedSvg, fileName: string, scale = 2): Promise<void> {
  const img = new Image();
  img.width = svg.width;
  img.height = svg.height;
  // A data URL, not a blob URL: the canvas stays untainted in every browser.
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg.markup)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(svg.width * scale);
  canvas.height = Math.round(svg.height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('this browser cannot draw on a canvas');
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, svg.width, svg.height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('the browser could not encode the PNG');
  downloadBlob(fileName, blob);
}
