import type { ReactNode } from 'react';
import type { Threshold } from '../../core/pkpd/metrics';
import type { RegimenPrediction } from '../../core/models/regimenPrediction';

function fmt(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(digits);
}

interface Props {
  prediction: RegimenPrediction;
  threshold: Threshold;
  interval: number;
  /** The model that made the prediction, as the user knows it. */
  modelLabel: string;
  /** False for a PK-only model: there is no biomarker to judge. */
  hasBiomarker: boolean;
  /** Population mode: the population's answer, shown first; the verdict below is the patient's. */
  populationSummary?: ReactNode;
}

/** The answer first: does the biomarker stay on the right side, and the exposure that drives it. */
export function RegimenMetrics({
  prediction,
  threshold,
  interval,
  modelLabel,
  hasBiomarker,
  populationSummary,
}: Props) {
  const ss = prediction.steadyState;
  // A model with a time horizon (a direct network) is judged at its last trusted interval.
  const when =
    ss.horizonDoses !== undefined
      ? `after dose ${ss.horizonDoses}, the longest the model was trained on (steady state lies beyond)`
      : 'at steady state';
  const side = threshold.direction === 'below' ? 'below' : 'above';
  const extreme = threshold.direction === 'below' ? ss.biomarkerMax : ss.biomarkerMin;
  const lastExtreme =
    threshold.direction === 'below'
      ? prediction.lastInterval.biomarkerMax
      : prediction.lastInterval.biomarkerMin;
  return (
    <section className="card" aria-labelledby="metrics-title" data-testid="regimen-metrics">
      <div className="row">
        <h2 id="metrics-title" style={{ margin: 0 }}>
          Steady state over one {interval} h interval
        </h2>
        <span className="spacer" />
        <span className="muted small" data-testid="regimen-model-label">
          Model: {modelLabel} ({populationSummary ? 'population and patient' : 'typical patient'})
        </span>
      </div>
      {populationSummary}
      {populationSummary ? <h3 className="metrics-subtitle">Individual patient</h3> : null}
      {hasBiomarker ? (
        <p
          className={`verdict ${prediction.steadyStateAttains ? 'pass' : 'fail'}`}
          data-testid="ss-verdict"
          role="status"
        >
          {prediction.steadyStateAttains
            ? `✓ The biomarker stays ${side} ${threshold.value} ng/mL throughout the interval ${when}`
            : `✗ The biomarker does not stay ${side} ${threshold.value} ng/mL throughout the interval ${when}`}{' '}
          ({threshold.direction === 'below' ? 'highest' : 'lowest'} {fmt(extreme)} ng/mL).
        </p>
      ) : (
        <p className="alert warn" data-testid="ss-verdict" role="status">
          This model predicts concentrations only (a PK fit), so it cannot say whether the biomarker
          stays {side} {threshold.value} ng/mL. Choose a PK/PD model for the verdict.
        </p>
      )}
      <div className="stats">
        <div className="stat">
          <div className="label">Cmax,ss</div>
          <div className="value" data-testid="ss-cmax">
            {fmt(ss.cmax)}
            <span className="unit">mg/L</span>
          </div>
        </div>
        <div className="stat">
          <div className="label">Cmin,ss</div>
          <div className="value" data-testid="ss-cmin">
            {fmt(ss.cmin)}
            <span className="unit">mg/L</span>
          </div>
        </div>
        <div className="stat">
          <div className="label">AUC over the interval</div>
          <div className="value" data-testid="ss-auc">
            {fmt(ss.auc)}
            <span className="unit">mg·h/L</span>
          </div>
        </div>
        <div className="stat">
          <div className="label">Biomarker range, ss</div>
          <div className="value" data-testid="ss-biomarker">
            {fmt(ss.biomarkerMin)}–{fmt(ss.biomarkerMax)}
            <span className="unit">ng/mL</span>
          </div>
        </div>
      </div>
      <p className="small" style={{ marginTop: '0.7rem' }} data-testid="last-interval-note">
        Last interval of this regimen:{' '}
        {hasBiomarker ? (
          <>
            biomarker {threshold.direction === 'below' ? 'peaks at' : 'falls to'} {fmt(lastExtreme)}{' '}
            ng/mL —{' '}
            <strong>
              {prediction.lastIntervalAttains
                ? `stays ${side} the threshold`
                : `crosses the threshold`}
            </strong>
            ;{' '}
          </>
        ) : null}
        {prediction.lastIntervalAtSteadyState
          ? 'it is at steady state.'
          : `not yet at steady state (about ${ss.doses} doses are needed).`}
      </p>
      {prediction.warnings.length > 0 ? (
        <div className="alert warn small" role="note" data-testid="extrapolation-warnings">
          <strong>Outside what the model was built on:</strong>
          <ul>
            {prediction.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </section>
  );
}
