import * as ToggleGroup from '@radix-ui/react-toggle-group';
import { useWorkbench } from '../../state/store';
import {
  DOSE_SLIDER,
  type IntervalChoice,
  type RegimenMode,
} from '../../state/slices/regimenSlice';
import { SliderField } from '../components/SliderField';
import { PopulationControls } from './PopulationControls';
import { ShareRegimen } from './ShareRegimen';

const INTERVALS: { value: IntervalChoice; label: string }[] = [
  { value: '12', label: '12 h' },
  { value: '24', label: '24 h' },
  { value: '168', label: 'Weekly' },
  { value: 'custom', label: 'Custom' },
];

/** Regimen, patient and target: every control labelled, each reachable by keyboard. */
export function RegimenControls() {
  const regimen = useWorkbench((s) => s.regimen);
  const intervalChoice = useWorkbench((s) => s.intervalChoice);
  const patient = useWorkbench((s) => s.patient);
  const threshold = useWorkbench((s) => s.threshold);
  const setRegimen = useWorkbench((s) => s.setRegimen);
  const setIntervalChoice = useWorkbench((s) => s.setIntervalChoice);
  const setPatient = useWorkbench((s) => s.setPatient);
  const setThreshold = useWorkbench((s) => s.setThreshold);
  const mode = useWorkbench((s) => s.regimenMode);
  const setMode = useWorkbench((s) => s.setRegimenMode);

  return (
    <section className="card" aria-labelledby="regimen-controls-title">
      <div className="row">
        <h2 id="regimen-controls-title" style={{ margin: 0 }}>
          Regimen
        </h2>
        <span className="spacer" />
        <ShareRegimen />
      </div>
      <div className="field">
        <span id="regimen-mode-label" style={{ fontWeight: 500 }}>
          Predict for
        </span>
        <div className="row">
          <ToggleGroup.Root
            type="single"
            className="segmented"
            aria-labelledby="regimen-mode-label"
            value={mode}
            onValueChange={(v) => v && setMode(v as RegimenMode)}
          >
            <ToggleGroup.Item value="patient" data-testid="regimen-mode-patient">
              Patient
            </ToggleGroup.Item>
            <ToggleGroup.Item value="population" data-testid="regimen-mode-population">
              Population
            </ToggleGroup.Item>
          </ToggleGroup.Root>
          <span className="muted small">
            {mode === 'population'
              ? 'bands and fraction attaining'
              : 'one patient, typical for BW and COMED'}
          </span>
        </div>
      </div>
      <SliderField
        label="Dose"
        unit="mg"
        value={regimen.dose}
        min={DOSE_SLIDER.min}
        max={DOSE_SLIDER.max}
        step={DOSE_SLIDER.step}
        onChange={(dose) => setRegimen({ dose })}
        testId="dose"
      />
      <div className="field">
        <span id="interval-label" style={{ fontWeight: 500 }}>
          Dosing interval
        </span>
        <div className="row">
          <ToggleGroup.Root
            type="single"
            className="segmented"
            aria-labelledby="interval-label"
            value={intervalChoice}
            onValueChange={(v) => v && setIntervalChoice(v as IntervalChoice)}
          >
            {INTERVALS.map((i) => (
              <ToggleGroup.Item key={i.value} value={i.value} data-testid={`interval-${i.value}`}>
                {i.label}
              </ToggleGroup.Item>
            ))}
          </ToggleGroup.Root>
          {intervalChoice === 'custom' ? (
            <label className="row small">
              every
              <input
                type="number"
                min={1}
                max={2000}
                step={1}
                value={regimen.interval}
                aria-label="Custom interval in hours"
                data-testid="interval-custom-hours"
                onChange={(e) => {
                  const v = e.currentTarget.valueAsNumber;
                  if (Number.isFinite(v) && v >= 1) setRegimen({ interval: Math.min(2000, v) });
                }}
              />
              h
            </label>
          ) : null}
        </div>
      </div>
      <SliderField
        label="Number of doses"
        value={regimen.doses}
        min={1}
        max={120}
        step={1}
        onChange={(doses) => setRegimen({ doses: Math.round(doses) })}
        testId="doses"
      />
      <SliderField
        label="Loading dose (first dose; 0 = none)"
        unit="mg"
        value={regimen.loadingDose ?? 0}
        min={0}
        max={200}
        step={0.5}
        onChange={(loadingDose) => setRegimen({ loadingDose })}
        testId="loading-dose"
      />
      {mode === 'population' ? <PopulationControls /> : null}
      <fieldset style={mode === 'population' ? { marginTop: '0.8rem' } : undefined}>
        <legend>{mode === 'population' ? 'Individual patient (blue curve)' : 'Patient'}</legend>
        <SliderField
          label="Body weight"
          unit="kg"
          value={patient.BW}
          min={30}
          max={160}
          step={1}
          onChange={(BW) => setPatient({ BW })}
          testId="bw"
        />
        <div className="field">
          <span id="comed-label" style={{ fontWeight: 500 }}>
            Concomitant medication (COMED)
          </span>
          <ToggleGroup.Root
            type="single"
            className="segmented"
            aria-labelledby="comed-label"
            value={String(patient.COMED)}
            onValueChange={(v) => v && setPatient({ COMED: v === '1' ? 1 : 0 })}
          >
            <ToggleGroup.Item value="0" data-testid="comed-0">
              No
            </ToggleGroup.Item>
            <ToggleGroup.Item value="1" data-testid="comed-1">
              Yes
            </ToggleGroup.Item>
          </ToggleGroup.Root>
        </div>
      </fieldset>
      <fieldset style={{ marginTop: '0.8rem' }}>
        <legend>Target</legend>
        <div className="row">
          <label htmlFor="threshold-direction">Biomarker must stay</label>
          <select
            id="threshold-direction"
            value={threshold.direction}
            data-testid="threshold-direction"
            onChange={(e) =>
              setThreshold({ direction: e.currentTarget.value === 'above' ? 'above' : 'below' })
            }
          >
            <option value="below">below</option>
            <option value="above">above</option>
          </select>
          <input
            type="number"
            min={0}
            step={0.1}
            value={threshold.value}
            aria-label="Threshold in ng/mL"
            data-testid="threshold-value"
            onChange={(e) => {
              const v = e.currentTarget.valueAsNumber;
              if (Number.isFinite(v) && v >= 0) setThreshold({ value: v });
            }}
          />
          <span className="muted">ng/mL</span>
        </div>
      </fieldset>
    </section>
  );
}
