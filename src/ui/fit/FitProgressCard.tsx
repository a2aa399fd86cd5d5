import { useWorkbench } from '../../state/store';
import { OfvChart } from '../charts/OfvChart';
import { formatDuration, formatObjective } from '../charts/format';
import { useNow } from '../components/useNow';

const PHASES = {
  estimation: 'estimating parameters',
  covariance: 'computing standard errors',
  done: 'finishing',
} as const;

const STAGES = {
  pk: 'stage 1 of 3: PK alone',
  pd: 'stage 2 of 3: PD given individual PK',
  joint: 'stage 3 of 3: PK and PD together',
} as const;

/** Live progress of the running fit (and the last run's trace), with a cancel button. */
export function FitProgressCard() {
  const status = useWorkbench((s) => s.fitStatus);
  const progress = useWorkbench((s) => s.fitProgress);
  const history = useWorkbench((s) => s.fitHistory);
  const startedAt = useWorkbench((s) => s.fitStartedAt);
  const message = useWorkbench((s) => s.fitMessage);
  const maxIterations = useWorkbench((s) => s.fitOptions.maxIterations);
  const cancelFit = useWorkbench((s) => s.cancelFit);
  const running = status === 'running';
  const now = useNow(running);
  if (status === 'idle' && history.length === 0 && !message) return null;

  const elapsed =
    running && startedAt ? Math.max(0, now - startedAt) : (progress?.elapsedMs ?? NaN);
  const perIteration =
    progress && progress.iteration > 0 ? progress.elapsedMs / progress.iteration : NaN;
  return (
    <section className="card" aria-labelledby="fit-progress-title" data-testid="fit-progress">
      <div className="row">
        <h2 id="fit-progress-title" style={{ margin: 0 }}>
          {running ? 'Fitting…' : 'Last run'}
        </h2>
        <span className="spacer" />
        {running ? (
          <button type="button" className="secondary" onClick={cancelFit} data-testid="fit-cancel">
            Cancel
          </button>
        ) : null}
      </div>
      {running ? (
        // Indeterminate: a fit stops when it converges, not after a known number of iterations.
        <progress aria-label="Fit in progress" style={{ width: '100%', marginTop: '0.5rem' }} />
      ) : null}
      <p role="status" aria-live="polite" className="small" data-testid="fit-progress-text">
        {progress ? (
          <>
            Iteration <strong>{progress.iteration}</strong>
            {running ? ` of at most ${maxIterations}` : ''} · OFV{' '}
            <strong>{formatObjective(progress.ofv)}</strong> · {formatDuration(elapsed)} elapsed
            {Number.isFinite(perIteration)
              ? ` (${formatDuration(perIteration)} per iteration)`
              : ''}
            {running ? ` · ${PHASES[progress.phase]}` : ''}
            {running && progress.stage ? ` (${STAGES[progress.stage]})` : ''}
          </>
        ) : running ? (
          `Starting the fit… ${formatDuration(elapsed)} elapsed`
        ) : null}
      </p>
      <OfvChart history={history} />
      {message ? (
        <div
          className={`alert ${status === 'error' ? 'error' : 'warn'} small`}
          role={status === 'error' ? 'alert' : 'status'}
          data-testid="fit-message"
        >
          {message}
        </div>
      ) : null}
    </section>
  );
}
