import type { ComparePlan, CompareRow, MeanSd } from '../../core/compare/types';
import { CONTROL_ENCODERS, QUANTUM_ENCODERS, type EncoderName } from '../../core/neural/types';
import { OKABE_ITO } from '../charts/palette';
import { formatNumber } from '../charts/format';

/**
 * What the Compare panel draws from the summarised rows, as plain functions: the table's sort,
 * the bar charts' data with error bars, the heat map's grid and its colour scale.
 */

export type Endpoint = 'pk' | 'pd';

/** The columns the table sorts by. */
export const SORT_KEYS = [
  'label',
  'framework',
  'encoder',
  'head',
  'inputs',
  'parameters',
  'pkRmse',
  'pdRmse',
  'outcomeAccuracy',
  'trainSeconds',
  'predictMsPer1000',
  'cells',
] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'ascending' | 'descending';

/** Columns measured from the cells: no value before the candidate's first cell. */
const FROM_CELLS: readonly SortKey[] = ['parameters', 'trainSeconds', 'predictMsPer1000'];

function sortValue(row: CompareRow, key: SortKey): string | number | null {
  if (row.cellsDone === 0 && FROM_CELLS.includes(key)) return null;
  switch (key) {
    case 'pkRmse':
      return row.pkRmse?.mean ?? null;
    case 'pdRmse':
      return row.pdRmse?.mean ?? null;
    case 'cells':
      return row.cellsPlanned > 0 ? row.cellsDone / row.cellsPlanned : null;
    default: {
      const v = row[key];
      return typeof v === 'number' && !Number.isFinite(v) ? null : v;
    }
  }
}

/**
 * The rows sorted by a column. Rows without a value (a candidate with no cell yet) go last in
 * either direction; ties keep the rows' order (the sort is stable).
 */
export function sortRows(
  rows: readonly CompareRow[],
  key: SortKey,
  direction: SortDirection,
): CompareRow[] {
  const sign = direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = sortValue(a, key);
    const y = sortValue(b, key);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    const c =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), 'en');
    return sign * c;
  });
}

/** The direction a column first sorts in: errors and times ascending, accuracy descending. */
export function firstDirection(key: SortKey): SortDirection {
  return key === 'outcomeAccuracy' || key === 'cells' ? 'descending' : 'ascending';
}

/** The kind of model a row is, for the charts' colours and legend. */
export type ModelFamily = 'mechanistic' | 'neural' | 'quantum' | 'control';

export function familyOf(row: Pick<CompareRow, 'kind' | 'encoder'>): ModelFamily {
  if (row.kind === 'mechanistic') return 'mechanistic';
  if (QUANTUM_ENCODERS.includes(row.encoder as EncoderName)) return 'quantum';
  if (CONTROL_ENCODERS.includes(row.encoder as EncoderName)) return 'control';
  return 'neural';
}

/** Okabe–Ito colours, as literal values: an exported chart has no stylesheet. */
export const FAMILY_STYLE: Readonly<Record<ModelFamily, { colour: string; label: string }>> = {
  mechanistic: { colour: OKABE_ITO[3], label: 'Mechanistic (NLME)' },
  neural: { colour: OKABE_ITO[5], label: 'Classical neural' },
  quantum: { colour: OKABE_ITO[6], label: 'Hybrid quantum' },
  control: { colour: OKABE_ITO[2], label: 'Parameter-matched classical control' },
};

/** One bar: a candidate's mean error with its error bar (± sd, clipped at zero). */
export interface BarDatum {
  readonly key: string;
  readonly label: string;
  readonly mean: number;
  readonly sd: number;
  /** [below, above] the mean: the error bar never reaches below zero. */
  readonly error: readonly [number, number];
  readonly n: number;
  readonly family: ModelFamily;
  readonly best: boolean;
}

/**
 * The bars of one endpoint: the main group's candidates that have a value, best (lowest mean)
 * first; `bestKey` is the candidate the core names best (bestRow), marked in the chart.
 */
export function barData(
  rows: readonly CompareRow[],
  endpoint: Endpoint,
  bestKey: string | null,
): BarDatum[] {
  const out: BarDatum[] = [];
  for (const row of rows) {
    const v: MeanSd | null = endpoint === 'pk' ? row.pkRmse : row.pdRmse;
    if (row.group !== 'main' || !v || !Number.isFinite(v.mean)) continue;
    const sd = Number.isFinite(v.sd) ? v.sd : 0;
    out.push({
      key: row.key,
      label: row.label,
      mean: v.mean,
      sd,
      error: [Math.min(sd, Math.max(0, v.mean)), sd],
      n: v.n,
      family: familyOf(row),
      best: row.key === bestKey,
    });
  }
  return out.sort((a, b) => a.mean - b.mean);
}

export interface HeatCell {
  readonly qubits: number;
  readonly layers: number;
  /** PD RMSE (ng/mL), or null before the cell's candidate has a result. */
  readonly value: MeanSd | null;
  readonly label: string | null;
  /** The candidate was planned (false: the grid has a hole the profile does not fill). */
  readonly planned: boolean;
}

export interface HeatGrid {
  readonly qubits: readonly number[];
  readonly layers: readonly number[];
  /** Row-major: cells[qubitIndex][layerIndex]. */
  readonly cells: readonly (readonly HeatCell[])[];
  readonly min: number | null;
  readonly max: number | null;
}

/**
 * The QNN-ResMLP+MoE's PD RMSE over qubits × circuit layers, from the heat-map group's rows
 * (the rows come from every planned candidate, done or not): the axes are the values the plan
 * has (the full profile: the poster's Figure 6, 2–12 qubits × 1–4 layers). Null when the plan
 * has none.
 */
export function heatmapGrid(rows: readonly CompareRow[]): HeatGrid | null {
  const cands = rows.filter(
    (r) =>
      r.group === 'heatmap' &&
      r.encoder === 'qresmlp_moe' &&
      r.qubits !== null &&
      r.qlayers !== null,
  );
  if (cands.length === 0) return null;
  const axis = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
  const qubits = axis(cands.map((r) => r.qubits as number));
  const layers = axis(cands.map((r) => r.qlayers as number));
  const values: number[] = [];
  const cells = qubits.map((q) =>
    layers.map((l): HeatCell => {
      const row = cands.find((r) => r.qubits === q && r.qlayers === l);
      const value = row?.pdRmse && Number.isFinite(row.pdRmse.mean) ? row.pdRmse : null;
      if (value) values.push(value.mean);
      return { qubits: q, layers: l, value, label: row?.label ?? null, planned: row !== undefined };
    }),
  );
  return {
    qubits,
    layers,
    cells,
    min: values.length > 0 ? Math.min(...values) : null,
    max: values.length > 0 ? Math.max(...values) : null,
  };
}

/**
 * Viridis at ten stops (matplotlib's colour map: perceptually uniform, colour-blind safe and
 * readable in greyscale). Position 0 is dark purple, 1 is yellow.
 */
const VIRIDIS = [
  [68, 1, 84],
  [72, 40, 120],
  [62, 74, 137],
  [49, 104, 142],
  [38, 130, 142],
  [31, 158, 137],
  [53, 183, 121],
  [109, 205, 89],
  [180, 222, 44],
  [253, 231, 37],
] as const;

function hex(n: number): string {
  return Math.round(n).toString(16).padStart(2, '0');
}

/**
 * A heat-map cell's fill and text colour. Low errors are yellow (light), high are dark purple,
 * so the best corner stands out; the text is black on light fills and white on dark ones
 * (contrast ≥ 4.5 either way). All values equal: the middle of the scale.
 */
export function heatColour(
  value: number,
  min: number,
  max: number,
): { fill: string; text: string } {
  const span = max - min;
  const t = span > 0 ? Math.min(1, Math.max(0, (value - min) / span)) : 0.5;
  // Reversed: the lowest error takes the light end.
  const x = (1 - t) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const rgb = VIRIDIS[i].map((c, k) => c + f * (VIRIDIS[i + 1][k] - c));
  const fill = `#${rgb.map(hex).join('')}`;
  // Relative luminance (WCAG): black text over fills lighter than about the scale's middle.
  const lum = rgb
    .map((c) => c / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
    .reduce((acc, c, k) => acc + c * [0.2126, 0.7152, 0.0722][k], 0);
  return { fill, text: lum > 0.18 ? '#000000' : '#ffffff' };
}

/** "4.12 ± 0.31" (three significant digits), or '–' without a value; ' (n=1)' has no sd. */
export function formatMeanSd(v: MeanSd | null): string {
  if (!v || !Number.isFinite(v.mean)) return '–';
  if (v.n < 2) return formatNumber(v.mean, 3);
  return `${formatNumber(v.mean, 3)} ± ${formatNumber(v.sd, 2)}`;
}

/** "1,234 (48)": trainable parameters, quantum angles in brackets where there are any. */
export function formatParameters(
  row: Pick<CompareRow, 'parameters' | 'quantumParameters'>,
): string {
  const n = row.parameters.toLocaleString('en-US');
  return row.quantumParameters > 0 ? `${n} (${row.quantumParameters.toLocaleString('en-US')})` : n;
}

/** A file-name stem from the data label: letters, digits and dashes. */
export function fileStem(dataLabel: string): string {
  const slug = dataLabel
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `comparison-${slug || 'data'}`;
}

/** Time left in words, rounded as an estimate should be: '40 s', '3 min', '2 h 5 min'. */
export function formatTimeLeft(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/**
 * "25 models × 3 seeds × 5 folds + a 16-cell heat map × 1 seed × 5 folds = 455 tasks" (the heat
 * map may run over fewer seeds than the main rows).
 */
export function planWords(plan: ComparePlan): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const main = plan.candidates.filter((c) => c.group === 'main');
  const heat = plan.candidates.filter((c) => c.group === 'heatmap');
  const heatKeys = new Set(heat.map((c) => c.key));
  const heatSeeds = new Set(
    plan.tasks.filter((t) => heatKeys.has(t.candidateKey)).map((t) => t.seed),
  ).size;
  const parts = [
    `${plural(main.length, 'model')} × ${plural(plan.seeds.length, 'seed')} × ${plan.folds} folds`,
    ...(heat.length > 0
      ? [`a ${heat.length}-cell heat map × ${plural(heatSeeds, 'seed')} × ${plan.folds} folds`]
      : []),
  ];
  return `${parts.join(' + ')} = ${plan.tasks.length} tasks`;
}
