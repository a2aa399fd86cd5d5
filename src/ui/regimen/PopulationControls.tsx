import { useId } from 'react';
import { useWorkbench } from '../../state/store';
import {
  ATTAINMENT_SUBJECTS,
  POPULATION_BW_RANGE,
  POPULATION_SIZE_RANGE,
} from '../../state/slices/regimenSlice';
import { NumberInput } from '../components/NumberInput';
import { SliderField } from '../components/SliderField';

/** Who the population is: body weights, the share on COMED, how many subjects and the seed. */
export function PopulationControls() {
  const id = useId();
  const population = useWorkbench((s) => s.population);
  const setPopulation = useWorkbench((s) => s.setPopulation);
  const [bwLo, bwHi] = POPULATION_BW_RANGE;
  const [sizeLo, sizeHi] = POPULATION_SIZE_RANGE;
  return (
    <fieldset data-testid="population-controls">
      <legend>Population</legend>
      <div className="field">
        <span id={`${id}-bw`} style={{ fontWeight: 500 }}>
          Body weight, uniform between
        </span>
        <div className="row" role="group" aria-labelledby={`${id}-bw`}>
          <NumberInput
            label="Lowest body weight in kg"
            value={population.bwMin}
            step={1}
            isValid={(v) => v >= bwLo && v <= population.bwMax}
            invalidHint={`A weight from ${bwLo} kg up to the highest weight.`}
            onChange={(bwMin) => setPopulation({ bwMin })}
            testId="population-bw-min"
          />
          and
          <NumberInput
            label="Highest body weight in kg"
            value={population.bwMax}
            step={1}
            isValid={(v) => v <= bwHi && v >= population.bwMin}
            invalidHint={`A weight from the lowest weight up to ${bwHi} kg.`}
            onChange={(bwMax) => setPopulation({ bwMax })}
            testId="population-bw-max"
          />
          <span className="muted">kg</span>
        </div>
      </div>
      <SliderField
        label="On concomitant medication (COMED)"
        unit="%"
        value={Math.round(population.comedFraction * 100)}
        min={0}
        max={100}
        step={5}
        onChange={(pct) => setPopulation({ comedFraction: pct / 100 })}
        testId="population-comed"
      />
      <div className="row population-numbers">
        <label className="row small">
          Subjects in the bands
          <NumberInput
            label="Virtual subjects in the bands"
            value={population.size}
            step={50}
            isValid={(v) => Number.isInteger(v) && v >= sizeLo && v <= sizeHi}
            invalidHint={`A whole number from ${sizeLo} to ${sizeHi}.`}
            onChange={(size) => setPopulation({ size })}
            testId="population-size"
          />
        </label>
        <label className="row small">
          Seed
          <input
            type="number"
            min={0}
            step={1}
            value={population.seed}
            aria-label="Random seed of the virtual population"
            className="seed-input"
            data-testid="population-seed"
            onChange={(e) => {
              const v = e.currentTarget.valueAsNumber;
              if (Number.isInteger(v) && v >= 0) setPopulation({ seed: v });
            }}
          />
        </label>
      </div>
      <p className="muted small" style={{ margin: 0 }}>
        The fraction attaining the target is counted over{' '}
        {ATTAINMENT_SUBJECTS.toLocaleString('en-US')} virtual subjects drawn the same way (the first{' '}
        {population.size.toLocaleString('en-US')} are those in the bands).
      </p>
    </fieldset>
  );
}
