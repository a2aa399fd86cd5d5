import { useEffect, useId, useMemo, useState } from 'react';
import { expandDoses } from '../../core/pkpd/doseEvents';
import {
  datasetPredictions,
  subjectCovariates,
  type SubjectPredictionRows,
} from '../../core/neural/datasetPredictions';
import { timeGrid } from '../../core/pkpd/metrics';
import { neuralPredictorOf } from '../../state/neuralModels';
import { useWorkbench } from '../../state/store';
import { ScatterPlot, type ScatterGroup } from '../charts/ScatterPlot';
import { TimeCourseChart, type Series } from '../charts/TimeCourseChart';
import { OKABE_ITO, PREDICTION_COLOUR } from '../charts/palette';
import { formatNumber } from '../charts/format';

const HELD_OUT_COLOUR = PREDICTION_COLOUR;
const TRAINING_COLOUR = '#9aa5b1';
/** Points of a subject's predicted curve. */
const CURVE_POINTS = 400;

function groups(
  rows: SubjectPredictionRows,
  isHeldOut: (subject: number) => boolean,
): ScatterGroup[] {
  const held: { x: number; y: number }[] = [];
  const train: { x: number; y: number }[] = [];
  for (let i = 0; i < rows.subject.length; i++) {
    (isHeldOut(rows.subject[i]) ? held : train).push({ x: rows.predicted[i], y: rows.observed[i] });
  }
  return [
    { id: 'train', name: 'Training subjects', colour: TRAINING_COLOUR, points: train },
    { id: 'held', name: 'Held-out subjects', colour: HELD_OUT_COLOUR, points: held },
  ];
}

/**
 * Curves of the open neural model on the loaded data: observed against predicted for every
 * subject (held-out subjects, which the model never saw, in blue), and one subject at a time.
 */
export function NeuralCurves({ log }: { log: boolean }) {
  const id = useId();
  const meta = useWorkbench((s) => s.neuralModels.find((m) => m.id === s.currentNeuralId));
  const loaded = useWorkbench((s) => (meta ? s.neuralLoaded.includes(meta.id) : false));
  const loadError = useWorkbench((s) => (meta ? s.neuralLoadErrors[meta.id] : undefined));
  const ensure = useWorkbench((s) => s.ensureNeuralPredictor);
  const dataset = useWorkbench((s) => s.dataset);
  const source = useWorkbench((s) => s.source);
  useEffect(() => {
    if (meta) void ensure(meta.id);
  }, [meta, ensure]);
  const predictor = meta && loaded ? neuralPredictorOf(meta.id) : undefined;
  const testIds = useMemo(() => new Set(meta?.training.testSubjects ?? []), [meta]);
  const dataLabel = source?.kind === 'demo' ? 'Demo trial' : dataset?.name;
  const sameData = meta !== undefined && dataLabel === meta.training.dataLabel;
  const predictions = useMemo(
    () => (predictor && dataset ? datasetPredictions(predictor, dataset) : null),
    [predictor, dataset],
  );
  const heldOutSubjects = useMemo(
    () =>
      dataset
        ? dataset.subjects
            .map((s, i) => ({ id: s.id, index: i }))
            .filter((s) => !sameData || testIds.has(s.id))
        : [],
    [dataset, sameData, testIds],
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const subject = heldOutSubjects.find((s) => s.id === chosen) ?? heldOutSubjects[0] ?? null;

  const subjectCurves = useMemo(() => {
    if (!predictor || !dataset || !subject) return null;
    const s = dataset.subjects[subject.index];
    const times = s.observations.map((o) => o.time);
    const doses = expandDoses(s.doses);
    const end = Math.max(1, ...times, ...doses.map((d) => d.time));
    const grid = timeGrid(0, end, end / CURVE_POINTS);
    try {
      const sim = predictor.predict(subjectCovariates(s), s.doses, grid);
      const observed = (dvid: number) =>
        s.observations.filter((o) => o.dvid === dvid).map((o) => ({ t: o.time, y: o.dv }));
      const curve = (values: Float64Array | undefined) =>
        values ? Array.from(grid, (t, i) => ({ t, y: values[i] })) : [];
      const series = (dvid: number, values: Float64Array | undefined): Series[] => [
        {
          id: 'obs',
          name: 'Observed',
          colour: OKABE_ITO[0],
          points: observed(dvid),
          style: 'observed',
        },
        {
          id: 'pred',
          name: 'Network',
          colour: PREDICTION_COLOUR,
          points: curve(values),
          style: 'predicted',
        },
      ];
      return {
        pk: series(1, sim.concentration),
        pd: series(2, sim.biomarker),
        doseTimes: doses.filter((d) => d.amt > 0).map((d) => d.time),
      };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }, [predictor, dataset, subject]);

  if (!meta) return null;
  const isHeldOut = (i: number) =>
    sameData && dataset ? testIds.has(dataset.subjects[i].id) : false;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="neural-curves">
      <h2 id={`${id}-title`}>Neural model: {meta.label}</h2>
      {loadError ? (
        <div className="alert error" role="alert">
          {loadError}
        </div>
      ) : !predictor || !predictions ? (
        <p role="status">Loading the model…</p>
      ) : (
        <>
          <p className="muted small">
            {sameData
              ? `Blue: the ${testIds.size} held-out subjects, never seen in training (held-out RMSE ${formatNumber(meta.training.pkRmse ?? NaN, 3)} mg/L and ${formatNumber(meta.training.pdRmse ?? NaN, 3)} ng/mL); grey: training subjects.`
              : `This model was trained on ${meta.training.dataLabel}; every subject of the loaded data is new to it.`}
            {predictions.failed > 0
              ? ` ${predictions.failed} subjects could not be predicted and are left out.`
              : ''}
          </p>
          <div className="grid-2">
            <ScatterPlot
              title="Concentration: observed vs predicted"
              xLabel="Predicted (mg/L)"
              yLabel="Observed (mg/L)"
              groups={groups(predictions.pk, isHeldOut)}
              identity
              log={log}
              testId="neural-pk-scatter"
            />
            <ScatterPlot
              title="Biomarker: observed vs predicted"
              xLabel="Predicted (ng/mL)"
              yLabel="Observed (ng/mL)"
              groups={groups(predictions.pd, isHeldOut)}
              identity
              log={log}
              testId="neural-pd-scatter"
            />
          </div>
          {subject ? (
            <>
              <div className="field" style={{ maxWidth: 320, marginTop: '0.8rem' }}>
                <label htmlFor={`${id}-subject`}>{sameData ? 'Held-out subject' : 'Subject'}</label>
                <select
                  id={`${id}-subject`}
                  value={subject.id}
                  onChange={(e) => setChosen(e.currentTarget.value)}
                  data-testid="neural-subject"
                >
                  {heldOutSubjects.map((s) => (
                    <option key={s.id} value={s.id}>
                      {s.id}
                    </option>
                  ))}
                </select>
              </div>
              {subjectCurves && 'error' in subjectCurves ? (
                <div className="alert error small" role="alert">
                  This subject cannot be predicted: {subjectCurves.error}
                </div>
              ) : subjectCurves ? (
                <div className="grid-2">
                  <TimeCourseChart
                    title={`Subject ${subject.id}: concentration`}
                    yLabel="Concentration (mg/L)"
                    series={subjectCurves.pk}
                    doseTimes={subjectCurves.doseTimes}
                    logScale={log}
                    testId="neural-subject-pk"
                  />
                  <TimeCourseChart
                    title={`Subject ${subject.id}: biomarker`}
                    yLabel="Biomarker (ng/mL)"
                    series={subjectCurves.pd}
                    doseTimes={subjectCurves.doseTimes}
                    logScale={log}
                    testId="neural-subject-pd"
                  />
                </div>
              ) : null}
            </>
          ) : null}
        </>
      )}
    </section>
  );
}
