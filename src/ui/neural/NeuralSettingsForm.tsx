import { useId, type ReactNode } from 'react';
import * as ToggleGroup from '@radix-ui/react-toggle-group';
import * as Switch from '@radix-ui/react-switch';
import { ENCODERS, FRAMEWORKS, HEADS, type NeuralConfig } from '../../core/neural/types';
import { useWorkbench } from '../../state/store';
import {
  NEURAL_LIMITS,
  TEST_FRACTION_LIMITS,
  neuralSettingsProblems,
} from '../../state/slices/neuralSlice';
import type { BackendPreference } from '../../core/neural/trainModel';
import { NumberInput } from '../components/NumberInput';

const FRAMEWORK_INFO: Record<NeuralConfig['framework'], { label: string; hint: string }> = {
  independent: {
    label: 'Independent',
    hint: 'Two networks: one predicts concentrations, the other the biomarker.',
  },
  cascade: {
    label: 'Cascade',
    hint: 'The biomarker network also receives the predicted concentration at the same time (the same prediction in training and in use).',
  },
  multitask: {
    label: 'Multi-task',
    hint: 'One shared encoder with a concentration head and a biomarker head.',
  },
};

const ENCODER_INFO: Record<NeuralConfig['encoder'], { label: string; hint: string }> = {
  mlp: { label: 'MLP', hint: 'Plain hidden layers with GELU.' },
  resmlp: { label: 'ResMLP', hint: 'Pre-LayerNorm residual blocks: deeper, stable training.' },
  moe: {
    label: 'MoE',
    hint: 'A mixture of experts: a gate routes each row to its top-k experts, with a load-balancing loss.',
  },
  resmlp_moe: { label: 'ResMLP+MoE', hint: 'Residual blocks interleaved with expert blocks.' },
};

const HEAD_INFO: Record<NeuralConfig['head'], { label: string; hint: string }> = {
  direct: {
    label: 'Direct',
    hint: 'The network outputs concentration and biomarker from dose-history features (the seed).',
  },
  parameters: {
    label: 'PK/PD parameters',
    hint: "The network maps a patient's covariates to the parameters of a compartmental PK/PD model, which the engine simulates: pharmacological structure, sensible extrapolation to new doses and intervals.",
  },
};

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

/** A labelled radio-like choice among a few options (Radix toggle group: arrow keys move). */
function Choice<T extends string>({
  label,
  value,
  options,
  onChange,
  testId,
  hint,
  disabled,
}: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (v: T) => void;
  testId: string;
  hint?: ReactNode;
  disabled?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <span id={`${id}-label`}>{label}</span>
      <ToggleGroup.Root
        type="single"
        className="segmented"
        value={value}
        aria-labelledby={`${id}-label`}
        onValueChange={(v) => {
          if (v) onChange(v as T);
        }}
        data-testid={testId}
        disabled={disabled}
      >
        {options.map((o) => (
          <ToggleGroup.Item key={o.value} value={o.value}>
            {o.label}
          </ToggleGroup.Item>
        ))}
      </ToggleGroup.Root>
      {hint ? <span className="muted small">{hint}</span> : null}
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
  const moe = c.encoder === 'moe' || c.encoder === 'resmlp_moe';
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
        <Choice
          label="Framework"
          value={c.framework}
          options={FRAMEWORKS.map((f) => ({ value: f, label: FRAMEWORK_INFO[f].label }))}
          onChange={(framework) => setConfig({ framework })}
          testId="neural-framework"
          hint={FRAMEWORK_INFO[c.framework].hint}
        />
        <Choice
          label="Encoder"
          value={c.encoder}
          options={ENCODERS.map((e) => ({ value: e, label: ENCODER_INFO[e].label }))}
          onChange={(encoder) => setConfig({ encoder })}
          testId="neural-encoder"
          hint={ENCODER_INFO[c.encoder].hint}
        />
        <Choice
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
        <Choice
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
