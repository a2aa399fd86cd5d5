import { useId, useMemo, useState } from 'react';
import type { Dataset } from '../../core/data/types';
import { subjectCurves } from '../../core/nlme/curves';
import type { FitResult } from '../../core/nlme/types';
import { expandDoses } from '../../core/pkpd/doseEvents';
import { TimeCourseChart, type Point, type Series } from '../charts/TimeCourseChart';
import { endpointLabel } from '../data/endpoints';

const OBSERVED_COLOUR = '#000000';
const INDIVIDUAL_COLOUR = '#0072B2';
const POPULATION_COLOUR = '#E69F00';

function toPoints(times: ArrayLike<number>, values: ArrayLike<number> | undefined): Point[] {
  if (!values) return [];
  const out: Point[] = [];
  for (let i = 0; i < times.length; i++) out.push({ t: times[i], y: values[i] });
  return out;
}

/**
 * One subject at a time: observations with the population curve (typical subject with its
 * covariates) and the individual curve (its own estimates) on a dense grid. Without the fit's
 * data set the dose records are unknown, and predictions are drawn at the observed times only.
 */
export function SubjectFitPlots({
  result,
  dataset,
  log,
}: {
  result: FitResult;
  dataset: Dataset | null;
  log: boolean;
}) {
  const id = useId();
  const [chosen, setChosen] = useState<string | null>(null);
  const index = Math.max(
    0,
    result.subjects.findIndex((s) => s.id === chosen),
  );
  const subject = result.subjects[index];
  const data = dataset?.subjects.find((s) => s.id === subject?.id) ?? null;

  const view = useMemo(() => {
    if (!subject) return null;
    const dvids = [...new Set(subject.observations.map((o) => o.dvid))].sort((a, b) => a - b);
    const curves = data ? subjectCurves(result.model, subject, data.doses) : null;
    const doseTimes = data
      ? expandDoses(data.doses)
          .filter((d) => d.evid !== 3 && d.amt > 0)
          .map((d) => d.time)
      : [];
    const series = dvids.map((dvid) => {
      const obs = subject.observations.filter((o) => o.dvid === dvid);
      const key = dvid === 1 ? 'concentration' : 'biomarker';
      const list: Series[] = [
        {
          id: 'obs',
          name: 'Observed',
          colour: OBSERVED_COLOUR,
          points: obs.map((o) => ({ t: o.time, y: o.dv })),
          style: 'observed',
        },
      ];
      if (curves) {
        list.push(
          {
            id: 'pred',
            name: 'Population (typical subject)',
            colour: POPULATION_COLOUR,
            points: toPoints(curves.times, curves.population?.[key]),
            style: 'band-edge',
          },
          {
            id: 'ipred',
            name: 'Individual fit',
            colour: INDIVIDUAL_COLOUR,
            points: toPoints(curves.times, curves.individual?.[key]),
            style: 'predicted',
          },
        );
      } else {
        list.push(
          {
            id: 'pred',
            name: 'Population prediction',
            colour: POPULATION_COLOUR,
            points: obs.map((o) => ({ t: o.time, y: o.pred })),
            style: 'band-edge',
          },
          {
            id: 'ipred',
            name: 'Individual prediction',
            colour: INDIVIDUAL_COLOUR,
            points: obs.map((o) => ({ t: o.time, y: o.ipred })),
            style: 'predicted',
          },
        );
      }
      return { dvid, list };
    });
    return { series, doseTimes, problems: curves?.problems ?? [] };
  }, [result, subject, data]);

  if (!subject || !view) return null;
  const covariates = Object.entries(subject.covariates)
    .map(([k, v]) => `${k} ${Number(v.toPrecision(4))}`)
    .join(', ');
  const parameters = Object.entries(subject.parameters)
    .filter(([, v]) => Number.isFinite(v))
    .map(([k, v]) => `${k} ${Number(v.toPrecision(3))}`)
    .join(', ');
  const go = (delta: number) => {
    const n = result.subjects.length;
    setChosen(result.subjects[(index + delta + n) % n].id);
  };

  return (
    <div data-testid="subject-fit">
      <div className="row">
        <label htmlFor={`${id}-subject`}>Subject</label>
        <select
          id={`${id}-subject`}
          value={subject.id}
          onChange={(e) => setChosen(e.currentTarget.value)}
          data-testid="subject-picker"
        >
          {result.subjects.map((s) => (
            <option key={s.id} value={s.id}>
              {s.id}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="secondary"
          onClick={() => go(-1)}
          aria-label="Previous subject"
        >
          ←
        </button>
        <button type="button" className="secondary" onClick={() => go(1)} aria-label="Next subject">
          →
        </button>
        <span className="muted small">
          {covariates ? `${covariates} · ` : ''}individual estimates: {parameters || '–'}
        </span>
      </div>
      <div className="row small" style={{ margin: '0.4rem 0' }} aria-label="Legend">
        <span>
          <span className="legend-swatch" style={{ background: OBSERVED_COLOUR }} />
          observed
        </span>
        <span>
          <span className="legend-swatch" style={{ background: INDIVIDUAL_COLOUR }} />
          individual fit (IPRED)
        </span>
        <span>
          <span className="legend-swatch" style={{ background: POPULATION_COLOUR }} />
          typical subject with these covariates (PRED, dashed)
        </span>
      </div>
      {!data ? (
        <p className="alert warn small" role="note">
          The data set this model was fitted on ({result.dataName}) is not loaded, so dose records
          are unknown: predictions are joined between observed times only.
        </p>
      ) : null}
      {view.problems.length > 0 ? (
        <p className="alert warn small" role="note">
          {view.problems.join(' ')}
        </p>
      ) : null}
      <div className="grid-2">
        {view.series.map(({ dvid, list }) => (
          <TimeCourseChart
            key={dvid}
            title={`Subject ${subject.id}: ${endpointLabel(dvid).short}`}
            yLabel={endpointLabel(dvid).axis}
            series={list}
            logScale={log}
            doseTimes={view.doseTimes}
            testId={`subject-chart-${dvid}`}
          />
        ))}
      </div>
    </div>
  );
}
