import { useId, useMemo, useState, type ReactNode } from 'react';
import type { CompareRow } from '../../core/compare/types';
import type { EncoderName } from '../../core/neural/types';
import { formatNumber, formatPercent } from '../charts/format';
import { ENCODER_INFO, FRAMEWORK_INFO, HEAD_INFO } from '../neural/labels';
import {
  firstDirection,
  formatMeanSd,
  formatParameters,
  sortRows,
  type SortDirection,
  type SortKey,
} from './compareView';

interface Column {
  readonly key: SortKey;
  readonly label: ReactNode;
  /** The header in words for the sort button's name, when the label has markup. */
  readonly words: string;
  readonly cell: (row: CompareRow) => ReactNode;
  /** Words, aligned left (numbers align right). */
  readonly text?: boolean;
}

function frameworkLabel(row: CompareRow): string {
  return row.framework === 'nlme' ? 'NLME' : FRAMEWORK_INFO[row.framework].label;
}

function encoderLabel(row: CompareRow): string {
  return row.encoder === 'nlme'
    ? 'mechanistic'
    : (ENCODER_INFO[row.encoder as EncoderName]?.label ?? row.encoder);
}

function headLabel(row: CompareRow): string {
  return row.head === 'nlme' ? 'ODE model' : HEAD_INFO[row.head].label;
}

const INPUTS_LABEL: Record<CompareRow['inputs'], string> = {
  'covariates-doses': 'covariates, doses',
  'covariates-doses-baseline': 'covariates, doses, baseline PD',
};

const COLUMNS: readonly Column[] = [
  { key: 'label', label: 'Model', words: 'Model', cell: (r) => r.label },
  { key: 'framework', text: true, label: 'Framework', words: 'Framework', cell: frameworkLabel },
  { key: 'encoder', text: true, label: 'Encoder', words: 'Encoder', cell: encoderLabel },
  { key: 'head', text: true, label: 'Output', words: 'Output', cell: headLabel },
  {
    key: 'inputs',
    text: true,
    label: 'Inputs',
    words: 'Inputs',
    cell: (r) => INPUTS_LABEL[r.inputs] ?? r.inputs,
  },
  {
    key: 'parameters',
    label: (
      <>
        Parameters
        <br />
        (quantum)
      </>
    ),
    words: 'Parameters (quantum)',
    cell: (r) => (r.cellsDone > 0 ? formatParameters(r) : '–'),
  },
  {
    key: 'pkRmse',
    label: (
      <>
        PK RMSE ± sd
        <br />
        (mg/L)
      </>
    ),
    words: 'PK RMSE (mg/L)',
    cell: (r) => formatMeanSd(r.pkRmse),
  },
  {
    key: 'pdRmse',
    label: (
      <>
        PD RMSE ± sd
        <br />
        (ng/mL)
      </>
    ),
    words: 'PD RMSE (ng/mL)',
    cell: (r) => formatMeanSd(r.pdRmse),
  },
  {
    key: 'outcomeAccuracy',
    label: (
      <>
        Outcome
        <br />
        accuracy
      </>
    ),
    words: 'Outcome accuracy',
    cell: (r) => (r.outcomeAccuracy === null ? '–' : formatPercent(r.outcomeAccuracy * 100)),
  },
  {
    key: 'trainSeconds',
    label: (
      <>
        Train
        <br />
        (s)
      </>
    ),
    words: 'Training time (s)',
    cell: (r) => (r.cellsDone > 0 ? formatNumber(r.trainSeconds, 3) : '–'),
  },
  {
    key: 'predictMsPer1000',
    label: (
      <>
        ms per
        <br />
        1,000 pred.
      </>
    ),
    words: 'Milliseconds per 1,000 predictions',
    cell: (r) => (r.cellsDone > 0 ? formatNumber(r.predictMsPer1000, 3) : '–'),
  },
  {
    key: 'cells',
    label: (
      <>
        Cells
        <br />
        done
      </>
    ),
    words: 'Cells done of planned',
    cell: (r) => `${r.cellsDone}/${r.cellsPlanned}`,
  },
];

/**
 * Every candidate summarised: a header is a button (click, Enter or Space) that sorts by its
 * column, again to reverse; the sorted column says so through aria-sort. The best candidate of
 * each endpoint is starred. Rows of the heat map's grid can be shown too.
 */
export function CompareTable({
  rows,
  bestKeys,
}: {
  rows: readonly CompareRow[];
  /** The best candidates (PK, PD): starred in the table. */
  bestKeys: ReadonlySet<string>;
}) {
  const id = useId();
  const [sort, setSort] = useState<{ key: SortKey; direction: SortDirection }>({
    key: 'pdRmse',
    direction: 'ascending',
  });
  const [withGrid, setWithGrid] = useState(false);
  const gridRows = rows.filter((r) => r.group === 'heatmap').length;
  const shown = useMemo(
    () =>
      sortRows(
        rows.filter((r) => withGrid || r.group === 'main'),
        sort.key,
        sort.direction,
      ),
    [rows, withGrid, sort],
  );
  const sortBy = (key: SortKey) =>
    setSort((s) =>
      s.key === key
        ? { key, direction: s.direction === 'ascending' ? 'descending' : 'ascending' }
        : { key, direction: firstDirection(key) },
    );
  return (
    <>
      {gridRows > 0 ? (
        <label className="compare-check small">
          <input
            type="checkbox"
            checked={withGrid}
            onChange={(e) => setWithGrid(e.currentTarget.checked)}
            data-testid="compare-table-grid"
          />
          Include the qubits × layers grid ({gridRows} rows)
        </label>
      ) : null}
      <div className="table-scroll compare-table-scroll">
        <table
          className="data compare-table"
          aria-labelledby={`${id}-caption`}
          data-testid="compare-table"
        >
          <caption id={`${id}-caption`} className="visually-hidden">
            Every model of the comparison; sorted by{' '}
            {COLUMNS.find((c) => c.key === sort.key)?.words}, {sort.direction}
          </caption>
          <thead>
            <tr>
              {COLUMNS.map((c) => {
                const active = sort.key === c.key;
                return (
                  <th
                    key={c.key}
                    scope="col"
                    aria-sort={active ? sort.direction : 'none'}
                    className={c.text ? 'compare-text' : undefined}
                  >
                    <button
                      type="button"
                      className="compare-sort"
                      onClick={() => sortBy(c.key)}
                      aria-label={`Sort by ${c.words}`}
                      data-testid={`compare-sort-${c.key}`}
                    >
                      <span>{c.label}</span>
                      <span className="compare-sort-mark" aria-hidden="true">
                        {active ? (sort.direction === 'ascending' ? '▲' : '▼') : '↕'}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr
                key={r.key}
                className={bestKeys.has(r.key) ? 'compare-best-row' : undefined}
                data-testid="compare-row"
              >
                {COLUMNS.map((c, i) =>
                  i === 0 ? (
                    <th key={c.key} scope="row" className="compare-model-cell">
                      {bestKeys.has(r.key) ? (
                        <span className="compare-star" aria-label="best">
                          ★{' '}
                        </span>
                      ) : null}
                      {c.cell(r)}
                      {r.group === 'heatmap' ? (
                        <span
                          className="compare-grid-tag"
                          title="A cell of the qubits × layers grid"
                        >
                          grid
                        </span>
                      ) : null}
                    </th>
                  ) : (
                    <td
                      key={c.key}
                      className={
                        c.key === 'inputs'
                          ? 'compare-text compare-inputs'
                          : c.text
                            ? 'compare-text'
                            : undefined
                      }
                    >
                      {c.cell(r)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
