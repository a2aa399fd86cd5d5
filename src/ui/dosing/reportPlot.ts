import type { AttainmentPoint } from '../../core/dosing/attainment';
import { formatNumber, niceCeil } from '../charts/format';
import { markup, type SafeHtml } from '../report/html';
import { modelColour } from './AttainmentChart';

/**
 * The attainment-vs-dose plot of the report as inline SVG drawn from the numbers (no
 * screenshot, no script, no external resource): each model's fraction attaining against dose
 * with its band, the target as a line, each answer as a vertical, and the doses the trial
 * studied shaded. Lines differ by dash pattern as well as colour, so a black-and-white print
 * still tells them apart.
 */

export interface PlotSeries {
  readonly label: string;
  readonly curve: readonly AttainmentPoint[];
  /** The model's answer, mg (null when no dose reached the target). */
  readonly dose: number | null;
}

export interface AttainmentPlotInput {
  readonly series: readonly PlotSeries[];
  /** Target fraction, 0–1. */
  readonly target: number;
  /** Doses the data the models were fitted on covered, mg, one range per distinct domain. */
  readonly studied: readonly (readonly [number, number])[];
}

/** Dash patterns by model: solid, dashed, dotted, dash-dot… (readable without colour). */
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '5 5', '1 2'];
const WIDTH = 680;
const PLOT_HEIGHT = 300;
const MARGIN = { left: 58, right: 18, top: 22, bottom: 46 };
const LEGEND_ROW = 18;

/** Coordinates with one decimal; never NaN (callers pass finite numbers only). */
const c = (v: number) => (Math.round(v * 10) / 10).toString();

function isFinitePoint(p: AttainmentPoint): boolean {
  return [p.dose, p.attainment, p.lo, p.hi].every(Number.isFinite);
}

/** About six round ticks from 0 to max. */
function ticks(max: number): number[] {
  const step = niceCeil(max / 6);
  const out: number[] = [];
  for (let t = 0; t <= max * (1 + 1e-9); t += step) out.push(Number(t.toPrecision(10)));
  return out;
}

function dashAttr(i: number): SafeHtml | null {
  const dash = DASHES[i % DASHES.length];
  return dash ? markup` stroke-dasharray="${dash}"` : null;
}

export function attainmentPlotSvg(input: AttainmentPlotInput): SafeHtml {
  const series = input.series.map((s) => ({ ...s, curve: s.curve.filter(isFinitePoint) }));
  const drawn = series.filter((s) => s.curve.length > 0);
  const legendRows = series.length > 1 ? series.length : 0;
  const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + legendRows * LEGEND_ROW;
  const label = 'Fraction of the virtual population attaining the target against dose';
  if (drawn.length === 0) {
    return markup`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} 80" width="${WIDTH}" height="80" role="img" aria-label="${label}"><text x="${WIDTH / 2}" y="40" text-anchor="middle" font-size="13" fill="#333">No attainment curve to plot.</text></svg>`;
  }
  const maxCurveDose = Math.max(...drawn.flatMap((s) => s.curve.map((p) => p.dose)));
  const answers = series.map((s) => s.dose).filter((d): d is number => d !== null);
  const studiedHi = input.studied.map((r) => r[1]);
  const xMax = niceCeil(Math.max(maxCurveDose, ...answers, ...studiedHi, 1e-9));
  const x0 = MARGIN.left;
  const x1 = WIDTH - MARGIN.right;
  const y0 = MARGIN.top + PLOT_HEIGHT;
  const y1 = MARGIN.top;
  const sx = (d: number) => x0 + ((x1 - x0) * Math.min(Math.max(d, 0), xMax)) / xMax;
  const sy = (f: number) => y0 - (y0 - y1) * Math.min(Math.max(f, 0), 1);

  const studied = input.studied
    .filter(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && hi >= lo)
    .map(
      ([lo, hi], i) =>
        markup`<rect x="${c(sx(lo))}" y="${y1}" width="${c(Math.max(1, sx(hi) - sx(lo)))}" height="${PLOT_HEIGHT}" fill="#e3e7eb" stroke="#9aa5b1" stroke-dasharray="3 3"/>${
          i === 0
            ? markup`<text x="${c((sx(lo) + sx(hi)) / 2)}" y="${y1 - 6}" text-anchor="middle" font-size="11" fill="#3d4a57">studied ${formatNumber(lo)}–${formatNumber(hi)} mg</text>`
            : null
        }`,
    );

  const xTicks = ticks(xMax).map(
    (t) =>
      markup`<line x1="${c(sx(t))}" x2="${c(sx(t))}" y1="${y0}" y2="${y0 + 5}" stroke="#333"/><text x="${c(sx(t))}" y="${y0 + 18}" text-anchor="middle" font-size="11" fill="#222">${formatNumber(t)}</text>`,
  );
  const yTicks = [0, 0.2, 0.4, 0.6, 0.8, 1].map(
    (f) =>
      markup`<line x1="${x0}" x2="${x1}" y1="${c(sy(f))}" y2="${c(sy(f))}" stroke="#d5dbe1" stroke-width="0.7"/><text x="${x0 - 7}" y="${c(sy(f) + 4)}" text-anchor="end" font-size="11" fill="#222">${Math.round(100 * f)}</text>`,
  );

  const bands = series.map((s, i) => {
    if (s.curve.length === 0) return null;
    const upper = s.curve.map((p) => `${c(sx(p.dose))},${c(sy(p.hi))}`);
    const lower = [...s.curve].reverse().map((p) => `${c(sx(p.dose))},${c(sy(p.lo))}`);
    return markup`<polygon points="${[...upper, ...lower].join(' ')}" fill="${modelColour(i)}" fill-opacity="0.16" stroke="none"/>`;
  });
  const lines = series.map((s, i) => {
    if (s.curve.length === 0) return null;
    const points = s.curve.map((p) => `${c(sx(p.dose))},${c(sy(p.attainment))}`).join(' ');
    return markup`<polyline points="${points}" fill="none" stroke="${modelColour(i)}" stroke-width="2.2"${dashAttr(i)}/>`;
  });
  const answerMarks = series.map((s, i) => {
    if (s.dose === null || !Number.isFinite(s.dose)) return null;
    const x = sx(s.dose);
    // Labels sit low in the plot, where the curves have not risen yet at the answers' doses.
    const y = y0 - 8 - 15 * (series.length - 1 - i);
    return markup`<line x1="${c(x)}" x2="${c(x)}" y1="${y0}" y2="${y1}" stroke="${modelColour(i)}" stroke-width="1.3" stroke-dasharray="4 3"/><text x="${c(x + 4)}" y="${y}" font-size="11" font-weight="bold" fill="#111" stroke="#fff" stroke-width="3" paint-order="stroke">${formatNumber(s.dose)} mg</text>`;
  });
  const target = Number.isFinite(input.target)
    ? markup`<line x1="${x0}" x2="${x1}" y1="${c(sy(input.target))}" y2="${c(sy(input.target))}" stroke="#111" stroke-width="1.2" stroke-dasharray="6 2 1 2"/><text x="${x1 - 4}" y="${c(sy(input.target) + 14)}" text-anchor="end" font-size="11" fill="#111">target ${formatNumber(100 * input.target, 4)}%</text>`
    : null;
  const legendTop = y0 + MARGIN.bottom;
  const legend =
    legendRows > 0
      ? series.map((s, i) => {
          const y = legendTop + i * LEGEND_ROW;
          return markup`<line x1="${x0}" x2="${x0 + 34}" y1="${y - 4}" y2="${y - 4}" stroke="${modelColour(i)}" stroke-width="2.2"${dashAttr(i)}/><text x="${x0 + 42}" y="${y}" font-size="11.5" fill="#111">${s.label}</text>`;
        })
      : null;

  return markup`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}" role="img" aria-label="${label}" font-family="'DejaVu Sans', Helvetica, Arial, sans-serif" class="attainment-plot">
<title>${label}</title>
${studied}
${yTicks}
${bands}
${target}
${lines}
${answerMarks}
<line x1="${x0}" x2="${x1}" y1="${y0}" y2="${y0}" stroke="#333"/>
<line x1="${x0}" x2="${x0}" y1="${y0}" y2="${y1}" stroke="#333"/>
${xTicks}
<text x="${c((x0 + x1) / 2)}" y="${y0 + 36}" text-anchor="middle" font-size="12" fill="#111">Dose (mg)</text>
<text transform="translate(16 ${c((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" font-size="12" fill="#111">Population attaining the target (%)</text>
${legend}
</svg>`;
}
