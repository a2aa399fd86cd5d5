import { useWorkbench } from '../../state/store';
import type { PopulationModel } from '../../core/pkpd/population';

/** Units and plain meanings of the parameters the demo's true model uses. */
const PARAMETER_INFO: Record<string, { unit: string; meaning: string }> = {
  CL: { unit: 'L/h', meaning: 'clearance (70 kg)' },
  V: { unit: 'L', meaning: 'volume of distribution (70 kg)' },
  ka: { unit: '1/h', meaning: 'absorption rate constant' },
  baseline: { unit: 'ng/mL', meaning: 'biomarker without drug (no COMED)' },
  kout: { unit: '1/h', meaning: 'biomarker turnover rate' },
  Imax: { unit: '', meaning: 'maximum inhibition of production' },
  IC50: { unit: 'mg/L', meaning: 'concentration for half the maximum inhibition' },
  hill: { unit: '', meaning: 'Hill coefficient' },
};

function halfLifeHours(model: PopulationModel): number | null {
  const { CL, V } = model.theta;
  return CL && V ? (Math.LN2 * V) / CL : null;
}

/** What the demo trial was generated from, so a fit can be checked against the truth. */
export function DemoTrialInfo() {
  const truth = useWorkbench((s) => s.demoTruth);
  const source = useWorkbench((s) => s.source);
  if (!truth || source?.kind !== 'demo') return null;
  const { model } = truth;
  const t12 = halfLifeHours(model);
  return (
    <section className="card" aria-labelledby="truth-title" data-testid="demo-truth">
      <h2 id="truth-title">How the demo trial was generated</h2>
      <p>{truth.description}</p>
      {t12 ? (
        <p>
          Terminal half-life {t12.toFixed(0)} h for a 70 kg patient: steady state after about{' '}
          {Math.ceil((4 * t12) / 24)} days of daily dosing (four half-lives, 94%).
        </p>
      ) : null}
      <table className="data" aria-label="True model parameters" style={{ maxWidth: 760 }}>
        <thead>
          <tr>
            <th>Parameter</th>
            <th>Typical value</th>
            <th>Unit</th>
            <th>Between-subject variability (ω)</th>
            <th style={{ textAlign: 'left' }}>Meaning</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(model.theta).map(([name, value]) => {
            const re = model.randomEffects.find((r) => r.parameter === name);
            const info = PARAMETER_INFO[name];
            return (
              <tr key={name}>
                <td>{name}</td>
                <td>{value}</td>
                <td>{info?.unit ?? ''}</td>
                <td>{re ? `${re.omega} (~${Math.round(re.omega * 100)}% CV)` : 'fixed'}</td>
                <td style={{ textAlign: 'left' }}>{info?.meaning ?? ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small" style={{ marginTop: '0.5rem' }}>
        Covariates:{' '}
        {model.covariateEffects
          .map((e) =>
            e.kind === 'power'
              ? `${e.parameter} ∝ (${e.covariate}/${e.reference})^${e.exponent}`
              : `${e.parameter} × ${1 + e.theta} when ${e.covariate} = ${e.level ?? 1}`,
          )
          .join('; ')}
        .
      </p>
    </section>
  );
}
