import { useWorkbench } from '../../state/store';
import { CompareProgressCard } from './CompareProgressCard';
import { CompareResults } from './CompareResults';
import { CompareSetupCard } from './CompareSetupCard';

/**
 * Compare: every candidate model — mechanistic, neural, hybrid quantum and their classical
 * controls — on the same held-out subjects, side by side. The sweep runs in a worker, can be
 * paused, survives a reload, and its results export as CSV, SVG and PNG.
 */
export function ComparePanel() {
  const sweep = useWorkbench((s) => s.compareSweep);
  return (
    <div className="panel compare-layout" data-testid="compare-panel">
      <div className="compare-top">
        <CompareSetupCard />
        <CompareProgressCard />
      </div>
      {sweep && sweep.cells.length > 0 ? (
        <CompareResults sweep={sweep} />
      ) : (
        <section className="card muted small" data-testid="compare-empty">
          {sweep
            ? 'Results appear here as the tasks finish: bar charts of each model’s errors, the qubits × layers heat map, a reading in words and the full table.'
            : 'Start a comparison to see every model’s errors on held-out subjects side by side.'}
        </section>
      )}
    </div>
  );
}
