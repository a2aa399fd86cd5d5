import { memo, useMemo } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceArea,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import type { NameType, ValueType } from 'recharts/types/component/DefaultTooltipContent';
import { THRESHOLD_COLOUR } from './palette';
import { EmptyChart } from './EmptyChart';

export interface Point {
  t: number;
  y: number;
}

export interface Series {
  id: string;
  name: string;
  colour: string;
  points: readonly Point[];
  /**
   * 'observed' draws dots joined by a thin line; 'predicted' a smooth line without dots;
   * 'median' a thinner dashed line (a band's centre; a solid curve under it stays visible).
   */
  style: 'observed' | 'predicted' | 'band-edge' | 'median';
}

/** A shaded range between two curves, e.g. the 5th–95th percentiles of a population. */
export interface BandSeries {
  id: string;
  name: string;
  colour: string;
  /** Fill opacity, 0–1. */
  opacity: number;
  points: readonly { t: number; lo: number; hi: number }[];
}

interface TimeCourseChartProps {
  title: string;
  yLabel: string;
  series: readonly Series[];
  /** Shaded ranges drawn under the series, in order (widest first). */
  bands?: readonly BandSeries[];
  logScale?: boolean;
  threshold?: { value: number; label: string };
  /** Dose times, marked as faint vertical lines (skipped when there are too many to read). */
  doseTimes?: readonly number[];
  /** A shaded span, e.g. the last dosing interval. */
  highlight?: { from: number; to: number; label: string };
  height?: number;
  testId?: string;
}

const MAX_DOSE_MARKS = 60;

/**
 * Only finite values are drawn, and on a log axis only positive ones: a chart never shows NaN
 * and never breaks on a zero concentration.
 */
function cleanPoints(points: readonly Point[], log: boolean): Point[] {
  return points.filter((p) => Number.isFinite(p.t) && Number.isFinite(p.y) && (!log || p.y > 0));
}

/** A band keeps the times where both edges are finite (and positive on a log axis). */
function cleanBand(
  points: BandSeries['points'],
  log: boolean,
): { t: number; range: [number, number] }[] {
  const out: { t: number; range: [number, number] }[] = [];
  for (const p of points) {
    const ok = (v: number) => Number.isFinite(v) && (!log || v > 0);
    if (Number.isFinite(p.t) && ok(p.lo) && ok(p.hi)) out.push({ t: p.t, range: [p.lo, p.hi] });
  }
  return out;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e5)) return v.toExponential(2);
  return a < 10 ? v.toPrecision(3) : v.toFixed(1);
}

function SeriesTooltip({ active, payload }: TooltipContentProps<ValueType, NameType>) {
  if (!active || !payload || payload.length === 0) return null;
  const item = payload[0];
  const point = item.payload as Point & { series?: string };
  return (
    <div className="card small" style={{ padding: '0.4rem 0.6rem' }}>
      <div>
        <strong>{point.series ?? item.name}</strong>
      </div>
      <div>
        time {formatNumber(point.t)} h · value {formatNumber(point.y)}
      </div>
    </div>
  );
}

export const TimeCourseChart = memo(function TimeCourseChart({
  title,
  yLabel,
  series,
  bands,
  logScale = false,
  threshold,
  doseTimes,
  highlight,
  height = 300,
  testId,
}: TimeCourseChartProps) {
  const cleaned = series.map((s) => ({
    ...s,
    points: cleanPoints(s.points, logScale).map((p) => ({ ...p, series: s.name })),
  }));
  // Bands are long and change rarely (not with every step of a slider): clean them once.
  const cleanedBands = useMemo(
    () => (bands ?? []).map((b) => ({ ...b, data: cleanBand(b.points, logScale) })),
    [bands, logScale],
  );
  const allT = cleaned.flatMap((s) => s.points.map((p) => p.t));
  for (const b of cleanedBands) if (b.data.length > 0) allT.push(b.data[b.data.length - 1].t);
  const xMax = allT.length ? allT.reduce((m, t) => Math.max(m, t), -Infinity) : 1;
  const hasData =
    cleaned.some((s) => s.points.length > 0) || cleanedBands.some((b) => b.data.length > 0);
  return (
    <figure style={{ margin: 0 }} data-testid={testId} aria-label={title}>
      <figcaption className="chart-title">
        <h3>{title}</h3>
      </figcaption>
      {hasData ? (
        <ResponsiveContainer width="100%" height={height}>
          <ComposedChart margin={{ top: 8, right: 16, bottom: 22, left: 8 }}>
            <CartesianGrid stroke="#e3e8ee" />
            <XAxis
              type="number"
              dataKey="t"
              domain={[0, xMax]}
              allowDataOverflow
              tickFormatter={formatNumber}
              label={{ value: 'Time (h)', position: 'insideBottom', offset: -12 }}
            />
            <YAxis
              type="number"
              dataKey="y"
              scale={logScale ? 'log' : 'linear'}
              domain={logScale ? ['auto', 'auto'] : [0, 'auto']}
              allowDataOverflow={logScale}
              tickFormatter={formatNumber}
              width={64}
              label={{
                value: yLabel,
                angle: -90,
                position: 'insideLeft',
                style: { textAnchor: 'middle' },
              }}
            />
            <Tooltip content={SeriesTooltip} isAnimationActive={false} />
            {highlight ? (
              <ReferenceArea
                x1={highlight.from}
                x2={highlight.to}
                fill="#0b4f6c"
                fillOpacity={0.07}
                ifOverflow="extendDomain"
                label={{ value: highlight.label, position: 'insideTop', fontSize: 11 }}
              />
            ) : null}
            {doseTimes && doseTimes.length <= MAX_DOSE_MARKS
              ? doseTimes.map((t, i) => (
                  <ReferenceLine
                    key={`dose-${i}`}
                    x={t}
                    stroke="#8897a8"
                    strokeOpacity={0.35}
                    strokeDasharray="2 3"
                  />
                ))
              : null}
            {threshold ? (
              <ReferenceLine
                y={threshold.value}
                stroke={THRESHOLD_COLOUR}
                strokeWidth={2}
                strokeDasharray="6 4"
                ifOverflow="extendDomain"
                label={{
                  value: threshold.label,
                  position: 'insideTopRight',
                  fill: THRESHOLD_COLOUR,
                  fontSize: 12,
                }}
              />
            ) : null}
            {cleanedBands.map((b) => (
              <Area
                key={b.id}
                name={b.name}
                data={b.data}
                dataKey="range"
                type="linear"
                stroke="none"
                fill={b.colour}
                fillOpacity={b.opacity}
                dot={false}
                activeDot={false}
                isAnimationActive={false}
                legendType="none"
                tooltipType="none"
              />
            ))}
            {cleaned.map((s) =>
              s.style === 'observed' ? (
                <Scatter
                  key={s.id}
                  name={s.name}
                  data={s.points}
                  fill={s.colour}
                  line={{ stroke: s.colour, strokeOpacity: 0.45, strokeWidth: 1 }}
                  shape="circle"
                  isAnimationActive={false}
                  legendType="none"
                />
              ) : (
                <Line
                  key={s.id}
                  name={s.name}
                  data={s.points}
                  dataKey="y"
                  type="linear"
                  stroke={s.colour}
                  strokeWidth={s.style === 'predicted' ? 2.25 : s.style === 'median' ? 1.5 : 1}
                  strokeDasharray={
                    s.style === 'band-edge' ? '4 3' : s.style === 'median' ? '6 3' : undefined
                  }
                  dot={false}
                  isAnimationActive={false}
                  legendType="none"
                />
              ),
            )}
          </ComposedChart>
        </ResponsiveContainer>
      ) : (
        <EmptyChart height={height} />
      )}
    </figure>
  );
});
