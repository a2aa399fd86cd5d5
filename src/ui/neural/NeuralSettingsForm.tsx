import { useId } from 'react';
import * as Switch from '@radix-ui/react-switch';
import {
  ENCODERS,
  FRAMEWORKS,
  HEADS,
  QNN_READOUTS,
  hasExperts,
  hasHybridLayers,
  type NeuralConfig,
} from '../../core/neural/types';
import { useWorkbench } from '../../state/store';
import {
  NEURAL_LIMITS,
  TEST_FRACTION_LIMITS,
  neuralSettingsProblems,
} from '../../state/slices/neuralSlice';
import type { BackendPreference } from '../../core/neural/trainModel';
import { ChoiceField } from '../components/ChoiceField';
import { NumberInput } from '../components/NumberInput';
import { ENCODER_INFO, FRAMEWORK_INFO, HEAD_INFO, READOUT_INFO } from './labels';

const BACKEND_CHOICES: { value: BackendPreference; label: string }[] = [
  { value: 'auto', label: 'Best available' },
  { value: 'webgpu', label: 'WebGPU' },
  { value: 'webgl', label: 'WebGL' },
  { value: 'cpu', label: 'CPU' },
];

type NumberKey = keyof typeof NEURAL_LIMITS & keyof NeuralConfig;

/** One numeric hyperparameter: label, box, the allowed range and what it does. */
function NumberField({
  name,
  label,
  hint,
  disabled,
}: {
  name: NumberKey;
  label: string;
  hint: string;
  disabled?: boolean;
}) {
  const id = useId();
  const value = useWorkbench((s) => s.neuralSettings.config[name]) as number;
  const setConfig = useWorkbench((s) => s.setNeuralConfig);
  const lim = NEURAL_LIMITS[name];
  return (
    <div className="field neural-field">
      <span id={`${id}-label`}>{label}</span>
      <NumberInput
        value={value}
        label={label}
        step={lim.integer ? 1 : 'any'}
        disabled={disabled}
        isValid={(v) => v >= lim.min && v <= lim.max && (!lim.integer || Number.isInteger(v))}
        invalidHint={`Between ${lim.min} and ${lim.max}${lim.integer ? ', a whole number' : ''}`}
        onChange={(v) => setConfig({ [name]: v } as Partial<NeuralConfig>)}
        testId={`neural-${name}`}
      />
      <span className="muted small">{hint}</span>
    </div>
  );
}

/** Framework, encoder, head and hyperparameters, with defaults and what each one does. */
export function NeuralSettingsForm() {
  const id = useId();
  const settings = useWorkbench((s) => s.neuralSettings);
  const setConfig = useWorkbench((s) => s.setNeuralConfig);
  const setSettings = useWorkbench((s) => s.setNeuralSettings);
  const reset = useWorkbench((s) => s.resetNeuralSettings);
  const busy = useWorkbench((s) => s.neuralStatus === 'running' || s.neuralStatus === 'stopping');
  const c = settings.config;
  const moe = hasExperts(c.encoder);
  const hybrid = hasHybridLayers(c.encoder);
  const problems = neuralSettingsProblems(settings);
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="neural-settings">
      <div className="row">
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          Network
        </h2>
        <span className="spacer" />
        <button type="button" className="secondary" onClick={reset} disabled={busy}>
          Defaults
        </button>
      </div>
      <fieldset className="plain" disabled={busy}>
        <ChoiceField
          label="Framework"
          value={c.framework}
          options={FRAMEWORKS.map((f) => ({ value: f, label: FRAMEWORK_INFO[f].label }))}
          onChange={(framework) => setConfig({ framework })}
          testId="neural-framework"
          hint={FRAMEWORK_INFO[c.framework].hint}
        />
        <ChoiceField
          label="Encoder"
          value={c.encoder}
          options={ENCODERS.map((e) => ({ value: e, label: ENCODER_INFO[e].label }))}
          onChange={(encoder) => setConfig({ encoder })}
          testId="neural-encoder"
          hint={ENCODER_INFO[c.encoder].hint}
          grid
        />
        <ChoiceField
          label="Output"
          value={c.head}
          options={HEADS.map((h) => ({ value: h, label: HEAD_INFO[h].label }))}
          onChange={(head) => setConfig({ head })}
          testId="neural-head"
          hint={HEAD_INFO[c.head].hint}
        />
        <div className="neural-grid">
          <NumberField name="hidden" label="Hidden width" hint="Units per layer (64)." />
          <NumberField
            name="blocks"
            label={c.encoder === 'mlp' ? 'Hidden layers' : 'Blocks'}
            hint="Depth of the encoder (2)."
          />
          {moe ? (
            <>
              <NumberField name="experts" label="Experts" hint="Experts per MoE block (4)." />
              <NumberField name="topK" label="Experts per row" hint="Top-k routing (2)." />
            </>
          ) : null}
          {hybrid ? (
            <>
              <NumberField name="qubits" label="Qubits" hint="Wires of each circuit (4)." />
              <NumberField
                name="qlayers"
                label="Circuit layers"
                hint="Re-uploading layers per circuit (2)."
              />
            </>
          ) : null}
          <NumberField
            name="dropout"
            label="Dropout"
            hint="Regularises; > 0 also gives the Monte Carlo dropout band (0.1)."
          />
          <NumberField
            name="learningRate"
            label="Learning rate"
            hint="AdamW, cosine decay (0.002)."
          />
          <NumberField name="weightDecay" label="Weight decay" hint="AdamW, on weights (0.0001)." />
          <NumberField name="batchSize" label="Batch size" hint="Rows per step (64)." />
          <NumberField name="maxEpochs" label="Max epochs" hint="Upper bound (200)." />
          <NumberField
            name="patience"
            label="Patience"
            hint="Stop after this many epochs without a better validation loss (30)."
          />
          <NumberField name="seed" label="Seed" hint="Same seed, same split and weights." />
        </div>
        {hybrid ? (
          <ChoiceField
            label="Circuit readout"
            value={c.readout}
            options={QNN_READOUTS.map((r) => ({ value: r, label: READOUT_INFO[r].label }))}
            onChange={(readout) => setConfig({ readout })}
            testId="neural-readout"
            hint={READOUT_INFO[c.readout].hint}
          />
        ) : null}
        <div className="row neural-switches">
          <label className="row small" htmlFor={`${id}-log`}>
            <Switch.Root
              id={`${id}-log`}
              className="switch"
              checked={c.logTargets}
              onCheckedChange={(v) => setConfig({ logTargets: v })}
              data-testid="neural-log-targets"
            >
              <Switch.Thumb className="switch-thumb" />
            </Switch.Root>
            Train on log(1 + y)
          </label>
          <label className="row small" htmlFor={`${id}-baseline`}>
            <Switch.Root
              id={`${id}-baseline`}
              className="switch"
              checked={settings.baseline}
              onCheckedChange={(v) => setSettings({ baseline: v })}
              data-testid="neural-baseline"
            >
              <Switch.Thumb className="switch-thumb" />
            </Switch.Root>
            Pre-dose biomarker as an input
          </label>
          {hybrid ? (
            <label className="row small" htmlFor={`${id}-skip`}>
              <Switch.Root
                id={`${id}-skip`}
                className="switch"
                checked={c.quantumSkip}
                onCheckedChange={(v) => setConfig({ quantumSkip: v })}
                data-testid="neural-quantum-skip"
              >
                <Switch.Thumb className="switch-thumb" />
              </Switch.Root>
              Classical skip beside each circuit
            </label>
          ) : null}
        </div>
        <div className="neural-grid">
          <div className="field neural-field">
            <span>Held-out subjects</span>
            <NumberInput
              value={Math.round(settings.testFraction * 100)}
              label="Held-out subjects (%)"
              step={5}
              isValid={(v) =>
                v >= TEST_FRACTION_LIMITS.min * 100 && v <= TEST_FRACTION_LIMITS.max * 100
              }
              invalidHint="Between 5% and 50%"
              onChange={(v) => setSettings({ testFraction: v / 100 })}
              testId="neural-test-fraction"
            />
            <span className="muted small">
              % of subjects never trained or early-stopped on; they score the model (20).
            </span>
          </div>
        </div>
        <ChoiceField
          label="Train on"
          value={settings.backend}
          options={BACKEND_CHOICES}
          onChange={(backend) => setSettings({ backend })}
          testId="neural-backend"
          hint="The best available tries WebGPU, then WebGL, then the CPU; the run says which one it got and why."
        />
      </fieldset>
      {problems.length > 0 ? (
        <ul className="alert error small" role="alert" data-testid="neural-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
