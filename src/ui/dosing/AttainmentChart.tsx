import { memo } from 'react';
import {
  Area,
  CartesianGrid,
  ComposedChart,
  Line,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
  type TooltipContentProps,
} from 'recharts';
import type { NameType, ValueType } from 'recharts/types/component/DefaultTooltipContent';
import type { DosingModelResult } from '../../state/slices/dosingSlice';
import { EmptyChart } from '../charts/EmptyChart';
import { formatNumber } from '../charts/format';
import { THRESHOLD_COLOUR } from '../charts/palette';

/** Okabe–Ito, darkest first so the first model reads well on white. */
export const MODEL_COLOURS = [
  '#0072B2',
  '#D55E00',
  '#009E73',
  '#CC79A7',
  '#E69F00',
  '#56B4E9',
  '#000000',
];

export function modelColour(i: number): string {
  return MODEL_COLOURS[i % MODEL_COLOURS.length];
}

interface Row {
  dose: number;
  [key: string]: number | [number, number] | null;
}

/**
 * One row per dose of any model's curve; a model without a point at a dose holds null there
 * (its line and band join across). Only finite values in 0–100% are kept: never NaN on a chart.
 */
function rows(results: readonly DosingModelResult[]): Row[] {
  const byDose = new Map<number, Row>();
  results.forEach((r, i) => {
    for (const p of r.result.curve) {
      if (![p.dose, p.attainment, p.lo, p.hi].every(Number.isFinite)) continue;
      let row = byDose.get(p.dose);
      if (!row) {
        row = { dose: p.dose };
        byDose.set(p.dose, row);
      }
      row[`m${i}`] = 100 * p.attainment;
      row[`b${i}`] = [100 * p.lo, 100 * p.hi];
    }
  });
  const out = [...byDose.values()].sort((a, b) => a.dose - b.dose);
  for (const row of out) {
    results.forEach((_, i) => {
      if (!(`m${i}` in row)) {
        row[`m${i}`] = null;
        row[`b${i}`] = null;
      }
    });
  }
  return out;
}

function makeTooltip(results: readonly DosingModelResult[]) {
  return function AttainmentTooltip({ active, payload }: TooltipContentProps<ValueType, NameType>) {
    if (!active || !payload || payload.length === 0) return null;
    const row = payload[0].payload as Row;
    return (
      <div className="card small" style={{ padding: '0.4rem 0.6rem' }}>
        <strong>{formatNumber(row.dose)} mg</strong>
        {results.map((r, i) => {
          const m = row[`m${i}`] as number | null;
          const b = row[`b${i}`] as [number, number] | null;
          return m === null ? null : (
            <div key={r.modelId}>
              <span className="legend-swatch" style={{ background: modelColour(i) }} />
              {r.label}: {m.toFixed(1)}% (95% {b ? `${b[0].toFixed(1)}–${b[1].toFixed(1)}%` : '–'})
            </div>
          );
        })}
      </div>
    );
  };
}

/** Fraction of the population attaining the target against the dose, one line per model. */
export const AttainmentChart = memo(function AttainmentChart({
  results,
  target,
  height = 340,
}: {
  results: readonly DosingModelResult[];
  /** Target fraction, 0–1. */
  target: number;
  height?: number;
}) {
  const data = rows(results);
  const xMax = data.length ? data[data.length - 1].dose : 1;
  return (
    <figure
      style={{ margin: 0 }}
      aria-label="Target attainment against dose"
      data-testid="dosing-chart"
    >
      {data.length ? (
        <ResponsiveContainer width="100%" height={height}>
          <ComposedChart data={data} margin={{ top: 12, right: 20, bottom: 24, left: 8 }}>
            <CartesianGrid stroke="#e3e8ee" />
            <XAxis
              type="number"
              dataKey="dose"
              domain={[0, xMax]}
              allowDataOverflow
              tickFormatter={(v: number) => formatNumber(v)}
              label={{ value: 'Dose (mg)', position: 'insideBottom', offset: -14 }}
            />
            <YAxis
              type="number"
              domain={[0, 100]}
              ticks={[0, 25, 50, 75, 100]}
              width={56}
              tickFormatter={(v: number) => `${v}%`}
              label={{
                value: 'Population attaining',
                angle: -90,
                position: 'insideLeft',
                style: { textAnchor: 'middle' },
              }}
            />
            <Tooltip content={makeTooltip(results)} isAnimationActive={false} />
            {results.map((r, i) => (
              <Area
                key={`band-${r.modelId}`}
                dataKey={`b${i}`}
                name={`${r.label}: 95% band`}
                type="linear"
                fill={modelColour(i)}
                fillOpacity={0.22}
                stroke="none"
                connectNulls
                isAnimationActive={false}
                legendType="none"
                activeDot={false}
              />
            ))}
            {results.map((r, i) => (
              <Line
                key={`line-${r.modelId}`}
                dataKey={`m${i}`}
                name={r.label}
                type="linear"
                stroke={modelColour(i)}
                strokeWidth={2.25}
                dot={false}
                connectNulls
                isAnimationActive={false}
                legendType="none"
              />
            ))}
            <ReferenceLine
              y={100 * target}
              stroke={THRESHOLD_COLOUR}
              strokeWidth={2}
              strokeDasharray="6 4"
              label={{
                value: `target ${Number((100 * target).toPrecision(4))}%`,
                position: 'insideBottomRight',
                fill: THRESHOLD_COLOUR,
                fontSize: 12,
              }}
            />
            {results.map((r, i) =>
              r.result.dose !== null && Number.isFinite(r.result.dose) ? (
                <ReferenceLine
                  key={`dose-${r.modelId}`}
                  x={r.result.dose}
                  stroke={modelColour(i)}
                  strokeWidth={1.5}
                  strokeDasharray="3 3"
                  label={{
                    value: `${r.result.dose} mg`,
                    position: i % 2 === 0 ? 'insideTopLeft' : 'insideBottomLeft',
                    fill: modelColour(i),
                    fontSize: 12,
                  }}
                />
              ) : null,
            )}
          </ComposedChart>
        </ResponsiveContainer>
      ) : (
        <EmptyChart height={height} />
      )}
    </figure>
  );
});
