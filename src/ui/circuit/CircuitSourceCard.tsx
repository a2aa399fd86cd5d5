import { useId } from 'react';
import { QUANTUM_ENCODERS } from '../../core/neural/types';
import { CIRCUIT_LIMITS, type CircuitSource } from '../../state/slices/circuitSlice';
import { useWorkbench } from '../../state/store';
import { NumberInput } from '../components/NumberInput';
import { ChoiceField } from '../components/ChoiceField';
import { READOUT_CHOICES, readoutChoiceLabel } from './circuitView';

const SOURCES: readonly { value: CircuitSource; label: string }[] = [
  { value: 'config', label: 'Configuration' },
  { value: 'model', label: 'Trained model' },
];

type Limit = { readonly min: number; readonly max: number };

/** A labelled whole-number box with its allowed range. */
function WholeNumberField({
  label,
  value,
  limit,
  onChange,
  hint,
  testId,
}: {
  label: string;
  value: number;
  limit: Limit;
  onChange: (v: number) => void;
  hint: string;
  testId: string;
}) {
  const id = useId();
  return (
    <div className="field circuit-number-field">
      <span id={`${id}-label`}>{label}</span>
      <NumberInput
        value={value}
        label={label}
        step={1}
        isValid={(v) => Number.isInteger(v) && v >= limit.min && v <= limit.max}
        invalidHint={`A whole number from ${limit.min} to ${limit.max}`}
        onChange={onChange}
        testId={testId}
      />
      <span className="muted small">{hint}</span>
    </div>
  );
}

/** The configuration source: qubits, layers, readout and the seed of the random angles. */
function ConfigurationFields() {
  const settings = useWorkbench((s) => s.circuitSettings);
  const set = useWorkbench((s) => s.setCircuitSettings);
  const adopt = useWorkbench((s) => s.adoptNeuralCircuitShape);
  const neural = useWorkbench((s) => s.neuralSettings.config);
  const same =
    neural.qubits === settings.qubits &&
    neural.qlayers === settings.layers &&
    neural.readout === settings.readout;
  return (
    <>
      <div className="circuit-field-pair">
        <WholeNumberField
          label="Qubits"
          value={settings.qubits}
          limit={CIRCUIT_LIMITS.qubits}
          onChange={(qubits) => set({ qubits })}
          hint="Wires, 2–12."
          testId="circuit-qubits"
        />
        <WholeNumberField
          label="Layers"
          value={settings.layers}
          limit={CIRCUIT_LIMITS.layers}
          onChange={(layers) => set({ layers })}
          hint="Re-uploading layers, 1–8."
          testId="circuit-layers"
        />
      </div>
      <ChoiceField
        label="Readout"
        value={settings.readout}
        options={READOUT_CHOICES}
        onChange={(readout) => set({ readout })}
        testId="circuit-readout-choice"
        hint={READOUT_CHOICES.find((r) => r.value === settings.readout)?.hint}
      />
      <WholeNumberField
        label="Angle seed"
        value={settings.seed}
        limit={CIRCUIT_LIMITS.seed}
        onChange={(seed) => set({ seed })}
        hint="The trainable Rot angles are drawn uniformly from [−π, π) with this seed: same seed, same angles."
        testId="circuit-seed"
      />
      <div className="circuit-adopt">
        <button
          type="button"
          className="secondary"
          onClick={adopt}
          disabled={same}
          data-testid="circuit-use-neural"
        >
          Use the Neural models settings
        </button>
        <span className="muted small">
          {neural.qubits} qubits, {neural.qlayers} layers, {readoutChoiceLabel(neural.readout)}
          {same ? ' (in use)' : ''}
        </span>
      </div>
    </>
  );
}

/** The trained-model source: a saved hybrid model, then one of its circuits. */
function ModelFields() {
  const id = useId();
  const settings = useWorkbench((s) => s.circuitSettings);
  const models = useWorkbench((s) => s.neuralModels);
  const modelsStatus = useWorkbench((s) => s.neuralModelsStatus);
  const circuitModel = useWorkbench((s) => s.circuitModel);
  const choose = useWorkbench((s) => s.chooseCircuitModel);
  const set = useWorkbench((s) => s.setCircuitSettings);
  const hybrid = models.filter((m) => QUANTUM_ENCODERS.includes(m.config.encoder));
  const chosen = settings.modelId;
  const listed = hybrid.some((m) => m.id === chosen);

  if (hybrid.length === 0 && !chosen) {
    return (
      <p className="muted small" data-testid="circuit-no-models">
        {modelsStatus === 'loading'
          ? 'Looking for saved models…'
          : 'No trained hybrid models yet. Train one in Neural models with the QNN or QNN-ResMLP+MoE encoder; its circuits then appear here.'}
      </p>
    );
  }
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-model`}>Saved model</label>
        <select
          id={`${id}-model`}
          value={chosen ?? ''}
          onChange={(e) => void choose(e.currentTarget.value || null)}
          data-testid="circuit-model"
        >
          <option value="">Choose a QNN or QNN-ResMLP+MoE model…</option>
          {hybrid.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
          {chosen && !listed ? <option value={chosen}>(a model no longer listed)</option> : null}
        </select>
        <span className="muted small">Only models with quantum circuits are listed.</span>
      </div>
      {circuitModel?.status === 'ready' && circuitModel.id === chosen ? (
        <div className="field">
          <label htmlFor={`${id}-circuit`}>Circuit</label>
          <select
            id={`${id}-circuit`}
            value={settings.circuitName ?? circuitModel.circuits[0].name}
            onChange={(e) => set({ circuitName: e.currentTarget.value })}
            data-testid="circuit-name"
          >
            {circuitModel.circuits.map((c) => (
              <option key={c.name} value={c.name}>
                {c.name} ({c.qubits} qubits × {c.layers} layers)
              </option>
            ))}
          </select>
          <span className="muted small">
            Each hybrid layer of the network has its own circuit; its trained angles are shown.
          </span>
        </div>
      ) : null}
      {circuitModel?.status === 'loading' && circuitModel.id === chosen ? (
        <p className="muted small" role="status">
          Reading the model…
        </p>
      ) : null}
      {circuitModel?.status === 'error' && circuitModel.id === chosen ? (
        <p className="alert error small" role="alert" data-testid="circuit-model-error">
          {circuitModel.error}
        </p>
      ) : null}
    </>
  );
}

/** Which circuit the panel shows: a configuration with seeded angles, or a trained model's. */
export function CircuitSourceCard() {
  const id = useId();
  const source = useWorkbench((s) => s.circuitSettings.source);
  const modelId = useWorkbench((s) => s.circuitSettings.modelId);
  const set = useWorkbench((s) => s.setCircuitSettings);
  const choose = useWorkbench((s) => s.chooseCircuitModel);
  // Switching to a trained model with none chosen yet opens the one open in Neural models, or
  // the newest hybrid one, rather than an empty panel.
  const suggested = useWorkbench((s) => {
    const hybrid = s.neuralModels.filter((m) => QUANTUM_ENCODERS.includes(m.config.encoder));
    return (hybrid.find((m) => m.id === s.currentNeuralId) ?? hybrid[0])?.id ?? null;
  });
  const chooseSource = (v: typeof source) => {
    set({ source: v });
    if (v === 'model' && modelId === null && suggested !== null) void choose(suggested);
  };
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="circuit-source">
      <h2 id={`${id}-title`}>Circuit</h2>
      <p className="muted small">
        The hybrid quantum layer of the seed model: per layer RY(x<sub>i</sub>) and RX(x
        <sub>i</sub>) on every wire, a trainable Rot(φ, θ, ω) on every wire, then a ring of CNOTs.
      </p>
      <ChoiceField
        label="Source"
        value={source}
        options={SOURCES}
        onChange={chooseSource}
        testId="circuit-source-choice"
      />
      {source === 'config' ? <ConfigurationFields /> : <ModelFields />}
    </section>
  );
}
