import { useId, useMemo } from 'react';
import { version as appVersion } from '../../../package.json';
import { CHALLENGE_DEFAULTS, CHALLENGE_SCENARIOS } from '../../core/dosing/challenge';
import { useWorkbench } from '../../state/store';
import { dosingModelOptions } from '../../state/slices/dosingSlice';
import { downloadText } from '../components/download';
import {
  bandText,
  challengeCsv,
  challengeReportHtml,
  doseText,
  intervalLabel,
  percent,
  scenarioLabel,
} from './report';
import { RunProgress } from './RunProgress';

/** 'Heavier: BW 70–140 kg, …' → ['Heavier', 'BW 70–140 kg, …']. */
function splitLabel(label: string): [string, string] {
  const k = label.indexOf(': ');
  return k < 0 ? [label, ''] : [label.slice(0, k), label.slice(k + 2)];
}

/** The challenge's questions as one table for one model, exportable as CSV and as a report. */
export function ChallengeCard() {
  const id = useId();
  const savedFits = useWorkbench((s) => s.savedFits);
  const settings = useWorkbench((s) => s.dosingSettings);
  const set = useWorkbench((s) => s.setDosingSettings);
  const status = useWorkbench((s) => s.challengeStatus);
  const progress = useWorkbench((s) => s.challengeProgress);
  const startedAt = useWorkbench((s) => s.challengeStartedAt);
  const message = useWorkbench((s) => s.challengeMessage);
  const run = useWorkbench((s) => s.challengeRun);
  const dataName = useWorkbench((s) => s.dataset?.name);
  const start = useWorkbench((s) => s.runDosingChallenge);
  const cancel = useWorkbench((s) => s.cancelDosingChallenge);
  const options = useMemo(
    () => dosingModelOptions(savedFits).filter((o) => o.hasBiomarker),
    [savedFits],
  );
  const chosen = options.find((o) => o.id === settings.challengeModelId);
  const running = status === 'running';
  const regimens = CHALLENGE_DEFAULTS.regimens
    .map((r) => `${intervalLabel(r.interval)} in ${r.step} mg steps`)
    .join(' and ');
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="dosing-challenge">
      <h2 id={`${id}-title`}>Challenge questions</h2>
      <dl className="dosing-facts small">
        <dt>Regimens</dt>
        <dd>{regimens}</dd>
        <dt>Populations</dt>
        <dd>{CHALLENGE_SCENARIOS.map((sc) => sc.label).join('; ')}</dd>
        <dt>Targets</dt>
        <dd>
          {CHALLENGE_DEFAULTS.targets.map((t) => `${t * 100}%`).join(' and ')} of the population
          keep the biomarker {settings.direction} {settings.threshold} ng/mL throughout the interval
          at steady state
        </dd>
      </dl>
      <p className="muted small">
        Population size, seed, COMED fraction and threshold come from the settings on the left.
      </p>
      <div className="row">
        <label htmlFor={`${id}-model`}>Answer with</label>
        <select
          id={`${id}-model`}
          value={chosen ? chosen.id : ''}
          onChange={(e) => set({ challengeModelId: e.currentTarget.value })}
          disabled={running}
          data-testid="challenge-model"
        >
          {chosen ? null : <option value="">Choose a model</option>}
          {options.map((o) => (
            <option key={o.id} value={o.id}>
              {o.label}
            </option>
          ))}
        </select>
        <span className="spacer" />
        {running ? (
          <button
            type="button"
            className="secondary"
            onClick={cancel}
            data-testid="challenge-cancel"
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void start()}
            disabled={!chosen}
            data-testid="challenge-run"
          >
            Answer the challenge questions
          </button>
        )}
      </div>
      {running && progress ? (
        <RunProgress
          progress={progress}
          startedAt={startedAt}
          label="Challenge questions progress"
          testId="challenge-progress"
        />
      ) : null}
      {message ? (
        <p
          className={`alert ${status === 'error' ? 'error' : 'warn'} small`}
          role={status === 'error' ? 'alert' : 'status'}
          data-testid="challenge-message"
        >
          {message}
        </p>
      ) : null}
      {run ? (
        <>
          <p className="small muted" style={{ margin: '0.6rem 0 0.3rem' }}>
            {run.label} · {run.populationText} · {(run.result.elapsedMs / 1000).toFixed(1)} s
          </p>
          <div className="dosing-table-wrap">
            <table className="data dosing-table" data-testid="challenge-table">
              <thead>
                <tr>
                  <th scope="col" className="dosing-text">
                    Scenario
                  </th>
                  <th scope="col" className="dosing-text">
                    Interval
                  </th>
                  <th scope="col" className="dosing-num">
                    Target
                  </th>
                  <th scope="col" className="dosing-num">
                    Dose (mg)
                  </th>
                  <th scope="col" className="dosing-num">
                    Attainment
                  </th>
                  <th scope="col" className="dosing-num">
                    Dose band (95%)
                  </th>
                  <th scope="col" className="dosing-text">
                    Warnings
                  </th>
                </tr>
              </thead>
              <tbody>
                {run.result.answers.map((a, i, all) => {
                  const firstOfScenario = i === 0 || all[i - 1].scenario !== a.scenario;
                  const firstOfRegimen = firstOfScenario || all[i - 1].interval !== a.interval;
                  const span = (same: (b: (typeof all)[number]) => boolean) => {
                    let n = 0;
                    while (i + n < all.length && same(all[i + n])) n++;
                    return n;
                  };
                  const [head, rest] = splitLabel(scenarioLabel(a.scenario));
                  return (
                    <tr
                      key={`${a.scenario}-${a.interval}-${a.target}`}
                      className={firstOfScenario && i > 0 ? 'dosing-group-start' : undefined}
                    >
                      {firstOfScenario ? (
                        <th
                          scope="rowgroup"
                          rowSpan={span((b) => b.scenario === a.scenario)}
                          className="dosing-scenario"
                        >
                          {head}
                          {rest ? <span className="muted small">{rest}</span> : null}
                        </th>
                      ) : null}
                      {firstOfRegimen ? (
                        <td
                          rowSpan={span(
                            (b) => b.scenario === a.scenario && b.interval === a.interval,
                          )}
                          className="dosing-text"
                        >
                          {intervalLabel(a.interval)}
                        </td>
                      ) : null}
                      <td className="dosing-num">{Math.round(a.target * 100)}%</td>
                      <td className="dosing-num dosing-dose-cell" data-testid="challenge-dose">
                        {doseText(a.dose)}
                      </td>
                      <td className="dosing-num" data-testid="challenge-attainment">
                        {percent(a.attainment)}
                      </td>
                      <td className="dosing-num">{bandText(a.doseBand, a.result.maxDose)}</td>
                      <td
                        className={
                          a.warnings.length ? 'dosing-text dosing-warn-cell' : 'dosing-text'
                        }
                      >
                        {a.warnings.length ? a.warnings.join(' ') : '–'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <div className="row" style={{ marginTop: '0.6rem' }}>
            <span className="spacer" />
            <button
              type="button"
              className="secondary small"
              onClick={() =>
                downloadText('challenge-answers.csv', challengeCsv(run.result.answers), 'text/csv')
              }
              data-testid="challenge-csv"
            >
              Download table (CSV)
            </button>
            <button
              type="button"
              className="secondary small"
              onClick={() =>
                downloadText(
                  'challenge-report.html',
                  challengeReportHtml(run, {
                    appVersion,
                    modelDescription: options.find((o) => o.id === run.modelId)?.model.description,
                    dataName,
                  }),
                  'text/html',
                )
              }
              data-testid="challenge-report"
            >
              Download report (HTML)
            </button>
          </div>
        </>
      ) : null}
    </section>
  );
}
