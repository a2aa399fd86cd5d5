import { memo } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { EpochProgress } from '../../core/neural/types';
import { formatNumber, thinEvenly } from '../charts/format';
import { OKABE_ITO, PREDICTION_COLOUR } from '../charts/palette';

/** The chart draws at most this many epochs (thinned evenly beyond). */
const MAX_POINTS = 400;

function thin(points: readonly EpochProgress[]): EpochProgress[] {
  // A log axis cannot show a zero or negative loss, nor NaN from a diverged run.
  return thinEvenly(
    points.filter((p) => p.trainLoss > 0 && p.valLoss > 0),
    MAX_POINTS,
  );
}

/**
 * Training and validation loss (MSE on the scaled targets, PK + PD) by epoch on a log axis,
 * with the best epoch marked: the weights kept are those of that epoch.
 */
export const LossChart = memo(function LossChart({
  history,
  bestEpoch,
  height = 220,
}: {
  history: readonly EpochProgress[];
  bestEpoch: number;
  height?: number;
}) {
  const data = thin(history);
  if (data.length < 2) return null;
  return (
    <figure style={{ margin: 0 }} aria-label="Loss by epoch" data-testid="neural-loss-chart">
      <ResponsiveContainer width="100%" height={height}>
        <LineChart data={data} margin={{ top: 6, right: 12, bottom: 18, left: 8 }}>
          <CartesianGrid stroke="#e3e8ee" />
          <XAxis
            type="number"
            dataKey="epoch"
            domain={['dataMin', 'dataMax']}
            allowDecimals={false}
            label={{ value: 'Epoch', position: 'insideBottom', offset: -10 }}
          />
          <YAxis
            type="number"
            scale="log"
            domain={['auto', 'auto']}
            allowDataOverflow
            tickFormatter={(v: number) => formatNumber(v, 2)}
            width={60}
            label={{ value: 'Loss (scaled MSE)', angle: -90, position: 'insideLeft', dy: 50 }}
          />
          <Tooltip
            isAnimationActive={false}
            formatter={(v) => formatNumber(Number(v), 4)}
            labelFormatter={(l) => `Epoch ${String(l)}`}
          />
          <Legend verticalAlign="top" height={24} />
          {bestEpoch > 0 ? (
            <ReferenceLine
              x={bestEpoch}
              stroke="#555"
              strokeDasharray="4 3"
              label={{ value: `best ${bestEpoch}`, position: 'insideTopRight', fontSize: 11 }}
            />
          ) : null}
          <Line
            dataKey="trainLoss"
            name="Training"
            stroke={OKABE_ITO[1]}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
          <Line
            dataKey="valLoss"
            name="Validation"
            stroke={PREDICTION_COLOUR}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </figure>
  );
});
