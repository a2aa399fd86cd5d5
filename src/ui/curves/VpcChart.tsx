import { memo } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Line,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import type { NameType, ValueType } from 'recharts/types/component/DefaultTooltipContent';
import type { VpcEndpointResult } from '../../core/nlme/vpc';
import { formatNumber } from '../charts/format';
import { endpointLabel } from '../data/endpoints';
import { EmptyChart } from '../charts/EmptyChart';

const MEDIAN_COLOUR = '#D55E00';
const OUTER_COLOUR = '#0072B2';

/** '5th', '50th', '95th'. */
export function percentileLabel(p: number): string {
  const n = Math.round(p * 1000) / 10;
  const last = Math.floor(n) % 10;
  const teen = Math.floor(n) % 100 >= 11 && Math.floor(n) % 100 <= 13;
  const suffix =
    !Number.isInteger(n) || teen
      ? 'th'
      : last === 1
        ? 'st'
        : last === 2
          ? 'nd'
          : last === 3
            ? 'rd'
            : 'th';
  return `${n}${suffix}`;
}

interface Row {
  t: number;
  n: number;
  [key: string]: number | [number, number] | null;
}

function usable(v: number, log: boolean): number | null {
  return Number.isFinite(v) && (!log || v > 0) ? v : null;
}

function rows(endpoint: VpcEndpointResult, log: boolean): Row[] {
  return endpoint.bins
    .filter((b) => Number.isFinite(b.time) && (!log || b.time >= 0))
    .map((b) => {
      const row: Row = { t: b.time, n: b.n };
      b.simulated.forEach((s, k) => {
        const lo = usable(s.lo, log);
        const hi = usable(s.hi, log);
        row[`band${k}`] = lo !== null && hi !== null ? [lo, hi] : null;
        row[`sim${k}`] = usable(s.median, log);
        row[`obs${k}`] = usable(b.observed[k], log);
      });
      return row;
    });
}

function makeTooltip(percentiles: readonly number[]) {
  return function VpcTooltip({ active, payload }: TooltipContentProps<ValueType, NameType>) {
    if (!active || !payload || payload.length === 0) return null;
    const row = payload[0].payload as Row;
    return (
      <div className="card small" style={{ padding: '0.4rem 0.6rem' }}>
        <strong>
          Bin at {formatNumber(row.t)} h ({row.n} observations)
        </strong>
        {percentiles.map((p, k) => {
          const band = row[`band${k}`] as [number, number] | null;
          const obs = row[`obs${k}`] as number | null;
          return (
            <div key={p}>
              {percentileLabel(p)}: observed {obs === null ? '–' : formatNumber(obs)}, simulated{' '}
              {band ? `${formatNumber(band[0])}–${formatNumber(band[1])}` : '–'}
            </div>
          );
        })}
      </div>
    );
  };
}

/**
 * One endpoint's VPC: observed percentiles (black; the median solid, the outer ones dashed) over
 * the bands that hold the same percentiles in the simulated replicates.
 */
export const VpcChart = memo(function VpcChart({
  endpoint,
  percentiles,
  interval,
  log,
  height = 300,
}: {
  endpoint: VpcEndpointResult;
  percentiles: readonly number[];
  interval: number;
  log: boolean;
  height?: number;
}) {
  const data = rows(endpoint, log);
  const { short, axis } = endpointLabel(endpoint.dvid);
  const medianIndex = percentiles.reduce(
    (best, p, k) => (Math.abs(p - 0.5) < Math.abs(percentiles[best] - 0.5) ? k : best),
    0,
  );
  const outside = Math.round(endpoint.outsideFraction * 100);
  const title = `VPC: ${short}`;
  return (
    <figure style={{ margin: 0 }} aria-label={title} data-testid={`vpc-chart-${endpoint.dvid}`}>
      <figcaption className="chart-title">
        <h3>{title}</h3>
        <span className="muted small">
          {endpoint.nObservations} observations · {outside}% of observed percentiles outside their{' '}
          {Math.round(interval * 100)}% band
        </span>
      </figcaption>
      {data.length ? (
        <ResponsiveContainer width="100%" height={height}>
          <ComposedChart data={data} margin={{ top: 8, right: 16, bottom: 22, left: 8 }}>
            <CartesianGrid stroke="#e3e8ee" />
            <XAxis
              type="number"
              dataKey="t"
              domain={[0, 'auto']}
              tickFormatter={(v: number) => formatNumber(v)}
              label={{ value: 'Time (h)', position: 'insideBottom', offset: -12 }}
            />
            <YAxis
              type="number"
              scale={log ? 'log' : 'linear'}
              domain={log ? ['auto', 'auto'] : [0, 'auto']}
              allowDataOverflow={log}
              tickFormatter={(v: number) => formatNumber(v)}
              width={64}
              label={{
                value: axis,
                angle: -90,
                position: 'insideLeft',
                style: { textAnchor: 'middle' },
              }}
            />
            <Tooltip content={makeTooltip(percentiles)} isAnimationActive={false} />
            {percentiles.map((p, k) => (
              <Area
                key={`band${k}`}
                dataKey={`band${k}`}
                name={`Simulated ${percentileLabel(p)} percentile, ${Math.round(interval * 100)}% band`}
                type="linear"
                fill={k === medianIndex ? MEDIAN_COLOUR : OUTER_COLOUR}
                fillOpacity={k === medianIndex ? 0.25 : 0.18}
                stroke="none"
                isAnimationActive={false}
                legendType="none"
              />
            ))}
            {percentiles.map((p, k) => (
              <Line
                key={`obs${k}`}
                dataKey={`obs${k}`}
                name={`Observed ${percentileLabel(p)} percentile`}
                type="linear"
                stroke="#000000"
                strokeWidth={k === medianIndex ? 2 : 1.4}
                strokeDasharray={k === medianIndex ? undefined : '5 3'}
                dot={{ r: 2.5, fill: '#000000' }}
                isAnimationActive={false}
                legendType="none"
              />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      ) : (
        <EmptyChart height={height} />
      )}
    </figure>
  );
});
