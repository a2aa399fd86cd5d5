import type { DosingRunProgress } from '../../state/slices/dosingSlice';
import { formatDuration } from '../charts/format';
import { useNow } from '../components/useNow';

/** A progress bar with the percentage done, time elapsed and an estimate of the time left. */
export function RunProgress({
  progress,
  startedAt,
  label,
  testId,
}: {
  progress: DosingRunProgress;
  startedAt: number | null;
  label: string;
  testId: string;
}) {
  const now = useNow(true, 500);
  const elapsed = startedAt ? Math.max(0, now - startedAt) : NaN;
  const f = Math.min(1, Math.max(0, progress.fraction));
  const left = f > 0.02 ? (elapsed * (1 - f)) / f : NaN;
  const pct = Math.floor(f * 100);
  return (
    <div className="dosing-progress" data-testid={testId}>
      <progress value={f} max={1} aria-label={label} style={{ width: '100%' }} />
      <p className="small" role="status" aria-live="polite">
        <strong>{pct}%</strong>
        {progress.models > 1
          ? ` · model ${progress.modelIndex + 1} of ${progress.models} (${progress.label})`
          : ''}
        {progress.phase === 'sampling'
          ? ' · drawing the virtual population'
          : ` · ${progress.done.toLocaleString('en-US')} of ${progress.total.toLocaleString('en-US')} subjects`}
        {` · ${formatDuration(elapsed)} elapsed`}
        {Number.isFinite(left) ? ` · about ${formatDuration(left)} left` : ''}
      </p>
    </div>
  );
}
