import { useWorkbench } from '../../state/store';
import { formatDuration, formatObjective } from '../charts/format';
import { ParameterTable } from './ParameterTable';

/** The current fit: did it converge, how good is it, what was estimated, what to distrust. */
export function FitResultCard() {
  const result = useWorkbench((s) => s.fitResult);
  const currentFitId = useWorkbench((s) => s.currentFitId);
  const meta = useWorkbench((s) => s.savedFits.find((f) => f.id === s.currentFitId));
  const setActivePanel = useWorkbench((s) => s.setActivePanel);
  if (!result) return null;
  return (
    <section className="card" aria-labelledby="fit-result-title" data-testid="fit-result">
      <div className="row">
        <h2 id="fit-result-title" style={{ margin: 0 }}>
          Result: {meta?.label ?? `${result.spec.name} on ${result.dataName}`}
        </h2>
        <span className="spacer" />
        <button
          type="button"
          className="secondary"
          onClick={() => setActivePanel('curves')}
          disabled={!currentFitId}
        >
          See the curves →
        </button>
      </div>
      <p
        className={`verdict ${result.converged && !result.cancelled ? 'pass' : 'fail'}`}
        role="status"
        data-testid="fit-convergence"
        style={{ marginTop: '0.6rem' }}
      >
        {result.cancelled ? (
          // The message starts with "Cancelled at iteration k" and says what the estimates are.
          <>
            ✗ Cancelled, not converged ({result.method}): {result.message}
          </>
        ) : (
          <>
            {result.converged ? '✓ Converged' : '✗ Did not converge'} after {result.iterations}{' '}
            iteration{result.iterations === 1 ? '' : 's'} ({result.method}): {result.message}
          </>
        )}
      </p>
      {result.identifiability.length > 0 ? (
        <div className="alert warn" role="alert" data-testid="fit-identifiability">
          <strong>
            The data cannot pin down{' '}
            {result.identifiability.length === 1
              ? 'one parameter'
              : `${result.identifiability.length} parameters`}
            ; treat {result.identifiability.length === 1 ? 'it' : 'them'} with caution:
          </strong>
          <ul>
            {result.identifiability.map((w) => (
              <li key={w.parameter}>
                <strong>{w.parameter}</strong>: {w.reason}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="stats" style={{ margin: '0.6rem 0' }}>
        <div className="stat">
          <div className="label">OFV</div>
          <div className="value" data-testid="fit-ofv">
            {formatObjective(result.ofv)}
          </div>
        </div>
        <div className="stat">
          <div className="label">AIC</div>
          <div className="value">{formatObjective(result.aic)}</div>
        </div>
        <div className="stat">
          <div className="label">BIC</div>
          <div className="value">{formatObjective(result.bic)}</div>
        </div>
        <div className="stat">
          <div className="label">Data</div>
          <div className="value small">
            {result.nSubjects} subjects · {result.nObservations} obs
          </div>
        </div>
        <div className="stat">
          <div className="label">Estimated</div>
          <div className="value small">
            {result.nParameters} parameters · {formatDuration(result.elapsedMs)}
          </div>
        </div>
      </div>
      <p
        className={`small ${result.covarianceStep.ok ? 'muted' : 'alert warn'}`}
        data-testid="fit-covariance-step"
      >
        Standard errors ({result.covarianceStep.method || 'covariance step'}):{' '}
        {result.covarianceStep.message}
      </p>
      <ParameterTable result={result} />
      <p className="muted small" style={{ marginTop: '0.5rem' }}>
        OFV is −2 log-likelihood without the constant (NONMEM&apos;s convention); lower is better
        for models fitted to the same data. Finished {new Date(result.finishedAt).toLocaleString()}.
      </p>
    </section>
  );
}
