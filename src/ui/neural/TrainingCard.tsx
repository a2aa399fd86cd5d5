import { useWorkbench } from '../../state/store';
import { neuralSettingsProblems } from '../../state/slices/neuralSlice';
import { formatDuration, formatNumber } from '../charts/format';
import { useNow } from '../components/useNow';
import { LossChart } from './LossChart';

const BACKEND_NAMES: Record<string, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WebAssembly',
  cpu: 'the CPU',
};

export function backendName(name: string): string {
  return BACKEND_NAMES[name] ?? name;
}

/** Train, watch the loss live, stop (keeping the best epoch) or cancel. */
export function TrainingCard() {
  const status = useWorkbench((s) => s.neuralStatus);
  const progress = useWorkbench((s) => s.neuralProgress);
  const history = useWorkbench((s) => s.neuralHistory);
  const message = useWorkbench((s) => s.neuralMessage);
  const settings = useWorkbench((s) => s.neuralSettings);
  const hasData = useWorkbench((s) => s.dataset !== null);
  const train = useWorkbench((s) => s.trainNeural);
  const stop = useWorkbench((s) => s.stopNeural);
  const cancel = useWorkbench((s) => s.cancelNeural);
  const busy = status === 'running' || status === 'stopping';
  const startedAt = useWorkbench((s) => s.neuralStartedAt);
  const now = useNow(busy);
  const problems = neuralSettingsProblems(settings);
  const last = history.length > 0 ? history[history.length - 1] : null;
  const maxEpochs = progress?.maxEpochs ?? settings.config.maxEpochs;
  const epoch = progress?.epoch ?? 0;
  const elapsed = busy && startedAt ? Math.max(0, now - startedAt) : NaN;
  return (
    <section className="card" aria-labelledby="neural-train-title" data-testid="neural-training">
      <div className="row">
        <h2 id="neural-train-title" style={{ margin: 0 }}>
          {busy ? 'Training…' : 'Train'}
        </h2>
        <span className="spacer" />
        {busy ? (
          <>
            <button
              type="button"
              className="secondary"
              onClick={stop}
              disabled={status === 'stopping'}
              data-testid="neural-stop"
              title="End after this epoch and keep the best epoch so far"
            >
              {status === 'stopping' ? 'Stopping…' : 'Stop and keep'}
            </button>
            <button
              type="button"
              className="secondary danger"
              onClick={cancel}
              data-testid="neural-cancel"
            >
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            onClick={() => void train()}
            disabled={!hasData || problems.length > 0}
            data-testid="neural-train"
          >
            Train model
          </button>
        )}
      </div>
      {!busy && !hasData ? (
        <p className="muted small">Load a data set or the demo trial first.</p>
      ) : null}
      {busy ? (
        <progress
          aria-label="Training progress (epochs)"
          max={maxEpochs}
          value={epoch}
          style={{ width: '100%', marginTop: '0.5rem' }}
        />
      ) : null}
      <p role="status" aria-live="polite" className="small" data-testid="neural-progress-text">
        {progress ? (
          <>
            {!busy && last ? (
              <>
                Trained {last.epoch} epochs · training loss{' '}
                <strong>{formatNumber(last.trainLoss, 3)}</strong> · validation loss{' '}
                <strong>{formatNumber(last.valLoss, 3)}</strong> · best epoch {last.bestEpoch}
              </>
            ) : progress.phase === 'starting' ? (
              'Preparing the data and running the first epoch…'
            ) : progress.phase === 'scoring' ? (
              'Scoring the held-out subjects…'
            ) : (
              <>
                Epoch <strong>{progress.epoch}</strong>
                {busy ? ` of at most ${progress.maxEpochs}` : ''} · training loss{' '}
                <strong>{formatNumber(progress.trainLoss, 3)}</strong> · validation loss{' '}
                <strong>{formatNumber(progress.valLoss, 3)}</strong> · best epoch{' '}
                {progress.bestEpoch}
              </>
            )}
            {busy && Number.isFinite(elapsed) ? ` · ${formatDuration(elapsed)} elapsed` : ''}
            <br />
            <span data-testid="neural-backend-used">
              Running on <strong>{backendName(progress.backend)}</strong>
              {progress.backendReason ? ` (${progress.backendReason})` : ''}
            </span>
          </>
        ) : busy ? (
          'Starting the training worker…'
        ) : null}
      </p>
      {/* After training the model card shows the same curves with the model's metrics. */}
      {(busy || status === 'cancelled' || status === 'error') && history.length >= 2 ? (
        <LossChart history={history} bestEpoch={history[history.length - 1].bestEpoch} />
      ) : null}
      {message ? (
        <div
          className={`alert ${status === 'error' ? 'error' : 'warn'} small`}
          role={status === 'error' ? 'alert' : 'status'}
          data-testid="neural-message"
        >
          {message}
        </div>
      ) : null}
    </section>
  );
}
