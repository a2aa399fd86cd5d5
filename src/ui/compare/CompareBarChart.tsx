import { memo, useId, useMemo, useRef } from 'react';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ErrorBar,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { CompareRow } from '../../core/compare/types';
import { formatNumber } from '../charts/format';
import { ChartExportButtons } from './ChartExportButtons';
import {
  barData,
  FAMILY_STYLE,
  type BarDatum,
  type Endpoint,
  type ModelFamily,
} from './compareView';

const ENDPOINT_INFO: Record<Endpoint, { title: string; axis: string; unit: string }> = {
  pd: { title: 'Biomarker (PD) RMSE', axis: 'PD RMSE, held-out subjects (ng/mL)', unit: 'ng/mL' },
  pk: { title: 'Concentration (PK) RMSE', axis: 'PK RMSE, held-out subjects (mg/L)', unit: 'mg/L' },
};

/** Pixels per bar, with one or two lines of label. */
const BAR_PX = { one: 26, two: 36 };
/** The axis column's width from its longest line, within these bounds. */
const LABEL_WIDTH = { min: 110, max: 300 };
/**
 * Rough widths of a character of the 12 px axis font (DejaVu Sans is wide): a regular one, to
 * wrap, and a bold one, to size the column so that the best's bold label is never clipped.
 */
const LABEL_CHAR_PX = 6.7;
const BOLD_CHAR_PX = 7.8;

/** A candidate's name on the axis: up to two lines split at its ' · ' parts, shortened beyond. */
function tickLines(label: string, best: boolean): string[] {
  const max = Math.floor(LABEL_WIDTH.max / LABEL_CHAR_PX) - (best ? 2 : 0);
  const cut = (text: string) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  if (label.length <= max) return [label];
  const parts = label.split(' · ');
  let first = parts[0];
  let i = 1;
  while (i < parts.length && `${first} · ${parts[i]}`.length <= max) first += ` · ${parts[i++]}`;
  const rest = parts.slice(i).join(' · ');
  return rest ? [cut(first), cut(rest)] : [cut(first)];
}

interface TickProps {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown; index?: number };
}

/** A candidate's name on the axis; the best in bold with a star. */
function CandidateTick({ x, y, payload, data }: TickProps & { data: readonly BarDatum[] }) {
  const d = data[payload?.index ?? -1];
  if (!d) return null;
  const lines = tickLines(d.label, d.best);
  return (
    <g transform={`translate(${Number(x)},${Number(y)})`}>
      <title>{d.label}</title>
      <text
        x={-6}
        y={lines.length === 1 ? 0 : -7}
        textAnchor="end"
        fontSize={12}
        fontWeight={d.best ? 700 : 400}
        fill="#1b2631"
      >
        {lines.map((line, i) => (
          <tspan key={i} x={-6} dy={i === 0 ? '0.35em' : 14}>
            {i === 0 && d.best ? `★ ${line}` : line}
          </tspan>
        ))}
      </text>
    </g>
  );
}

function BarTooltip({
  active,
  payload,
  unit,
}: {
  active?: boolean;
  payload?: readonly { payload?: BarDatum }[];
  unit: string;
}) {
  const d = payload?.[0]?.payload;
  if (!active || !d) return null;
  return (
    <div className="compare-tooltip">
      <strong>
        {d.best ? '★ ' : ''}
        {d.label}
      </strong>
      <br />
      {formatNumber(d.mean, 3)} ± {formatNumber(d.sd, 2)} {unit} (mean ± sd over {d.n}{' '}
      {d.n === 1 ? 'fold' : 'folds and seeds'})
    </div>
  );
}

/**
 * One endpoint's held-out RMSE per candidate of the main group: bars at the mean, error bars
 * ± sd over folds and seeds, best first; the best is starred and bold. Colour says the kind of
 * model (mechanistic, classical neural, hybrid quantum, its classical control).
 */
export const CompareBarChart = memo(function CompareBarChart({
  rows,
  endpoint,
  bestKey,
  subtitle,
  fileStem,
}: {
  rows: readonly CompareRow[];
  endpoint: Endpoint;
  bestKey: string | null;
  subtitle: string;
  fileStem: string;
}) {
  const id = useId();
  const figure = useRef<HTMLElement>(null);
  const info = ENDPOINT_INFO[endpoint];
  const data = useMemo(() => barData(rows, endpoint, bestKey), [rows, endpoint, bestKey]);
  const families = useMemo(
    () =>
      (Object.keys(FAMILY_STYLE) as ModelFamily[]).filter((f) => data.some((d) => d.family === f)),
    [data],
  );
  const legend = families.map((f) => ({
    colour: FAMILY_STYLE[f].colour,
    label: FAMILY_STYLE[f].label,
  }));
  const best = data.find((d) => d.best);
  const lines = data.map((d) => tickLines(d.label, d.best));
  const longest = Math.max(0, ...lines.flat().map((l) => l.length + 2));
  const barPx = lines.some((l) => l.length > 1) ? BAR_PX.two : BAR_PX.one;
  const labelWidth = Math.min(
    LABEL_WIDTH.max,
    Math.max(LABEL_WIDTH.min, Math.ceil(longest * BOLD_CHAR_PX) + 12),
  );
  const title = `${info.title} by model`;
  return (
    <section
      className="card compare-chart-card"
      aria-labelledby={`${id}-title`}
      data-testid={`compare-chart-${endpoint}`}
    >
      <div className="chart-title">
        <h3 id={`${id}-title`}>{title}</h3>
        {data.length > 0 ? (
          <ChartExportButtons
            target={figure}
            what={`the ${info.title} chart`}
            decoration={{
              title: `${title} (mean ± sd, held-out subjects)`,
              subtitle,
              legend: [...legend, ...(best ? [{ colour: '#1b2631', label: '★ best' }] : [])],
            }}
            fileName={`${fileStem}-${endpoint}-rmse`}
            testId={`compare-export-${endpoint}`}
          />
        ) : null}
      </div>
      {data.length === 0 ? (
        <p className="muted small">No {endpoint.toUpperCase()} results yet.</p>
      ) : (
        <>
          <p className="muted small compare-chart-caption">
            Mean ± sd over folds and seeds, lower is better, best first
            {best ? (
              <>
                ; best: <strong>★ {best.label}</strong> ({formatNumber(best.mean, 3)} {info.unit})
              </>
            ) : null}
            .
          </p>
          <figure
            ref={figure}
            className="compare-figure"
            aria-label={`${title}: bars of mean RMSE with ± sd error bars, ${data.length} models, best first`}
          >
            <ResponsiveContainer width="100%" height={data.length * barPx + 56}>
              <BarChart
                data={data as BarDatum[]}
                layout="vertical"
                margin={{ top: 4, right: 24, bottom: 24, left: 8 }}
                barCategoryGap={6}
              >
                <CartesianGrid stroke="#e3e8ee" horizontal={false} />
                <XAxis
                  type="number"
                  domain={[0, 'auto']}
                  tickFormatter={(v: number) => formatNumber(v, 3)}
                  fontSize={12}
                  label={{ value: info.axis, position: 'insideBottom', offset: -14, fontSize: 12 }}
                />
                <YAxis
                  type="category"
                  dataKey="label"
                  width={labelWidth}
                  interval={0}
                  tick={(p: TickProps) => <CandidateTick {...p} data={data} />}
                />
                <Tooltip
                  isAnimationActive={false}
                  cursor={{ fill: 'rgba(11, 79, 108, 0.08)' }}
                  content={(p) => (
                    <BarTooltip
                      active={p.active}
                      payload={p.payload as readonly { payload?: BarDatum }[] | undefined}
                      unit={info.unit}
                    />
                  )}
                />
                <Bar dataKey="mean" name={info.title} isAnimationActive={false}>
                  {data.map((d) => (
                    <Cell
                      key={d.key}
                      fill={FAMILY_STYLE[d.family].colour}
                      stroke={d.best ? '#1b2631' : 'none'}
                      strokeWidth={d.best ? 2 : 0}
                    />
                  ))}
                  <ErrorBar
                    dataKey="error"
                    width={4}
                    stroke="#1b2631"
                    strokeWidth={1.2}
                    isAnimationActive={false}
                  />
                </Bar>
              </BarChart>
            </ResponsiveContainer>
          </figure>
          <ul className="compare-legend" aria-label="Colours">
            {legend.map((l) => (
              <li key={l.label}>
                <span
                  className="legend-swatch"
                  style={{ background: l.colour }}
                  aria-hidden="true"
                />
                {l.label}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
});
