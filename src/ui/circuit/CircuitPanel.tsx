import { useEffect, useId, useMemo } from 'react';
import { featureNames } from '../../core/neural/features';
import type { Framework } from '../../core/neural/types';
import { circuitStats } from '../../core/quantum/circuitStats';
import { simulate } from '../../core/quantum/simulate';
import { useWorkbench } from '../../state/store';
import { CircuitAnglesTable } from './CircuitAnglesTable';
import { CircuitDiagram } from './CircuitDiagram';
import { CircuitInputsCard } from './CircuitInputsCard';
import { CircuitSourceCard } from './CircuitSourceCard';
import { CircuitStatsCard } from './CircuitStatsCard';
import { FeasibilityCard } from './FeasibilityCard';
import { QasmExportCard } from './QasmExportCard';
import { ReadoutChart } from './ReadoutChart';
import { circuitView, isCircuitView, readoutChoiceLabel, type CircuitView } from './circuitView';
import { posterOutputs, type PosterShape, type ShapeNotes } from './parameterFormulas';

/** Why M_out is what it is, in words. */
function outputsNote(framework: Framework): string {
  if (framework === 'multitask') {
    return 'the multi-task network predicts concentration and biomarker together';
  }
  const cascade = framework === 'cascade' ? '; the cascade’s PD network reads one more input' : '';
  return `the ${framework} framework trains one network per endpoint, one output each${cascade}`;
}

/** N_in and M_out of the poster's formulas: the model's, or the Neural models settings'. */
function usePosterShape(view: CircuitView): { shape: PosterShape; notes: ShapeNotes } {
  const source = useWorkbench((s) => s.circuitSettings.source);
  const modelId = useWorkbench((s) => s.circuitSettings.modelId);
  const models = useWorkbench((s) => s.neuralModels);
  const neural = useWorkbench((s) => s.neuralSettings);
  const meta = source === 'model' ? models.find((m) => m.id === modelId) : undefined;
  const framework = meta ? meta.config.framework : neural.config.framework;
  const nIn = meta ? meta.inputWidth : featureNames({ baseline: neural.baseline }).length;
  return {
    shape: {
      nIn,
      mOut: posterOutputs(framework),
      mIn: view.qubits,
      nnLayers: view.layers,
      qnnLayers: view.layers,
    },
    notes: {
      nIn: meta
        ? 'the model’s inputs'
        : `the features the Neural models panel trains on${neural.baseline ? ', the pre-dose biomarker included' : ''}`,
      mOut: outputsNote(framework),
    },
  };
}

/** Everything computed from the shown circuit: drawing, readouts, statistics, export. */
function CircuitResults({ view }: { view: CircuitView }) {
  const id = useId();
  const allInputs = useWorkbench((s) => s.circuitSettings.inputs);
  const inputs = useMemo(() => allInputs.slice(0, view.qubits), [allInputs, view.qubits]);
  const stats = useMemo(() => circuitStats(view.def), [view.def]);
  const hardwareStats = useMemo(() => circuitStats(view.def, { expandRot: true }), [view.def]);
  // The plain simulator on the main thread: about 5 ms at 12 qubits × 8 layers (Node), so no
  // debounce; memoised so only a change of circuit, angles or inputs runs it.
  const readouts = useMemo(
    () => simulate(view.def, inputs, view.weights).readouts,
    [view.def, inputs, view.weights],
  );
  const { shape, notes } = usePosterShape(view);
  return (
    <>
      <section className="card" aria-labelledby={`${id}-drawing`} data-testid="circuit-drawing">
        <h2 id={`${id}-drawing`}>
          {view.qubits} qubits × {view.layers} layer{view.layers === 1 ? '' : 's'}
          <span className="pill">{readoutChoiceLabel(view.readout)}</span>
        </h2>
        <p className="muted small">Angles: {view.origin}.</p>
        <CircuitDiagram
          def={view.def}
          layers={view.layers}
          stats={stats}
          inputs={inputs}
          weights={view.weights}
        />
        <CircuitAnglesTable qubits={view.qubits} layers={view.layers} weights={view.weights} />
      </section>
      <section className="card" aria-labelledby={`${id}-readouts`} data-testid="circuit-values">
        <h2 id={`${id}-readouts`}>Expectation values</h2>
        <p className="muted small">
          Exact state-vector simulation of |0…0⟩ through the circuit, for the input angles on the
          left. Each value lies between −1 and 1.
        </p>
        <ReadoutChart readouts={view.def.readouts} values={readouts} qubits={view.qubits} />
      </section>
      <CircuitStatsCard
        stats={stats}
        hardwareStats={hardwareStats}
        layers={view.layers}
        shape={shape}
        notes={notes}
      />
      <FeasibilityCard stats={stats} layers={view.layers} />
      <QasmExportCard
        def={view.def}
        inputs={inputs}
        weights={view.weights}
        fileStem={view.fileStem}
        origin={view.origin}
      />
    </>
  );
}

/**
 * Quantum circuit: the seed's hybrid-layer circuit for a configuration or a trained model,
 * drawn per wire, with its expectation values for chosen inputs, its cost, whether today's
 * hardware runs it, and its export as OpenQASM.
 */
export function CircuitPanel() {
  const source = useWorkbench((s) => s.circuitSettings.source);
  const qubits = useWorkbench((s) => s.circuitSettings.qubits);
  const layers = useWorkbench((s) => s.circuitSettings.layers);
  const readout = useWorkbench((s) => s.circuitSettings.readout);
  const seed = useWorkbench((s) => s.circuitSettings.seed);
  const modelId = useWorkbench((s) => s.circuitSettings.modelId);
  const circuitName = useWorkbench((s) => s.circuitSettings.circuitName);
  const model = useWorkbench((s) => s.circuitModel);
  const load = useWorkbench((s) => s.loadCircuitModel);

  // After a reload the chosen model's angles are read again from storage.
  const needsLoad = source === 'model' && modelId !== null && model?.id !== modelId;
  useEffect(() => {
    if (needsLoad && modelId) void load(modelId);
  }, [needsLoad, modelId, load]);

  const view = useMemo(
    () => circuitView({ source, qubits, layers, readout, seed, modelId, circuitName }, model),
    [source, qubits, layers, readout, seed, modelId, circuitName, model],
  );
  const shown = isCircuitView(view);

  return (
    <div className="grid-sidebar circuit-layout" data-testid="circuit-panel">
      <div className="panel">
        <CircuitSourceCard />
        {shown ? <CircuitInputsCard qubits={view.qubits} /> : null}
      </div>
      <div className="panel">
        {shown ? (
          <CircuitResults view={view} />
        ) : (
          <section className="card" data-testid="circuit-empty">
            <p className="muted" role="status">
              {view.reason === 'error'
                ? 'No circuit to show: the chosen model’s circuits could not be read (see why under Saved model).'
                : view.message}
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
