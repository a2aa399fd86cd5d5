import { memo } from 'react';
import {
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
  type TooltipContentProps,
} from 'recharts';
import type { NameType, ValueType } from 'recharts/types/component/DefaultTooltipContent';
import { formatNumber, logTicks, niceCeil } from './format';
import { EmptyChart } from './EmptyChart';

export interface XY {
  x: number;
  y: number;
}

export interface ScatterGroup {
  id: string;
  name: string;
  colour: string;
  points: readonly XY[];
}

interface ScatterPlotProps {
  title: string;
  xLabel: string;
  yLabel: string;
  groups: readonly ScatterGroup[];
  /** Draw y = x and give both axes the same range (DV against predictions). */
  identity?: boolean;
  /** Horizontal reference lines, e.g. 0 and ±2 for weighted residuals. */
  hLines?: readonly { y: number; dashed?: boolean }[];
  log?: boolean;
  height?: number;
  testId?: string;
}

/** Points drawn per chart at most; larger sets are thinned evenly (every k-th point). */
const MAX_POINTS = 3000;

function clean(points: readonly XY[], log: boolean, logX: boolean): XY[] {
  const ok = points.filter(
    (p) =>
      Number.isFinite(p.x) && Number.isFinite(p.y) && (!log || (p.y > 0 && (!logX || p.x > 0))),
  );
  if (ok.length <= MAX_POINTS) return ok;
  const step = Math.ceil(ok.length / MAX_POINTS);
  return ok.filter((_, i) => i % step === 0);
}

function PointTooltip({ active, payload }: TooltipContentProps<ValueType, NameType>) {
  if (!active || !payload || payload.length === 0) return null;
  const p = payload[0].payload as XY & { group?: string };
  return (
    <div className="card small" style={{ padding: '0.4rem 0.6rem' }}>
      {p.group ? <strong>{p.group}</strong> : null}
      <div>
        x {formatNumber(p.x)} · y {formatNumber(p.y)}
      </div>
    </div>
  );
}

/**
 * A scatter plot for diagnostics. Only finite values are drawn (and on log axes only positive
 * ones), so no NaN reaches the chart.
 */
export const ScatterPlot = memo(function ScatterPlot({
  title,
  xLabel,
  yLabel,
  groups,
  identity = false,
  hLines = [],
  log = false,
  height = 260,
  testId,
}: ScatterPlotProps) {
  // Residual plots keep a linear y axis; their x axis is logged only for predictions (identity).
  const logX = log && identity;
  const logY = log && identity;
  const cleaned = groups.map((g) => ({
    ...g,
    points: clean(g.points, logY, logX).map((p) => ({ ...p, group: g.name })),
  }));
  const all = cleaned.flatMap((g) => g.points);
  let domain: [number, number] | undefined;
  if (identity && all.length) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of all) {
      lo = Math.min(lo, p.x, p.y);
      hi = Math.max(hi, p.x, p.y);
    }
    domain = log ? [lo, hi] : [Math.min(0, lo), niceCeil(hi)];
  }
  // Recharts' own ticks on a log axis can crowd into a solid bar: give round ones.
  const ticks = domain && log ? logTicks(domain[0], domain[1]) : undefined;
  return (
    <figure style={{ margin: 0 }} data-testid={testId} aria-label={title}>
      <figcaption className="chart-title">
        <h3 style={{ fontSize: '0.92rem' }}>{title}</h3>
      </figcaption>
      {all.length ? (
        <ResponsiveContainer width="100%" height={height}>
          <ScatterChart margin={{ top: 8, right: 14, bottom: 22, left: 4 }}>
            <CartesianGrid stroke="#e3e8ee" />
            <XAxis
              type="number"
              dataKey="x"
              scale={logX ? 'log' : 'linear'}
              domain={domain ?? ['auto', 'auto']}
              allowDataOverflow={Boolean(domain)}
              ticks={logX ? ticks : undefined}
              tickFormatter={(v: number) => formatNumber(v)}
              label={{ value: xLabel, position: 'insideBottom', offset: -12 }}
            />
            <YAxis
              type="number"
              dataKey="y"
              scale={logY ? 'log' : 'linear'}
              domain={domain ?? ['auto', 'auto']}
              allowDataOverflow={Boolean(domain)}
              ticks={logY ? ticks : undefined}
              tickFormatter={(v: number) => formatNumber(v)}
              width={58}
              label={{
                value: yLabel,
                angle: -90,
                position: 'insideLeft',
                style: { textAnchor: 'middle' },
              }}
            />
            {/* Small markers: diagnostics plot hundreds to thousands of points. */}
            <ZAxis type="number" range={[18, 18]} />
            <Tooltip content={PointTooltip} isAnimationActive={false} />
            {domain ? (
              <ReferenceLine
                segment={[
                  { x: domain[0], y: domain[0] },
                  { x: domain[1], y: domain[1] },
                ]}
                stroke="#B42318"
                strokeWidth={1.5}
                ifOverflow="visible"
              />
            ) : null}
            {hLines.map((l) => (
              <ReferenceLine
                key={l.y}
                y={l.y}
                stroke={l.dashed ? '#8897a8' : '#B42318'}
                strokeDasharray={l.dashed ? '5 4' : undefined}
                strokeWidth={l.dashed ? 1.2 : 1.5}
                ifOverflow="extendDomain"
              />
            ))}
            {cleaned.map((g) => (
              <Scatter
                key={g.id}
                name={g.name}
                data={g.points}
                fill={g.colour}
                fillOpacity={0.55}
                shape="circle"
                isAnimationActive={false}
                legendType="none"
              />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      ) : (
        <EmptyChart height={height} />
      )}
    </figure>
  );
});
