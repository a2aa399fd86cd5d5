import { useId } from 'react';
import { describeModel, FIT_MODEL_NAMES } from '../../core/nlme/models';
import type { FitModelSpec } from '../../core/nlme/types';
import { useWorkbench } from '../../state/store';
import {
  canCorrelate,
  covariateKey,
  fittedEndpoints,
  setCorrelation,
  setCovariate,
  setResidual,
  specProblems,
  typicalObservation,
  type ResidualKind,
} from '../../state/fitSpecEdits';
import { NumberInput } from '../components/NumberInput';
import { SpecParameterTable } from './SpecParameterTable';

const PK_ONLY = FIT_MODEL_NAMES.filter((n) => n.split('-').length === 2);
const PK_PD = FIT_MODEL_NAMES.filter((n) => n.split('-').length > 2);

const RESIDUAL_LABELS: Record<ResidualKind, string> = {
  additive: 'Additive (constant SD)',
  proportional: 'Proportional (constant CV)',
  combined: 'Combined (SD + CV)',
};

function residualText(r: FitModelSpec['residual']['concentration']): string {
  if (!r) return '';
  const parts: string[] = [];
  if ('sd' in r) parts.push(`SD ${Number(r.sd.toPrecision(3))}`);
  if ('cv' in r) parts.push(`CV ${Number((r.cv * 100).toPrecision(3))}%`);
  return `initial ${parts.join(' + ')}`;
}

/** The model to fit and its specification, editable before pressing Fit. */
export function FitSpecEditor() {
  const id = useId();
  const dataset = useWorkbench((s) => s.dataset);
  const modelName = useWorkbench((s) => s.fitModelName);
  const spec = useWorkbench((s) => s.fitSpec);
  const choices = useWorkbench((s) => s.fitCovariateChoices);
  const options = useWorkbench((s) => s.fitOptions);
  const status = useWorkbench((s) => s.fitStatus);
  const chooseFitModel = useWorkbench((s) => s.chooseFitModel);
  const editFitSpec = useWorkbench((s) => s.editFitSpec);
  const resetFitSpec = useWorkbench((s) => s.resetFitSpec);
  const setFitOptions = useWorkbench((s) => s.setFitOptions);
  const runFit = useWorkbench((s) => s.runFit);

  if (!dataset || !spec) {
    return (
      <section className="card" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>Model</h2>
        <p className="muted">Load a data set in the Data panel first (the demo trial works).</p>
      </section>
    );
  }
  const running = status === 'running';
  const problems = specProblems(spec);
  const enabled = new Set(spec.covariates.map(covariateKey));
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="fit-spec">
      <h2 id={`${id}-title`}>Model</h2>
      <fieldset className="plain" disabled={running}>
        <div className="field">
          <label htmlFor={`${id}-model`}>Structural model</label>
          <select
            id={`${id}-model`}
            value={modelName ?? spec.name}
            data-testid="fit-model"
            onChange={(e) => chooseFitModel(e.currentTarget.value)}
          >
            <optgroup label="PK only">
              {PK_ONLY.map((n) => (
                <option key={n} value={n}>
                  {n} — {describeModel(n)}
                </option>
              ))}
            </optgroup>
            <optgroup label="PK + PD (fitted together)">
              {PK_PD.map((n) => (
                <option key={n} value={n}>
                  {n} — {describeModel(n)}
                </option>
              ))}
            </optgroup>
          </select>
          <span className="muted small" data-testid="fit-model-description">
            {describeModel(spec.name)}. Starting values are read from the data.
          </span>
        </div>
        <SpecParameterTable spec={spec} />
        <div className="spec-options">
          <fieldset>
            <legend>Covariate effects</legend>
            {choices.length === 0 ? (
              <p className="muted small">This data set has no covariate the model can use.</p>
            ) : (
              choices.map((c) => {
                const key = covariateKey(c);
                return (
                  <label key={key} className="check">
                    <input
                      type="checkbox"
                      checked={enabled.has(key)}
                      data-testid={`spec-cov-${key.replace(/\s+/g, '-')}`}
                      onChange={(e) => {
                        const on = e.currentTarget.checked;
                        editFitSpec((s) => setCovariate(s, choices, key, on));
                      }}
                    />
                    <span>
                      {key}{' '}
                      <span className="muted small">
                        {c.kind === 'power'
                          ? `(power, reference ${c.reference}; initial exponent ${c.initial})`
                          : `(${c.covariate} = ${c.level ?? 1} changes ${c.parameter} by ${Math.round(c.initial * 100)}% initially)`}
                      </span>
                    </span>
                  </label>
                );
              })
            )}
            <label className="check">
              <input
                type="checkbox"
                checked={spec.correlation !== undefined}
                disabled={!canCorrelate(spec)}
                data-testid="spec-correlation"
                onChange={(e) => {
                  const on = e.currentTarget.checked;
                  editFitSpec((s) => setCorrelation(s, on));
                }}
              />
              <span>
                Estimate the CL–V correlation of the random effects
                {!canCorrelate(spec) ? (
                  <span className="muted small"> (needs BSV on both)</span>
                ) : null}
              </span>
            </label>
          </fieldset>
          <fieldset>
            <legend>Residual error</legend>
            {fittedEndpoints(spec).map((endpoint) => {
              const r = spec.residual[endpoint];
              return (
                <div className="field" key={endpoint}>
                  <label htmlFor={`${id}-res-${endpoint}`}>
                    {endpoint === 'concentration' ? 'Concentration (mg/L)' : 'Biomarker (ng/mL)'}
                  </label>
                  <select
                    id={`${id}-res-${endpoint}`}
                    value={r?.type ?? 'proportional'}
                    data-testid={`spec-residual-${endpoint}`}
                    onChange={(e) => {
                      const kind = e.currentTarget.value as ResidualKind;
                      const typical = typicalObservation(dataset, endpoint);
                      editFitSpec((s) => setResidual(s, endpoint, kind, typical));
                    }}
                  >
                    {(Object.keys(RESIDUAL_LABELS) as ResidualKind[]).map((k) => (
                      <option key={k} value={k}>
                        {RESIDUAL_LABELS[k]}
                      </option>
                    ))}
                  </select>
                  <span className="muted small">{residualText(r)}</span>
                </div>
              );
            })}
          </fieldset>
          <fieldset>
            <legend>Estimation</legend>
            <label className="check">
              Maximum iterations
              <NumberInput
                value={options.maxIterations}
                label="Maximum iterations"
                step={1}
                isValid={(v) => Number.isInteger(v) && v >= 1 && v <= 10_000}
                invalidHint="A whole number from 1 to 10000"
                onChange={(maxIterations) => setFitOptions({ maxIterations })}
                testId="fit-max-iterations"
              />
            </label>
            <label className="check">
              <input
                type="checkbox"
                checked={options.covariance}
                onChange={(e) => setFitOptions({ covariance: e.currentTarget.checked })}
                data-testid="fit-covariance"
              />
              <span>Standard errors (covariance step)</span>
            </label>
          </fieldset>
        </div>
      </fieldset>
      {problems.length > 0 ? (
        <div className="alert warn small" role="status" data-testid="spec-problems">
          <strong>Fix before fitting:</strong>
          <ul>
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="row" style={{ marginTop: '0.8rem' }}>
        <button
          type="button"
          onClick={() => void runFit()}
          disabled={running || problems.length > 0}
          data-testid="fit-run"
        >
          Fit model
        </button>
        <button type="button" className="secondary" onClick={resetFitSpec} disabled={running}>
          Reset to defaults
        </button>
        <span className="muted small">
          FOCE-I on {dataset.subjects.length} subjects of {dataset.name}; runs in the background.
        </span>
      </div>
    </section>
  );
}
