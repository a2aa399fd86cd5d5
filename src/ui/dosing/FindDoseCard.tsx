import { useId, useMemo } from 'react';
import { useWorkbench } from '../../state/store';
import { dosingPlan } from '../../state/slices/dosingSlice';
import { downloadText } from '../components/download';
import { AttainmentChart, modelColour } from './AttainmentChart';
import { DoseReportActions } from './DoseReportActions';
import { answersCsv, bandText, percent } from './report';
import { RunProgress } from './RunProgress';

function questionText(q: {
  interval: number;
  step: number;
  target: number;
  threshold: { value: number; direction: string };
}): string {
  const every =
    q.interval === 24 ? 'once daily' : q.interval === 168 ? 'once weekly' : `every ${q.interval} h`;
  return `The smallest ${every} dose, in steps of ${q.step} mg, at which ${Number((100 * q.target).toPrecision(4))}% of the population keeps the biomarker ${q.threshold.direction} ${q.threshold.value} ng/mL throughout the interval at steady state.`;
}

/** The question, the Find dose button with its progress, then the answer: plot first, then words. */
export function FindDoseCard() {
  const id = useId();
  const settings = useWorkbench((s) => s.dosingSettings);
  const dataset = useWorkbench((s) => s.dataset);
  const savedFits = useWorkbench((s) => s.savedFits);
  const status = useWorkbench((s) => s.dosingStatus);
  const progress = useWorkbench((s) => s.dosingProgress);
  const startedAt = useWorkbench((s) => s.dosingStartedAt);
  const message = useWorkbench((s) => s.dosingMessage);
  const results = useWorkbench((s) => s.dosingResults);
  const info = useWorkbench((s) => s.dosingRunInfo);
  const run = useWorkbench((s) => s.runDosing);
  const cancel = useWorkbench((s) => s.cancelDosing);
  const plan = useMemo(
    () => dosingPlan(settings, dataset, savedFits),
    [settings, dataset, savedFits],
  );
  const running = status === 'running';
  const canRun = plan.problems.length === 0 && plan.jobs.length > 0;
  const shown = info ?? null;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="dosing-find">
      <div className="row">
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          Which dose, for which population
        </h2>
        <span className="spacer" />
        {running ? (
          <button type="button" className="secondary" onClick={cancel} data-testid="dosing-cancel">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void run()}
            disabled={!canRun}
            aria-describedby={canRun ? undefined : `${id}-problems`}
            data-testid="dosing-run"
          >
            Find dose
          </button>
        )}
      </div>
      <p className="small" style={{ marginTop: '0.5rem' }} data-testid="dosing-question">
        {questionText(plan.question)}{' '}
        <span className="muted">Population: {plan.populationText}.</span>
      </p>
      {plan.problems.length > 0 ? (
        <div className="alert error small" id={`${id}-problems`} data-testid="dosing-problems">
          Fix these to run:
          <ul>
            {plan.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {plan.skipped.length > 0 ? (
        <div className="alert warn small" data-testid="dosing-skipped">
          {plan.skipped.join(' ')}
        </div>
      ) : null}
      {running && progress ? (
        <RunProgress
          progress={progress}
          startedAt={startedAt}
          label="Dose search progress"
          testId="dosing-progress"
        />
      ) : null}
      {message ? (
        <p
          className={`alert ${status === 'error' ? 'error' : 'warn'} small`}
          role={status === 'error' ? 'alert' : 'status'}
          data-testid="dosing-message"
        >
          {message}
        </p>
      ) : null}
      {results.length > 0 && shown ? (
        <div className="dosing-result" data-testid="dosing-result">
          {results.length > 1 ? (
            <p className="small dosing-legend-row" aria-hidden="true">
              {results.map((r, i) => (
                <span key={r.modelId}>
                  <span className="legend-swatch" style={{ background: modelColour(i) }} />
                  {r.label}
                </span>
              ))}
            </p>
          ) : null}
          <AttainmentChart results={results} target={shown.question.target} />
          <p className="muted small dosing-caption">
            Lines: fraction of the virtual population whose biomarker stays{' '}
            {shown.question.threshold.direction} {shown.question.threshold.value} ng/mL throughout
            the {shown.question.interval} h interval at steady state; dashed verticals: each
            model&apos;s answer. Spread between subjects is the between-subject variability from the
            model&apos;s Ω; the shaded band of each line is said under its answer.
          </p>
          <ul className="dosing-answers" data-testid="dosing-answers">
            {results.map((r, i) => (
              <li key={r.modelId} data-testid={`dosing-answer-${r.modelId}`}>
                <div className="row">
                  <span className="legend-swatch" style={{ background: modelColour(i) }} />
                  <strong>{r.label}</strong>
                  <span className="spacer" />
                  <span className="dosing-dose" data-testid="dosing-answer-dose">
                    {r.result.dose === null ? 'no dose found' : `${r.result.dose} mg`}
                  </span>
                </div>
                <p className="dosing-summary" data-testid="dosing-answer-text">
                  {r.result.summary}
                </p>
                <p className="small muted">
                  Dose band: <strong>{bandText(r.result.doseBand, r.result.maxDose)}</strong> ·
                  attainment at the answer {percent(r.result.attainment)} · at {r.result.maxDose} mg{' '}
                  {percent(r.result.attainmentAtMax)}
                </p>
                <p className="small muted" data-testid="dosing-answer-band">
                  Band: {r.result.band}.
                </p>
                {r.result.compute ? (
                  <p className="small muted" data-testid="dosing-answer-compute">
                    {r.result.compute.note}
                  </p>
                ) : null}
                {r.warnings.length > 0 ? (
                  <div className="alert warn small" data-testid="dosing-answer-warnings">
                    Outside what the model was fitted on:
                    <ul>
                      {r.warnings.map((w) => (
                        <li key={w}>{w}</li>
                      ))}
                    </ul>
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
          <div className="row">
            <span className="muted small">
              {shown.populationText} · asked {new Date(shown.date).toLocaleString()}
            </span>
            <span className="spacer" />
            <button
              type="button"
              className="secondary small"
              onClick={() => downloadText('dose-answers.csv', answersCsv(results), 'text/csv')}
              data-testid="dosing-answers-csv"
            >
              Download answers (CSV)
            </button>
            <DoseReportActions />
          </div>
        </div>
      ) : !running ? (
        <p className="muted small" data-testid="dosing-empty">
          Choose the models and the population on the left, then press Find dose.
        </p>
      ) : null}
    </section>
  );
}
