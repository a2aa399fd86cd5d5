import { useId, useMemo } from 'react';
import { cellsFileText } from '../../core/compare/cellsFile';
import { rowsToCsv } from '../../core/compare/csv';
import { bestRow, readingOf, summariseCells } from '../../core/compare/summarise';
import type { SavedSweep } from '../../state/compareStorage';
import { downloadText } from '../components/download';
import { CompareBarChart } from './CompareBarChart';
import { CompareHeatmap } from './CompareHeatmap';
import { CompareTable } from './CompareTable';
import { fileStem } from './compareView';

/**
 * The sweep's results, plots first: PD and PK RMSE per model with error bars, the qubits ×
 * layers heat map, the reading in words, then the sortable table and its CSV. Drawn from the
 * cells done so far, so a paused sweep shows what it has.
 */
export function CompareResults({ sweep }: { sweep: SavedSweep }) {
  const id = useId();
  const { plan, cells } = sweep;
  const rows = useMemo(() => summariseCells(plan, cells), [plan, cells]);
  // The best of the main group: the heat map's cells are variants of one candidate.
  const main = useMemo(() => rows.filter((r) => r.group === 'main'), [rows]);
  const bestPd = useMemo(() => bestRow(main, 'pd'), [main]);
  const bestPk = useMemo(() => bestRow(main, 'pk'), [main]);
  // With the cells, differences are judged paired over the same folds.
  const reading = useMemo(() => readingOf(rows, cells), [rows, cells]);
  const bestKeys = useMemo(
    () => new Set([bestPd?.key, bestPk?.key].filter((k): k is string => typeof k === 'string')),
    [bestPd, bestPk],
  );
  const stem = fileStem(plan.dataLabel);
  const partial = cells.length < plan.tasks.length;
  const subtitle = `${plan.dataLabel} · ${plan.profile} profile · ${plan.folds} folds × ${plan.seeds.length} seed${plan.seeds.length === 1 ? '' : 's'}${partial ? ` · ${cells.length} of ${plan.tasks.length} tasks` : ''}`;
  return (
    <div className="compare-results" data-testid="compare-results">
      <div className="compare-charts">
        <CompareBarChart
          rows={rows}
          endpoint="pd"
          bestKey={bestPd?.key ?? null}
          subtitle={subtitle}
          fileStem={stem}
        />
        <CompareBarChart
          rows={rows}
          endpoint="pk"
          bestKey={bestPk?.key ?? null}
          subtitle={subtitle}
          fileStem={stem}
        />
      </div>
      <div className="compare-charts">
        <CompareHeatmap rows={rows} subtitle={subtitle} fileStem={stem} />
        <section
          className="card compare-reading"
          aria-labelledby={`${id}-reading`}
          data-testid="compare-reading"
        >
          <h3 id={`${id}-reading`}>What it says</h3>
          {reading.length > 0 ? (
            <ul>
              {reading.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : (
            <p className="muted small">Nothing to say yet.</p>
          )}
        </section>
      </div>
      <section className="card" aria-labelledby={`${id}-table`}>
        <div className="chart-title">
          <h3 id={`${id}-table`}>Every model</h3>
          <button
            type="button"
            className="secondary compare-small-button"
            onClick={() => downloadText(`${stem}.csv`, rowsToCsv(rows), 'text/csv')}
            data-testid="compare-csv"
          >
            Download CSV
          </button>
          <button
            type="button"
            className="secondary compare-small-button"
            onClick={() =>
              downloadText(
                `${stem}-${plan.profile}.cells.jsonl`,
                cellsFileText(plan, cells),
                'application/x-ndjson',
              )
            }
            title="Every task's scores, to open here again or resume with the command line (compare --cells)"
            data-testid="compare-save-cells"
          >
            Save results file
          </button>
        </div>
        <p className="muted small">
          Errors on held-out subjects, mean ± sd over folds and seeds. Training and prediction times
          are CPU timings on this machine. ★ marks the best model of each endpoint.
        </p>
        <CompareTable rows={rows} bestKeys={bestKeys} />
      </section>
    </div>
  );
}
