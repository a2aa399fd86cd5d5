import type { ReactNode } from 'react';
import { attainmentAt, doseAt, wilsonInterval } from '../../core/dosing/attainment';
import { activePredictor } from '../../state/activeModel';
import { useWorkbench } from '../../state/store';
import { regimenPopulationModel } from '../../state/slices/regimenSlice';

function pct(f: number): string {
  return `${(100 * f).toFixed(f > 0.001 && f < 0.999 ? 1 : 0)}%`;
}

/** Parameters with between-subject variability, as the model's Ω gives them. */
function variableParameters(omegas: readonly { parameter: string; omega: number }[]): string {
  const names = omegas.filter((re) => re.omega > 0).map((re) => re.parameter);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * The population answer: the fraction of virtual patients whose biomarker stays on the right
 * side of the threshold at steady state, read for the current dose from counts made once for
 * every dose on the slider's grid, so it follows the slider as it is dragged.
 */
export function PopulationAttainment({ hasBiomarker }: { hasBiomarker: boolean }) {
  const dose = useWorkbench((s) => s.regimen.dose);
  const attainment = useWorkbench((s) => s.populationAttainment);
  const status = useWorkbench((s) => s.attainmentStatus);
  const message = useWorkbench((s) => s.attainmentMessage);
  const population = useWorkbench((s) => s.population);
  const model = useWorkbench((s) => regimenPopulationModel(s).model);
  const domain = useWorkbench((s) => activePredictor(s).domain);
  const result = attainment?.result ?? null;
  const computing = status === 'running';
  const variable = variableParameters(model.randomEffects);
  const comed = Math.round(population.comedFraction * 100);
  const who = `BW ${population.bwMin}–${population.bwMax} kg, ${comed}% on COMED`;

  let answer: ReactNode;
  if (!hasBiomarker) {
    answer = (
      <p className="alert warn small" data-testid="population-attainment">
        This model predicts concentrations only, so it cannot say what fraction of the population
        keeps the biomarker on the right side of the threshold.
      </p>
    );
  } else if (status === 'error' && message) {
    answer = (
      <p className="alert error small" role="alert" data-testid="population-attainment-error">
        {message}
      </p>
    );
  } else if (!result || !(dose >= 0)) {
    answer = (
      <p className="population-answer muted" role="status" data-testid="population-attainment">
        Computing the fraction of the population attaining the target…
      </p>
    );
  } else {
    const q = result.question;
    const f = attainmentAt(result, dose);
    const k = Math.floor(dose / q.step + 1e-9);
    const gridDose = doseAt(Math.min(k, result.counts.length - 1), q.step);
    const [lo, hi] = wilsonInterval(Math.round(f * result.subjects), result.subjects);
    const side = q.threshold.direction === 'below' ? 'below' : 'above';
    answer = (
      <div className={`population-answer${computing ? ' stale' : ''}`}>
        <p style={{ margin: 0 }}>
          <strong className="population-fraction" data-testid="population-attainment">
            {pct(f)} of the population keeps the biomarker {side} {q.threshold.value} ng/mL
            throughout the interval at steady state
          </strong>{' '}
          <span className="muted small">
            ({gridDose} mg every {q.interval} h; 95% Monte Carlo interval {pct(lo)}–{pct(hi)} over{' '}
            {result.subjects.toLocaleString('en-US')} virtual subjects)
          </span>
          {computing ? (
            <span className="pill" role="status" data-testid="population-computing">
              computing…
            </span>
          ) : null}
        </p>
        {Math.abs(gridDose - dose) > 1e-9 ? (
          <p className="muted small" style={{ margin: 0 }}>
            Read at {gridDose} mg, the slider&apos;s step at or below {dose} mg.
          </p>
        ) : null}
      </div>
    );
  }
  const comedOutside =
    domain &&
    ((population.comedFraction > 0 && !domain.comedValues.includes(1)) ||
      (population.comedFraction < 1 && !domain.comedValues.includes(0)));
  const bwOutside =
    domain && (population.bwMin < domain.bwRange[0] || population.bwMax > domain.bwRange[1]);
  return (
    <div className="population-summary" data-testid="population-summary">
      {answer}
      {bwOutside || comedOutside ? (
        <p className="alert warn small" role="note" data-testid="population-domain-warning">
          Outside what the model was built on:{' '}
          {bwOutside
            ? `the population's body weights (${population.bwMin}–${population.bwMax} kg) reach beyond ${domain.bwRange[0]}–${domain.bwRange[1]} kg. `
            : ''}
          {comedOutside ? 'the population mixes COMED values the data did not have.' : ''}
        </p>
      ) : null}
      <p className="muted small" style={{ margin: '0.35rem 0 0' }} data-testid="population-spread">
        {variable
          ? `The spread stands for differences between patients: ${variable} vary from patient to patient as the model's between-subject variability (Ω) says, in a population with ${who}; measurement error is left out.`
          : `This model has no between-subject variability (Ω = 0): the spread only reflects the population's ${who}.`}
      </p>
    </div>
  );
}
