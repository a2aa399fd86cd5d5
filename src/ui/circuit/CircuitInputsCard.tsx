import { useId } from 'react';
import { INPUT_ANGLE_LIMIT } from '../../state/slices/circuitSlice';
import { useWorkbench } from '../../state/store';
import { SliderField } from '../components/SliderField';
import { subscript } from './circuitLayout';

/** Radians per slider step. */
const INPUT_STEP = 0.01;

/** One slider per input angle x_i of the circuit (the values Linear(d → n) feeds it). */
export function CircuitInputsCard({ qubits }: { qubits: number }) {
  const id = useId();
  const inputs = useWorkbench((s) => s.circuitSettings.inputs);
  const setInput = useWorkbench((s) => s.setCircuitInput);
  const reset = useWorkbench((s) => s.resetCircuitInputs);
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="circuit-inputs">
      <div className="row">
        <h2 id={`${id}-title`} style={{ margin: 0 }}>
          Input angles
        </h2>
        <span className="spacer" />
        <button type="button" className="secondary small" onClick={reset}>
          Reset
        </button>
      </div>
      <p className="muted small">
        In the network these are the outputs of Linear(d → {qubits}); here you set them. Each x
        <sub>i</sub> is encoded on wire q<sub>i</sub> twice per layer, radians in −π…π.
      </p>
      <div className="circuit-inputs">
        {Array.from({ length: qubits }, (_, i) => (
          <SliderField
            key={i}
            label={`x${subscript(i)} on q${i}`}
            unit="rad"
            value={inputs[i]}
            min={-INPUT_ANGLE_LIMIT}
            max={INPUT_ANGLE_LIMIT}
            step={INPUT_STEP}
            onChange={(v) => setInput(i, v)}
            testId={`circuit-input-${i}`}
          />
        ))}
      </div>
    </section>
  );
}
