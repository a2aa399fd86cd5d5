import { useId, useMemo, useState } from 'react';
import type { CircuitDefinition } from '../../core/quantum/circuit';
import { toQasm, type QasmVersion } from '../../core/quantum/qasm';
import { downloadText } from '../components/download';
import { ChoiceField } from '../components/ChoiceField';

const VERSIONS: readonly { value: QasmVersion; label: string }[] = [
  { value: '2.0', label: 'OpenQASM 2.0' },
  { value: '3.0', label: 'OpenQASM 3.0' },
];

/** The bound circuit (current inputs and angles) as OpenQASM: downloads and a preview. */
export function QasmExportCard({
  def,
  inputs,
  weights,
  fileStem,
  origin,
}: {
  def: CircuitDefinition;
  inputs: readonly number[];
  weights: readonly number[];
  fileStem: string;
  origin: string;
}) {
  const id = useId();
  const [preview, setPreview] = useState<QasmVersion>('2.0');
  const text = useMemo(
    () => toQasm(def, inputs, weights, preview),
    [def, inputs, weights, preview],
  );
  const download = (version: QasmVersion) =>
    downloadText(
      `${fileStem}-openqasm${version[0]}.qasm`,
      toQasm(def, inputs, weights, version),
      'text/plain',
    );
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="circuit-export">
      <h2 id={`${id}-title`}>Export</h2>
      <p className="muted small">
        The circuit with the current input angles and the {origin} written in, as text for other
        tools and for hardware. Rot(φ, θ, ω) is written as rz(φ); ry(θ); rz(ω). Nothing leaves this
        machine: the file is made here.
      </p>
      <div className="row circuit-export-buttons">
        {VERSIONS.map((v) => (
          <button
            key={v.value}
            type="button"
            onClick={() => download(v.value)}
            data-testid={`circuit-export-qasm${v.value[0]}`}
          >
            {v.label}
          </button>
        ))}
      </div>
      <ChoiceField
        label="Preview"
        value={preview}
        options={VERSIONS}
        onChange={setPreview}
        testId="circuit-qasm-preview-choice"
      />
      <pre
        className="circuit-qasm"
        tabIndex={0}
        aria-label={`OpenQASM ${preview} text (read-only)`}
        data-testid="circuit-qasm-preview"
      >
        {text}
      </pre>
    </section>
  );
}
