import { useMemo } from 'react';
import type { Threshold } from '../../core/pkpd/metrics';
import type { RegimenPrediction } from '../../core/models/regimenPrediction';
import { useWorkbench } from '../../state/store';
import { PREDICTION_COLOUR } from '../charts/palette';
import { TimeCourseChart, type Point, type Series } from '../charts/TimeCourseChart';

function toPoints(times: Float64Array, values: Float64Array | undefined): Point[] {
  if (!values) return [];
  const out: Point[] = new Array(times.length);
  for (let i = 0; i < times.length; i++) out[i] = { t: times[i], y: values[i] };
  return out;
}

interface Props {
  prediction: RegimenPrediction;
  threshold: Threshold;
  interval: number;
}

export function RegimenCharts({ prediction, threshold, interval }: Props) {
  const logScale = useWorkbench((s) => s.logScale);
  const { pk, pd } = useMemo(() => {
    const { times, concentration, biomarker } = prediction.curve;
    const pk: Series[] = [
      {
        id: 'pk',
        name: 'Predicted concentration',
        colour: PREDICTION_COLOUR,
        points: toPoints(times, concentration),
        style: 'predicted',
      },
    ];
    const pd: Series[] = [
      {
        id: 'pd',
        name: 'Predicted biomarker',
        colour: PREDICTION_COLOUR,
        points: toPoints(times, biomarker),
        style: 'predicted',
      },
    ];
    return { pk, pd };
  }, [prediction]);
  const end = prediction.curve.times[prediction.curve.times.length - 1];
  const highlight = { from: end - interval, to: end, label: 'last interval' };
  return (
    <section className="card grid-2" aria-label="Predicted time courses">
      <TimeCourseChart
        title="Concentration"
        yLabel="Concentration (mg/L)"
        series={pk}
        logScale={logScale}
        doseTimes={prediction.doseTimes}
        highlight={highlight}
        testId="regimen-pk-chart"
      />
      <TimeCourseChart
        title="Biomarker"
        yLabel="Biomarker (ng/mL)"
        series={pd}
        logScale={logScale}
        doseTimes={prediction.doseTimes}
        highlight={highlight}
        threshold={{
          value: threshold.value,
          label: `${threshold.direction} ${threshold.value} ng/mL`,
        }}
        testId="regimen-pd-chart"
      />
    </section>
  );
}
