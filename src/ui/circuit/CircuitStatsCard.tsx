import { useId } from 'react';
import type { CircuitStats } from '../../core/quantum/circuitStats';
import {
  posterCounts,
  type FormulaLine,
  type PosterShape,
  type ShapeNotes,
} from './parameterFormulas';

function Stat({
  label,
  value,
  unit,
  testId,
}: {
  label: string;
  value: number;
  /** Small text after the value (how it is made up). */
  unit?: string;
  testId?: string;
}) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">
        <span data-testid={testId}>{value.toLocaleString('en-GB')}</span>
        {unit ? <span className="unit">{unit}</span> : null}
      </div>
    </div>
  );
}

/** A formula with its N_in, M_out, L_nn… written with subscripts. */
function MathText({ text }: { text: string }) {
  const parts = text.split(/([NML])_(in|out|nn|qnn)/);
  const out = [];
  for (let i = 0; i < parts.length; i += 3) {
    out.push(parts[i]);
    if (i + 2 < parts.length) {
      out.push(
        <span key={i}>
          {parts[i + 1]}
          <sub>{parts[i + 2]}</sub>
        </span>,
      );
    }
  }
  return <span className="circuit-math">{out}</span>;
}

function Formula({ line, testId }: { line: FormulaLine; testId: string }) {
  return (
    <>
      <MathText text={line.formula} /> = <span className="circuit-math">{line.substituted}</span> ={' '}
      <strong data-testid={testId}>{line.value.toLocaleString('en-GB')}</strong>
    </>
  );
}

/** What the circuit costs (gates, depth, angles) and the poster's parameter counts. */
export function CircuitStatsCard({
  stats,
  hardwareStats,
  layers,
  shape,
  notes,
}: {
  stats: CircuitStats;
  /** The same circuit with Rot written as RZ·RY·RZ (as hardware runs it). */
  hardwareStats: CircuitStats;
  layers: number;
  shape: PosterShape;
  notes: ShapeNotes;
}) {
  const id = useId();
  const c = stats.gateCounts;
  const counts = posterCounts(shape);
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="circuit-stats">
      <h2 id={`${id}-title`}>Circuit statistics</h2>
      <div className="stats circuit-stats">
        <Stat label="Qubits" value={stats.qubits} testId="circuit-stat-qubits" />
        <Stat label="Layers" value={layers} />
        <Stat label="Depth" value={stats.depth} testId="circuit-stat-depth" />
        <Stat label="Depth, Rot as RZ·RY·RZ" value={hardwareStats.depth} />
        <Stat label="Gates" value={stats.totalGates} />
        <Stat label="RY · RX · Rot" value={c.RY + c.RX + c.Rot} />
        <Stat label="Two-qubit (CNOT)" value={stats.twoQubitGates} testId="circuit-stat-cnots" />
        <Stat
          label="Trainable angles"
          value={stats.trainableAngles}
          unit={`= 3·${stats.qubits}·${layers}`}
        />
        <Stat label="Encoded inputs" value={stats.encodedInputs} />
        <Stat label="Readouts" value={stats.readouts} />
      </div>
      <p className="muted small circuit-note">
        Depth counts gate layers with every gate placed as early as it can go; a Rot counts as one
        gate. The CNOT ring runs in sequence, so each layer adds n + 3 to the depth. Per layer:{' '}
        {c.RY / layers} RY, {c.RX / layers} RX, {c.Rot / layers} Rot and {c.CNOT / layers} CNOT; the{' '}
        {stats.encodedInputs} inputs are encoded {stats.inputEncodingGates} times (data
        re-uploading).
      </p>
      <h3>Parameters, by the seed poster’s formulas</h3>
      <dl className="circuit-formulas" data-testid="circuit-formulas">
        <dt>Classical NN</dt>
        <dd>
          <Formula line={counts.classicalNn} testId="circuit-count-classical" /> weights
        </dd>
        <dt>Hybrid QNN</dt>
        <dd>
          <Formula line={counts.hybridClassical} testId="circuit-count-hybrid-classical" />{' '}
          classical + <Formula line={counts.hybridQuantum} testId="circuit-count-hybrid-quantum" />{' '}
          quantum = <strong>{counts.hybridTotal.toLocaleString('en-GB')}</strong> in all
        </dd>
      </dl>
      <p className="muted small circuit-note" data-testid="circuit-formula-note">
        N<sub>in</sub> = {shape.nIn} ({notes.nIn}); M<sub>out</sub> = {shape.mOut} ({notes.mOut}
        ); M<sub>in</sub> = {shape.mIn}, the qubits; L<sub>qnn</sub> = {shape.qnnLayers} circuit
        layers, and L<sub>nn</sub> = {shape.nnLayers} hidden layers for a classical network of the
        same depth. As on the poster, only weight matrices are counted (no biases, no skip path).
      </p>
    </section>
  );
}
