import { memo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { FitHistoryPoint } from '../../state/slices/fitSlice';
import { formatNumber, thinEvenly } from './format';
import { PREDICTION_COLOUR } from './palette';

/** The chart draws at most this many points (the series is thinned evenly beyond). */
const MAX_POINTS = 300;

function thin(points: readonly FitHistoryPoint[]): FitHistoryPoint[] {
  return thinEvenly(
    points.filter((p) => Number.isFinite(p.iteration) && Number.isFinite(p.ofv)),
    MAX_POINTS,
  );
}

/** Objective function value against iteration, live while a fit runs. */
export const OfvChart = memo(function OfvChart({
  history,
  height = 170,
}: {
  history: readonly FitHistoryPoint[];
  height?: number;
}) {
  // OFVs of different estimation stages measure different things: draw the latest stage.
  const stage = history.length ? history[history.length - 1].stage : 1;
  const data = thin(history.filter((p) => p.stage === stage));
  if (data.length < 2) return null;
  return (
    <figure
      style={{ margin: 0 }}
      aria-label="Objective function by iteration"
      data-testid="ofv-chart"
    >
      {stage > 1 ? (
        <figcaption className="muted small">
          Stage {stage} of the estimation (the earlier stages gave its starting values).
        </figcaption>
      ) : null}
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 18, left: 8 }}>
          <CartesianGrid stroke="#e3e8ee" />
          <XAxis
            type="number"
            dataKey="iteration"
            domain={['dataMin', 'dataMax']}
            allowDecimals={false}
            label={{ value: 'Iteration', position: 'insideBottom', offset: -10 }}
          />
          <YAxis
            type="number"
            dataKey="ofv"
            domain={['auto', 'auto']}
            tickFormatter={(v: number) => formatNumber(v, 5)}
            width={72}
            label={{ value: 'OFV', angle: -90, position: 'insideLeft' }}
          />
          <Tooltip
            isAnimationActive={false}
            formatter={(v) => formatNumber(Number(v), 6)}
            labelFormatter={(l) => `Iteration ${String(l)}`}
          />
          <Line
            dataKey="ofv"
            name="OFV"
            stroke={PREDICTION_COLOUR}
            strokeWidth={2}
            dot={data.length <= 60 ? { r: 2 } : false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
