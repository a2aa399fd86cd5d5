import { useId, useMemo } from 'react';
import * as ToggleGroup from '@radix-ui/react-toggle-group';
import * as Switch from '@radix-ui/react-switch';
import { comedFractionOf } from '../../core/dosing/challenge';
import { MAX_POPULATION_SIZE } from '../../core/dosing/virtualPopulation';
import { useWorkbench } from '../../state/store';
import {
  dosingModelOptions,
  UNCERTAINTY_REPLICATES,
  type BwSource,
  type DosingSettings,
  type DosingIntervalChoice,
} from '../../state/slices/dosingSlice';
import { ExactNumberInput } from './ExactNumberInput';

const INTERVALS: { value: DosingIntervalChoice; label: string }[] = [
  { value: '24', label: 'Daily (24 h)' },
  { value: '168', label: 'Weekly' },
  { value: 'custom', label: 'Custom' },
];

const COMPUTE_CHOICES: { value: DosingSettings['compute']; label: string }[] = [
  { value: 'auto', label: 'Auto' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'cpu', label: 'CPU' },
];

const BW_SOURCES: { value: BwSource; label: string }[] = [
  { value: 'uniform', label: 'Uniform' },
  { value: 'normal', label: 'Normal' },
  { value: 'resample', label: 'From data' },
];

/** A label and a number box on one line, with the unit after the box. */
function NumberRow({
  label,
  unit,
  value,
  onChange,
  testId,
  step = 'any',
  ariaLabel,
}: {
  label: string;
  /** A fuller name for screen readers when the visible label is short ("From"). */
  ariaLabel?: string;
  unit?: string;
  value: number;
  onChange: (v: number) => void;
  testId: string;
  step?: number | 'any';
}) {
  return (
    <label className="dosing-number-row">
      <span>{label}</span>
      <span className="row">
        <ExactNumberInput
          value={value}
          onChange={onChange}
          label={ariaLabel ?? (unit ? `${label} (${unit})` : label)}
          step={step}
          testId={testId}
        />
        {unit ? <span className="muted small dosing-unit">{unit}</span> : null}
      </span>
    </label>
  );
}

/** Which models answer: the demo truth and every saved fit, several at once to compare. */
function ModelChoice() {
  const id = useId();
  const savedFits = useWorkbench((s) => s.savedFits);
  const modelIds = useWorkbench((s) => s.dosingSettings.modelIds);
  const toggle = useWorkbench((s) => s.toggleDosingModel);
  const setActivePanel = useWorkbench((s) => s.setActivePanel);
  const options = useMemo(() => dosingModelOptions(savedFits), [savedFits]);
  return (
    <fieldset className="plain" aria-describedby={`${id}-hint`}>
      <legend className="dosing-legend">Models to compare</legend>
      <div className="dosing-model-list" data-testid="dosing-models">
        {options.map((o) => (
          <label key={o.id} className="check" title={o.note}>
            <input
              type="checkbox"
              checked={o.hasBiomarker && modelIds.includes(o.id)}
              disabled={!o.hasBiomarker}
              onChange={(e) => toggle(o.id, e.currentTarget.checked)}
              data-testid={`dosing-model-${o.id}`}
            />
            <span>
              {o.label}
              <span className="muted small dosing-model-note">
                {o.hasBiomarker ? o.note : `${o.note}: no biomarker (PD) part, cannot answer`}
              </span>
            </span>
          </label>
        ))}
      </div>
      <span id={`${id}-hint`} className="muted small">
        {options.length === 1 ? (
          <>
            Fit a model in{' '}
            <button type="button" className="link" onClick={() => setActivePanel('model')}>
              Model fit
            </button>{' '}
            to compare it with the truth.
          </>
        ) : (
          'Tick several to compare their answers side by side.'
        )}
      </span>
    </fieldset>
  );
}

/** Settings of the Dosing panel: models, population, question; every control labelled. */
export function DosingControls() {
  const id = useId();
  const s = useWorkbench((st) => st.dosingSettings);
  const set = useWorkbench((st) => st.setDosingSettings);
  const setInterval = useWorkbench((st) => st.setDosingInterval);
  const dataset = useWorkbench((st) => st.dataset);
  const dataComed = dataset ? comedFractionOf(dataset) : null;
  return (
    <>
      <section className="card" aria-labelledby={`${id}-models`}>
        <h2 id={`${id}-models`}>Model</h2>
        <ModelChoice />
      </section>

      <section className="card" aria-labelledby={`${id}-pop`}>
        <h2 id={`${id}-pop`}>Population</h2>
        <NumberRow
          label="Virtual subjects"
          value={s.size}
          step={1000}
          onChange={(size) => set({ size })}
          testId="dosing-size"
        />
        <p className="muted small dosing-hint">
          1 to {MAX_POPULATION_SIZE.toLocaleString('en-US')}; each has its own random effects drawn
          from the model&apos;s Ω.
        </p>
        <NumberRow
          label="Seed"
          value={s.seed}
          step={1}
          onChange={(seed) => set({ seed })}
          testId="dosing-seed"
        />
        <div className="field">
          <span id={`${id}-bw`} className="dosing-label">
            Body weight
          </span>
          <div className="row">
            <ToggleGroup.Root
              type="single"
              className="segmented"
              aria-labelledby={`${id}-bw`}
              value={s.bwSource}
              onValueChange={(v) => v && set({ bwSource: v as BwSource })}
            >
              {BW_SOURCES.map((b) => (
                <ToggleGroup.Item
                  key={b.value}
                  value={b.value}
                  data-testid={`dosing-bw-${b.value}`}
                >
                  {b.label}
                </ToggleGroup.Item>
              ))}
            </ToggleGroup.Root>
          </div>
          <div className="dosing-pair">
            <NumberRow
              label="From"
              ariaLabel="Lowest body weight (kg)"
              unit="kg"
              value={s.bwMin}
              onChange={(bwMin) => set({ bwMin })}
              testId="dosing-bw-min"
            />
            <NumberRow
              label="to"
              ariaLabel="Highest body weight (kg)"
              unit="kg"
              value={s.bwMax}
              onChange={(bwMax) => set({ bwMax })}
              testId="dosing-bw-max"
            />
          </div>
          {s.bwSource === 'normal' ? (
            <div className="dosing-pair">
              <NumberRow
                label="Mean"
                ariaLabel="Mean body weight (kg)"
                unit="kg"
                value={s.bwMean}
                onChange={(bwMean) => set({ bwMean })}
                testId="dosing-bw-mean"
              />
              <NumberRow
                label="SD"
                ariaLabel="SD of body weight (kg)"
                unit="kg"
                value={s.bwSd}
                onChange={(bwSd) => set({ bwSd })}
                testId="dosing-bw-sd"
              />
            </div>
          ) : null}
          <span className="muted small">
            {s.bwSource === 'uniform'
              ? 'Every weight in the range equally likely.'
              : s.bwSource === 'normal'
                ? 'Normal, redrawn until it falls inside the range.'
                : "The loaded data's weights in the range, drawn with replacement."}
          </span>
        </div>
        <div className="field">
          <label htmlFor={`${id}-comed`} className="row">
            COMED fraction as in the data
            {dataComed !== null ? ` (${Math.round(dataComed * 100)}%)` : ' (50% without data)'}
            <Switch.Root
              id={`${id}-comed`}
              checked={s.comedFromData}
              onCheckedChange={(comedFromData) => set({ comedFromData })}
              className="switch"
              data-testid="dosing-comed-from-data"
            >
              <Switch.Thumb className="switch-thumb" />
            </Switch.Root>
          </label>
          {!s.comedFromData ? (
            <NumberRow
              label="On concomitant medication"
              unit="%"
              value={Number((s.comedFraction * 100).toPrecision(10))}
              onChange={(v) => set({ comedFraction: v / 100 })}
              testId="dosing-comed"
            />
          ) : null}
        </div>
      </section>

      <section className="card" aria-labelledby={`${id}-q`}>
        <h2 id={`${id}-q`}>Question</h2>
        <div className="field">
          <span id={`${id}-interval`} className="dosing-label">
            Dosing interval
          </span>
          <div className="row">
            <ToggleGroup.Root
              type="single"
              className="segmented"
              aria-labelledby={`${id}-interval`}
              value={s.intervalChoice}
              onValueChange={(v) => v && setInterval(v as DosingIntervalChoice)}
            >
              {INTERVALS.map((i) => (
                <ToggleGroup.Item
                  key={i.value}
                  value={i.value}
                  data-testid={`dosing-interval-${i.value}`}
                >
                  {i.label}
                </ToggleGroup.Item>
              ))}
            </ToggleGroup.Root>
          </div>
          {s.intervalChoice === 'custom' ? (
            <NumberRow
              label="Every"
              ariaLabel="Custom interval (h)"
              unit="h"
              value={s.customInterval}
              onChange={(customInterval) => set({ customInterval })}
              testId="dosing-interval-hours"
            />
          ) : null}
        </div>
        <NumberRow
          label="Dose step"
          unit="mg"
          value={s.step}
          onChange={(step) => set({ step })}
          testId="dosing-step"
        />
        <NumberRow
          label="Target attainment"
          unit="%"
          value={s.targetPercent}
          step={5}
          onChange={(targetPercent) => set({ targetPercent })}
          testId="dosing-target"
        />
        <div className="field">
          <label htmlFor={`${id}-direction`}>Biomarker must stay</label>
          <span className="row">
            <select
              id={`${id}-direction`}
              value={s.direction}
              data-testid="dosing-direction"
              onChange={(e) =>
                set({ direction: e.currentTarget.value === 'above' ? 'above' : 'below' })
              }
            >
              <option value="below">below</option>
              <option value="above">above</option>
            </select>
            <ExactNumberInput
              value={s.threshold}
              onChange={(threshold) => set({ threshold })}
              label="Threshold (ng/mL)"
              testId="dosing-threshold"
            />
            <span className="muted small">ng/mL</span>
          </span>
          <span className="muted small">throughout the dosing interval at steady state.</span>
        </div>
        <div className="field">
          <span id={`${id}-compute`} className="dosing-label">
            Compute on
          </span>
          <div className="row">
            <ToggleGroup.Root
              type="single"
              className="segmented"
              aria-labelledby={`${id}-compute`}
              value={s.compute}
              onValueChange={(v) => v && set({ compute: v as DosingSettings['compute'] })}
            >
              {COMPUTE_CHOICES.map((c) => (
                <ToggleGroup.Item
                  key={c.value}
                  value={c.value}
                  data-testid={`dosing-compute-${c.value}`}
                >
                  {c.label}
                </ToggleGroup.Item>
              ))}
            </ToggleGroup.Root>
          </div>
          <span className="muted small">
            Auto uses WebGPU when it is a real GPU; every GPU run is checked against the CPU.
          </span>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={s.parameterUncertainty}
            onChange={(e) => set({ parameterUncertainty: e.currentTarget.checked })}
            data-testid="dosing-parameter-uncertainty"
          />
          Band from the fit&apos;s parameter uncertainty
        </label>
        <p className="muted small dosing-hint">
          {s.parameterUncertainty
            ? `${UNCERTAINTY_REPLICATES} replicate populations, each from one draw of the fit's estimates (fits with a covariance step); other models keep the Monte Carlo band.`
            : 'Otherwise the band is the Monte Carlo 95% interval for the population size.'}
        </p>
        <label className="check">
          <input
            type="checkbox"
            checked={s.limitMaxDose}
            onChange={(e) => set({ limitMaxDose: e.currentTarget.checked })}
            data-testid="dosing-limit-max"
          />
          Limit the search to a largest dose
        </label>
        {s.limitMaxDose ? (
          <NumberRow
            label="Largest dose"
            unit="mg"
            value={s.maxDose}
            onChange={(maxDose) => set({ maxDose })}
            testId="dosing-max-dose"
          />
        ) : (
          <p className="muted small dosing-hint">Searched up to 2,000 dose steps.</p>
        )}
      </section>
    </>
  );
}
