import type { FitModelSpec, FitParameterSpec } from '../../core/nlme/types';
import { useWorkbench } from '../../state/store';
import { DEFAULT_OMEGA, setFixed, setInitial, setRandomEffect } from '../../state/fitSpecEdits';
import { NumberInput } from '../components/NumberInput';
import { parameterInfo, TRANSFORM_LABELS } from './parameterInfo';

function initialIsValid(p: FitParameterSpec): (v: number) => boolean {
  const t = p.transform ?? 'log';
  if (t === 'logit') return (v) => v > 0 && v < 1;
  if (t === 'log') return (v) => v > 0;
  return Number.isFinite;
}

/** One row per structural parameter: initial value, fixed or estimated, random effect. */
export function SpecParameterTable({ spec }: { spec: FitModelSpec }) {
  const editFitSpec = useWorkbench((s) => s.editFitSpec);
  return (
    <div className="table-scroll" style={{ maxHeight: 'none' }}>
      <table className="data spec-table" aria-label="Model parameters" data-testid="spec-table">
        <thead>
          <tr>
            <th scope="col">Parameter</th>
            <th scope="col">Initial value</th>
            <th scope="col">Unit</th>
            <th scope="col">Fixed</th>
            <th scope="col">
              <abbr title="Between-subject variability (a random effect)">BSV</abbr>
            </th>
            <th scope="col">
              <abbr title="Standard deviation of the random effect η">ω</abbr>
            </th>
            <th scope="col">Scale</th>
          </tr>
        </thead>
        <tbody>
          {spec.parameters.map((p) => {
            const info = parameterInfo(p.name, spec.pd);
            const hasBsv = p.omega !== undefined;
            return (
              <tr key={p.name} data-testid={`spec-row-${p.name}`}>
                <th scope="row" style={{ fontWeight: 600 }}>
                  {p.name}
                  <div className="muted small" style={{ fontWeight: 400 }}>
                    {info.meaning}
                  </div>
                </th>
                <td>
                  <NumberInput
                    value={p.initial}
                    label={`${p.name} initial value${info.unit ? ` in ${info.unit}` : ''}`}
                    isValid={initialIsValid(p)}
                    invalidHint={
                      (p.transform ?? 'log') === 'logit'
                        ? 'Must lie between 0 and 1'
                        : 'Must be greater than 0'
                    }
                    onChange={(v) => editFitSpec((s) => setInitial(s, p.name, v))}
                    testId={`spec-initial-${p.name}`}
                  />
                </td>
                <td className="muted">{info.unit}</td>
                <td>
                  <input
                    type="checkbox"
                    checked={p.fixed ?? false}
                    aria-label={`Fix ${p.name} at its initial value`}
                    data-testid={`spec-fixed-${p.name}`}
                    onChange={(e) => {
                      const fixed = e.currentTarget.checked;
                      editFitSpec((s) => setFixed(s, p.name, fixed));
                    }}
                  />
                </td>
                <td>
                  <input
                    type="checkbox"
                    checked={hasBsv}
                    aria-label={`Between-subject variability on ${p.name}`}
                    data-testid={`spec-bsv-${p.name}`}
                    onChange={(e) => {
                      const on = e.currentTarget.checked;
                      editFitSpec((s) => setRandomEffect(s, p.name, on ? DEFAULT_OMEGA : null));
                    }}
                  />
                </td>
                <td>
                  {hasBsv ? (
                    <NumberInput
                      value={p.omega ?? DEFAULT_OMEGA}
                      label={`ω of ${p.name} (initial)`}
                      isValid={(v) => v > 0}
                      invalidHint="Must be greater than 0"
                      onChange={(v) => editFitSpec((s) => setRandomEffect(s, p.name, v))}
                      testId={`spec-omega-${p.name}`}
                    />
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
                <td className="muted">{TRANSFORM_LABELS[p.transform ?? 'log']}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
