import { useId } from 'react';
import type { FitResult } from '../../core/nlme/types';
import { useWorkbench } from '../../state/store';
import { VPC_REPLICATES_RANGE } from '../../state/slices/vpcSlice';
import { formatDuration } from '../charts/format';
import { NumberInput } from '../components/NumberInput';
import { useNow } from '../components/useNow';
import { percentileLabel, VpcChart } from './VpcChart';

/** Visual predictive check of the current fit: run it (in the background), watch, cancel, read. */
export function VpcSection({ result, log }: { result: FitResult; log: boolean }) {
  const id = useId();
  const status = useWorkbench((s) => s.vpcStatus);
  const progress = useWorkbench((s) => s.vpcProgress);
  const vpc = useWorkbench((s) => s.vpcResult);
  const message = useWorkbench((s) => s.vpcMessage);
  const settings = useWorkbench((s) => s.vpcSettings);
  const startedAt = useWorkbench((s) => s.vpcStartedAt);
  const dataName = useWorkbench((s) => s.dataset?.name);
  const setVpcSettings = useWorkbench((s) => s.setVpcSettings);
  const runVpc = useWorkbench((s) => s.runVpc);
  const cancelVpc = useWorkbench((s) => s.cancelVpc);
  const running = status === 'running';
  const now = useNow(running);
  const dataMatches = dataName === result.dataName;

  const elapsed = startedAt ? Math.max(0, now - startedAt) : NaN;
  const left =
    progress && progress.done > 0
      ? (elapsed * (progress.total - progress.done)) / progress.done
      : NaN;
  const [lo, hi] = VPC_REPLICATES_RANGE;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="vpc-section">
      <h2 id={`${id}-title`}>Visual predictive check</h2>
      <p className="muted small">
        Simulates the trial again and again from the fitted model (each subject with its own
        covariates, doses and sampling times) and compares the observed percentiles with the
        simulated ones. Observed lines inside their bands mean the model reproduces the data.
      </p>
      <div className="row">
        <label className="check">
          Replicates
          <NumberInput
            value={settings.replicates}
            label="Number of simulated replicates"
            step={10}
            isValid={(v) => Number.isInteger(v) && v >= lo && v <= hi}
            invalidHint={`A whole number from ${lo} to ${hi}`}
            onChange={(replicates) => setVpcSettings({ replicates })}
            disabled={running}
            testId="vpc-replicates"
          />
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.predictionCorrected}
            onChange={(e) => setVpcSettings({ predictionCorrected: e.currentTarget.checked })}
            disabled={running}
          />
          Prediction-corrected (pcVPC)
        </label>
        {running ? (
          <button type="button" className="secondary" onClick={cancelVpc} data-testid="vpc-cancel">
            Cancel
          </button>
        ) : (
          <button
            type="button"
            onClick={() => void runVpc()}
            disabled={!dataMatches}
            data-testid="vpc-run"
          >
            {vpc ? 'Run VPC again' : 'Run VPC'}
          </button>
        )}
      </div>
      {!dataMatches ? (
        <p className="muted small">
          A VPC simulates the data set the model was fitted on ({result.dataName}); load it in the
          Data panel first.
        </p>
      ) : null}
      {running && progress ? (
        <div style={{ marginTop: '0.5rem' }}>
          <progress
            value={progress.done}
            max={progress.total}
            aria-label="VPC replicates simulated"
            style={{ width: '100%' }}
          />
          <p className="small" role="status" data-testid="vpc-progress">
            Replicate {progress.done} of {progress.total} · {formatDuration(elapsed)} elapsed
            {Number.isFinite(left) ? ` · about ${formatDuration(left)} left` : ''}
          </p>
        </div>
      ) : null}
      {message ? (
        <p
          className={`alert ${status === 'error' ? 'error' : 'warn'} small`}
          role={status === 'error' ? 'alert' : 'status'}
          data-testid="vpc-message"
        >
          {message}
        </p>
      ) : null}
      {vpc ? (
        <>
          <p className="small" style={{ margin: '0.6rem 0 0.3rem' }}>
            {vpc.predictionCorrected ? 'Prediction-corrected; ' : ''}
            {vpc.replicates} replicates. Black: observed{' '}
            {vpc.percentiles.map(percentileLabel).join(', ')} percentiles (median solid). Bands:{' '}
            {Math.round(vpc.interval * 100)}% of the simulated replicates&apos; same percentile
            (median{' '}
            <span className="legend-swatch" style={{ background: '#D55E00', opacity: 0.5 }} />,
            outer <span className="legend-swatch" style={{ background: '#0072B2', opacity: 0.4 }} />
            ).
          </p>
          <div className="grid-2">
            {vpc.endpoints.map((e) => (
              <VpcChart
                key={e.dvid}
                endpoint={e}
                percentiles={vpc.percentiles}
                interval={vpc.interval}
                log={log}
              />
            ))}
          </div>
        </>
      ) : null}
    </section>
  );
}
