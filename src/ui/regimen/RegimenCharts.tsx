import { useMemo } from 'react';
import type { PercentileBands, PopulationBands } from '../../core/dosing/populationBands';
import type { Threshold } from '../../core/pkpd/metrics';
import type { RegimenPrediction } from '../../core/models/regimenPrediction';
import * as Switch from '@radix-ui/react-switch';
import type { UncertaintyBands } from '../../core/neural/neuralPredictor';
import { useWorkbench } from '../../state/store';
import { PREDICTION_COLOUR } from '../charts/palette';
import {
  TimeCourseChart,
  type BandSeries,
  type Point,
  type Series,
} from '../charts/TimeCourseChart';

/** Population bands: Okabe–Ito sky blue, the median dashed black, the patient in blue. */
const BAND_COLOUR = '#56B4E9';
const MEDIAN_COLOUR = '#000000';
const OUTER_OPACITY = 0.3;
const INNER_OPACITY = 0.5;
const NO_BANDS: BandSeries[] = [];

function toPoints(times: Float64Array, values: Float64Array | undefined): Point[] {
  if (!values) return [];
  const out: Point[] = new Array(times.length);
  for (let i = 0; i < times.length; i++) out[i] = { t: times[i], y: values[i] };
  return out;
}

function toBand(times: Float64Array, lo: Float64Array, hi: Float64Array): BandSeries['points'] {
  const out: { t: number; lo: number; hi: number }[] = new Array(times.length);
  for (let i = 0; i < times.length; i++) out[i] = { t: times[i], lo: lo[i], hi: hi[i] };
  return out;
}

/** The 5–95% and 25–75% bands and the median of one endpoint. */
function populationLayers(
  times: Float64Array,
  b: PercentileBands | undefined,
  what: string,
): { bands: BandSeries[]; median: Series[] } {
  if (!b) return { bands: [], median: [] };
  return {
    bands: [
      {
        id: `${what}-90`,
        name: '5th–95th percentile',
        colour: BAND_COLOUR,
        opacity: OUTER_OPACITY,
        points: toBand(times, b.p5, b.p95),
      },
      {
        id: `${what}-50`,
        name: '25th–75th percentile',
        colour: BAND_COLOUR,
        opacity: INNER_OPACITY,
        points: toBand(times, b.p25, b.p75),
      },
    ],
    median: [
      {
        id: `${what}-median`,
        name: 'Population median',
        colour: MEDIAN_COLOUR,
        points: toPoints(times, b.p50),
        style: 'median',
      },
    ],
  };
}

interface Props {
  prediction: RegimenPrediction;
  threshold: Threshold;
  interval: number;
  /** Population mode: the bands to draw (null while the first ones are computed). */
  bands?: PopulationBands | null;
  /** True while newer bands are being computed (the drawn ones are for earlier inputs). */
  bandsUpdating?: boolean;
  /** A neural model's MC-dropout band (null when off or not available). */
  uncertainty?: UncertaintyBands | null;
  /** The model can draw an uncertainty band (offer the switch). */
  canShowUncertainty?: boolean;
}

/** The network's MC-dropout band: Okabe–Ito orange, lighter than a population band. */
const UNCERTAINTY_COLOUR = '#E69F00';

function uncertaintyLayer(times: Float64Array, b: PercentileBands, what: string): BandSeries[] {
  return [
    {
      id: `${what}-mc90`,
      name: 'Network uncertainty (5th–95th, MC dropout)',
      colour: UNCERTAINTY_COLOUR,
      opacity: 0.35,
      points: toBand(times, b.p5, b.p95),
    },
  ];
}

export function RegimenCharts({
  prediction,
  threshold,
  interval,
  bands,
  bandsUpdating,
  uncertainty,
  canShowUncertainty,
}: Props) {
  const logScale = useWorkbench((s) => s.logScale);
  const showUncertainty = useWorkbench((s) => s.neuralUncertainty);
  const setShowUncertainty = useWorkbench((s) => s.setNeuralUncertainty);
  const progress = useWorkbench((s) => s.bandsProgress);
  const population = bands !== undefined;
  // The bands change only when new ones arrive, not with every step of a dragged slider.
  const layers = useMemo(
    () =>
      bands
        ? {
            pk: populationLayers(bands.times, bands.concentration, 'pk'),
            pd: populationLayers(bands.times, bands.biomarker, 'pd'),
          }
        : null,
    [bands],
  );
  const { pk, pd } = useMemo(() => {
    const { times, concentration, biomarker } = prediction.curve;
    const patientName = population ? 'Individual patient' : 'Predicted';
    const patient = (id: string, what: string, values: Float64Array | undefined): Series => ({
      id,
      name: `${patientName} ${what}`,
      colour: PREDICTION_COLOUR,
      points: toPoints(times, values),
      style: 'predicted',
    });
    if (uncertainty) {
      return {
        pk: {
          bands: uncertaintyLayer(uncertainty.times, uncertainty.concentration, 'pk'),
          series: [patient('pk', 'concentration', concentration)],
        },
        pd: {
          bands: uncertaintyLayer(uncertainty.times, uncertainty.biomarker, 'pd'),
          series: [patient('pd', 'biomarker', biomarker)],
        },
      };
    }
    return {
      pk: {
        bands: layers?.pk.bands ?? NO_BANDS,
        series: [...(layers?.pk.median ?? []), patient('pk', 'concentration', concentration)],
      },
      pd: {
        bands: layers?.pd.bands ?? NO_BANDS,
        series: [...(layers?.pd.median ?? []), patient('pd', 'biomarker', biomarker)],
      },
    };
  }, [prediction, layers, population, uncertainty]);
  const end = prediction.curve.times[prediction.curve.times.length - 1];
  const highlight = { from: end - interval, to: end, label: 'last interval' };
  const bandsState = !population
    ? undefined
    : bands && !bandsUpdating
      ? 'ready'
      : bands
        ? 'updating'
        : 'computing';
  return (
    <section
      className="card"
      aria-label="Predicted time courses"
      data-testid="regimen-charts"
      data-bands={bandsState}
    >
      {population ? (
        <div className="row small regimen-legend" data-testid="regimen-legend">
          <span>
            <span
              className="legend-swatch"
              style={{ background: BAND_COLOUR, opacity: OUTER_OPACITY + 0.1 }}
            />
            5th–95th percentile
          </span>
          <span>
            <span
              className="legend-swatch"
              style={{ background: BAND_COLOUR, opacity: INNER_OPACITY + 0.3 }}
            />
            25th–75th
          </span>
          <span>
            <span
              className="legend-line"
              style={{ borderColor: MEDIAN_COLOUR, borderTopStyle: 'dashed' }}
            />
            median
          </span>
          <span>
            <span className="legend-line thick" style={{ borderColor: PREDICTION_COLOUR }} />
            individual patient
          </span>
          <span className="spacer" />
          {bandsState === 'ready' ? (
            <span className="muted">
              {bands?.subjects.toLocaleString('en-US')} virtual subjects
            </span>
          ) : (
            <span className="muted" role="status">
              {bandsState === 'updating' ? 'updating the bands…' : 'computing the bands…'}
              {progress && progress.total > 0
                ? ` ${Math.round((100 * progress.done) / progress.total)}%`
                : ''}
            </span>
          )}
        </div>
      ) : null}
      {canShowUncertainty ? (
        <div className="row small regimen-legend" data-testid="uncertainty-legend">
          <label className="row" htmlFor="regimen-uncertainty">
            <Switch.Root
              id="regimen-uncertainty"
              className="switch"
              checked={showUncertainty}
              onCheckedChange={setShowUncertainty}
              data-testid="regimen-uncertainty"
            >
              <Switch.Thumb className="switch-thumb" />
            </Switch.Root>
            Network uncertainty
          </label>
          {uncertainty ? (
            <span>
              <span
                className="legend-swatch"
                style={{ background: UNCERTAINTY_COLOUR, opacity: 0.5 }}
              />
              5th–95th percentile of {uncertainty.samples} Monte Carlo dropout passes (the
              network&apos;s own uncertainty, not the spread between patients)
            </span>
          ) : showUncertainty ? (
            <span className="muted">This model was trained without dropout: no band.</span>
          ) : null}
        </div>
      ) : null}
      <div className="grid-2">
        <TimeCourseChart
          title="Concentration"
          yLabel="Concentration (mg/L)"
          series={pk.series}
          bands={pk.bands}
          logScale={logScale}
          doseTimes={prediction.doseTimes}
          highlight={highlight}
          testId="regimen-pk-chart"
        />
        <TimeCourseChart
          title="Biomarker"
          yLabel="Biomarker (ng/mL)"
          series={pd.series}
          bands={pd.bands}
          logScale={logScale}
          doseTimes={prediction.doseTimes}
          highlight={highlight}
          threshold={{
            value: threshold.value,
            label: `${threshold.direction} ${threshold.value} ng/mL`,
          }}
          testId="regimen-pd-chart"
        />
      </div>
    </section>
  );
}
