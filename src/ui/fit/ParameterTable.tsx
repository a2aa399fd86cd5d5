import { covarianceStatusOf, notEstimableOf } from '../../core/nlme/results';
import type { FitResult } from '../../core/nlme/types';
import { csvField, downloadText } from '../components/download';
import { formatNumber, formatPercent } from '../charts/format';
import { ESTIMATE_KIND_LABELS } from './parameterInfo';

/** RSE above this (%) marks an estimate the data pin down poorly. */
const HIGH_RSE = 50;
/** η shrinkage above this (%) makes individual estimates and EBE-based plots unreliable. */
const HIGH_SHRINKAGE = 30;

function tableCsv(result: FitResult): string {
  const head = [
    'parameter',
    'kind',
    'estimate',
    'unit',
    'se',
    'rse_percent',
    'shrinkage_percent',
    'fixed',
    'meaning',
    'not_estimable',
  ];
  const notEstimable = notEstimableOf(result);
  const rows = result.estimates.map((e) =>
    [
      e.name,
      e.kind,
      e.estimate,
      e.unit,
      e.se,
      e.rse,
      e.shrinkage,
      e.fixed,
      e.meaning,
      notEstimable.includes(e.name),
    ]
      .map(csvField)
      .join(','),
  );
  return [head.join(','), ...rows].join('\n') + '\n';
}

/** The estimates of a fit: value with unit, uncertainty, shrinkage and a plain-language line. */
/** Tooltip and footnote of an estimate the data cannot identify. */
function notEstimableText(result: FitResult): string {
  const partial = covarianceStatusOf(result) === 'partial';
  return `Not estimable from these data (flat objective): the objective hardly changes with this parameter, so its value is arbitrary over a wide range and it has no standard error. Fix it at a value from prior knowledge.${partial ? ' The other standard errors are conditional on it held at its estimate.' : ''}`;
}

export function ParameterTable({ result, caption }: { result: FitResult; caption?: string }) {
  const kinds = [...new Set(result.estimates.map((e) => e.kind))];
  const notEstimable = notEstimableOf(result);
  const flatText = notEstimableText(result);
  return (
    <div>
      <div className="row" style={{ marginBottom: '0.4rem' }}>
        <span className="muted small">
          RSE: relative standard error (above {HIGH_RSE}% the data pin the value down poorly);
          shrinkage above {HIGH_SHRINKAGE}% makes individual estimates unreliable.
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="secondary small"
          onClick={() =>
            downloadText(`${result.spec.name}-estimates.csv`, tableCsv(result), 'text/csv')
          }
        >
          Download CSV
        </button>
      </div>
      <div className="table-scroll" style={{ maxHeight: 'none' }}>
        <table
          className="data"
          aria-label={caption ?? 'Parameter estimates'}
          data-testid="parameter-table"
        >
          <thead>
            <tr>
              <th scope="col">Parameter</th>
              <th scope="col">Estimate</th>
              <th scope="col">Unit</th>
              <th scope="col">RSE</th>
              <th scope="col">Shrinkage</th>
              <th scope="col">Fixed</th>
              <th scope="col" style={{ textAlign: 'left' }}>
                Meaning
              </th>
            </tr>
          </thead>
          {kinds.map((kind) => (
            <tbody key={kind}>
              <tr className="group-row">
                <th colSpan={7} scope="rowgroup">
                  {ESTIMATE_KIND_LABELS[kind]}
                </th>
              </tr>
              {result.estimates
                .filter((e) => e.kind === kind)
                .map((e) => (
                  <tr key={`${e.kind}-${e.name}`} data-testid={`estimate-${e.name}`}>
                    <th scope="row">{e.name}</th>
                    <td>{formatNumber(e.estimate, 4)}</td>
                    <td className="muted">{e.unit}</td>
                    {notEstimable.includes(e.name) ? (
                      <td className="cell-warn" title={flatText} data-testid="not-estimable">
                        not estimable<sup>*</sup>
                      </td>
                    ) : (
                      <td
                        className={
                          e.rse !== undefined && e.rse > HIGH_RSE ? 'cell-warn' : undefined
                        }
                      >
                        {e.fixed ? '' : formatPercent(e.rse)}
                      </td>
                    )}
                    <td
                      className={
                        e.shrinkage !== undefined && e.shrinkage > HIGH_SHRINKAGE
                          ? 'cell-warn'
                          : undefined
                      }
                    >
                      {e.shrinkage !== undefined ? formatPercent(e.shrinkage) : ''}
                    </td>
                    <td>{e.fixed ? 'fixed' : ''}</td>
                    <td className="meaning">{e.meaning ?? ''}</td>
                  </tr>
                ))}
            </tbody>
          ))}
        </table>
      </div>
      {notEstimable.length > 0 ? (
        <p className="muted small" data-testid="not-estimable-note" style={{ marginTop: '0.4rem' }}>
          <sup>*</sup> {notEstimable.join(', ')}: {flatText}
        </p>
      ) : null}
    </div>
  );
}
