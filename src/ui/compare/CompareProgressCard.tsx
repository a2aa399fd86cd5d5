import { useId, useMemo } from 'react';
import { dataFingerprint } from '../../core/compare/profiles';
import { useWorkbench } from '../../state/store';
import { compareProgressOf, compareResumeProblem, pendingTasks } from '../../state/compareSweep';
import { formatTimeLeft, planWords } from './compareView';

const STATUS_WORDS = {
  idle: 'Not started',
  running: 'Running',
  paused: 'Paused',
  done: 'Done',
  error: 'Stopped by an error',
} as const;

/**
 * Where the sweep stands: tasks done of all, the task running (candidate, fold, epoch), the time
 * left, and the buttons that pause, cancel, resume or discard it — all reachable by keyboard.
 */
export function CompareProgressCard() {
  const id = useId();
  const sweep = useWorkbench((s) => s.compareSweep);
  const status = useWorkbench((s) => s.compareStatus);
  const pausing = useWorkbench((s) => s.comparePausing);
  const live = useWorkbench((s) => s.compareLive);
  const measured = useWorkbench((s) => s.compareTaskSeconds);
  const workers = useWorkbench((s) => s.compareWorkers);
  const message = useWorkbench((s) => s.compareMessage);
  const storageMessage = useWorkbench((s) => s.compareStorageMessage);
  const dataset = useWorkbench((s) => s.dataset);
  // While the data load (after a reload) there is nothing to check the sweep against yet.
  const dataLoading = useWorkbench((s) => s.status === 'loading' || s.status === 'idle');
  const pause = useWorkbench((s) => s.pauseCompare);
  const cancel = useWorkbench((s) => s.cancelCompare);
  const resume = useWorkbench((s) => s.resumeCompare);
  const discard = useWorkbench((s) => s.discardCompare);
  const start = useWorkbench((s) => s.startCompare);
  const fingerprint = useMemo(() => (dataset ? dataFingerprint(dataset) : null), [dataset]);
  if (!sweep) {
    return message ? (
      <div className="alert error small" role="alert" data-testid="compare-message">
        {message}
      </div>
    ) : null;
  }
  const { plan } = sweep;
  const progress = compareProgressOf(sweep, live, measured, workers);
  const left = pendingTasks(sweep).length;
  const running = status === 'running';
  const resumeProblem =
    !running && left > 0 && !dataLoading ? compareResumeProblem(sweep, dataset, fingerprint) : null;
  const word = running && pausing ? 'Pausing' : STATUS_WORDS[status];
  return (
    <section
      className="card compare-progress"
      aria-labelledby={`${id}-title`}
      data-testid="compare-progress"
    >
      <div className="row">
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          {word}
        </h2>
        <span className="spacer" />
        {running ? (
          <>
            <button
              type="button"
              className="secondary"
              onClick={pause}
              disabled={pausing}
              title="Finish the current epoch, drop the running task and keep every task done"
              data-testid="compare-pause"
            >
              {pausing ? 'Pausing…' : 'Pause'}
            </button>
            <button
              type="button"
              className="secondary danger"
              onClick={cancel}
              title="Stop at once; the tasks done are kept"
              data-testid="compare-cancel"
            >
              Cancel
            </button>
          </>
        ) : (
          <>
            {left > 0 && !resumeProblem ? (
              <button
                type="button"
                onClick={() => void resume()}
                disabled={dataLoading}
                data-testid="compare-resume"
              >
                Resume
              </button>
            ) : null}
            <button
              type="button"
              className="secondary danger"
              onClick={() => void discard()}
              data-testid="compare-discard"
            >
              {left > 0 ? 'Discard' : 'Discard results'}
            </button>
          </>
        )}
      </div>
      <p className="muted small compare-plan-line">
        {plan.dataLabel} · {plan.profile} profile · {planWords(plan)} · outcome: biomarker{' '}
        {plan.threshold.direction} {plan.threshold.value} ng/mL
      </p>
      <progress
        className="compare-progress-bar"
        max={progress.total}
        value={progress.done}
        aria-label="Tasks done"
        aria-valuetext={`${progress.done} of ${progress.total} tasks done`}
      />
      <p className="small" role="status" aria-live="polite" data-testid="compare-progress-text">
        <strong>{word}</strong> — {progress.done} of {progress.total} tasks done
        {!running && left > 0 && !resumeProblem ? ' — Resume to run the rest' : ''}
        {left > 0 && progress.secondsLeft !== null
          ? ` · about ${formatTimeLeft(progress.secondsLeft)} left`
          : ''}
      </p>
      {running && live.length > 0 ? (
        <ul className="small compare-now" data-testid="compare-current">
          {live.map((l) => {
            const candidate = plan.candidates.find((c) => c.key === l.task.candidateKey);
            return (
              <li key={l.lane}>
                {workers > 1 ? `Worker ${l.lane + 1}: ` : 'Now: '}
                <strong>{candidate?.label ?? l.task.candidateKey}</strong> · fold {l.task.fold + 1}{' '}
                of {plan.folds} · seed {l.task.seed}
                {l.epoch !== null
                  ? ` · ${candidate?.kind === 'mechanistic' ? 'fit iteration' : 'epoch'} ${l.epoch}${l.maxEpochs !== null ? ` of at most ${l.maxEpochs}` : ''}`
                  : ''}
              </li>
            );
          })}
        </ul>
      ) : running ? (
        <p className="small muted">
          {pausing
            ? 'Ending the current epoch…'
            : `Starting ${workers > 1 ? `${workers} workers` : 'the worker'}…`}
        </p>
      ) : null}
      {resumeProblem ? (
        <div className="alert warn small" role="status" data-testid="compare-mismatch">
          <p>{resumeProblem}</p>
          {dataset ? (
            <button type="button" onClick={() => void start()} data-testid="compare-restart">
              Start again on the data loaded now
            </button>
          ) : null}
        </div>
      ) : null}
      {message ? (
        <div
          className={`alert ${status === 'error' ? 'error' : 'warn'} small`}
          role={status === 'error' ? 'alert' : 'status'}
          data-testid="compare-message"
        >
          {message}
        </div>
      ) : null}
      {storageMessage ? (
        <div className="alert warn small" role="status" data-testid="compare-storage-message">
          {storageMessage}
        </div>
      ) : null}
    </section>
  );
}
