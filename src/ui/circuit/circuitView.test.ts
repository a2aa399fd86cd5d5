import { describe, expect, it } from 'vitest';
import {
  classicalNnParameterCount,
  hybridQnnParameterCount,
} from '../../core/quantum/circuitStats';
import { simulate } from '../../core/quantum/simulate';
import { defaultCircuitSettings, type CircuitModelState } from '../../state/slices/circuitSlice';
import { circuitView, isCircuitView, readoutName, seededAngles } from './circuitView';
import { posterCounts, posterOutputs } from './parameterFormulas';
import { feasibilityVerdict, posterCountVerdict } from './feasibility';

describe('the circuit the panel shows', () => {
  it('draws seeded angles in [−π, π): the same seed gives the same angles', () => {
    const a = seededAngles(4, 2, 7);
    expect(a).toHaveLength(24);
    expect(seededAngles(4, 2, 7)).toEqual(a);
    expect(seededAngles(4, 2, 8)).not.toEqual(a);
    for (const x of a) expect(Math.abs(x)).toBeLessThanOrEqual(Math.PI);
  });

  it('builds the configuration’s circuit, and its readouts are not trivial', () => {
    const settings = defaultCircuitSettings();
    const view = circuitView(settings, null);
    if (!isCircuitView(view)) throw new Error('no circuit');
    expect(view.def.nQubits).toBe(4);
    expect(view.def.nWeights).toBe(view.weights.length);
    expect(view.def.readouts).toHaveLength(16);
    expect(view.fileStem).toBe('hybrid-4q-2l');
    const { readouts } = simulate(view.def, settings.inputs.slice(0, 4), view.weights);
    expect(readouts.some((v) => Math.abs(v) > 0.05 && Math.abs(v) < 0.95)).toBe(true);
  });

  it('uses a trained model’s angles, or says why it cannot', () => {
    const settings = {
      ...defaultCircuitSettings(),
      source: 'model' as const,
      modelId: 'm1',
      circuitName: 'pd/hybrid0',
    };
    const angles = Array.from({ length: 18 }, (_, i) => i / 10);
    const ready: CircuitModelState = {
      id: 'm1',
      status: 'ready',
      label: 'qnn',
      readout: 'z',
      circuits: [
        { name: 'pk/hybrid0', qubits: 2, layers: 1, angles: [0, 0, 0, 0, 0, 0] },
        { name: 'pd/hybrid0', qubits: 3, layers: 2, angles },
      ],
    };
    const view = circuitView(settings, ready);
    if (!isCircuitView(view)) throw new Error('no circuit');
    expect(view.qubits).toBe(3);
    expect(view.weights).toBe(angles);
    expect(view.def.readouts).toHaveLength(3);
    expect(view.fileStem).toBe('pd-hybrid0-3q-2l');
    expect(circuitView({ ...settings, modelId: null }, ready)).toMatchObject({
      reason: 'choose-model',
    });
    expect(circuitView(settings, { id: 'm1', status: 'loading' })).toMatchObject({
      reason: 'loading',
    });
    expect(circuitView(settings, { ...ready, id: 'other' })).toMatchObject({ reason: 'loading' });
    expect(circuitView(settings, { id: 'm1', status: 'error', error: 'gone' })).toEqual({
      reason: 'error',
      message: 'gone',
    });
  });

  it('names readouts with subscripts', () => {
    expect(readoutName({ kind: 'X', wire: 3 })).toBe('⟨X₃⟩');
    expect(readoutName({ kind: 'ZZ', wires: [11, 0] })).toBe('⟨Z₁₁Z₀⟩');
  });
});

describe('the poster’s parameter counts, written out', () => {
  it('evaluate the formulas as the core counts them', () => {
    const shape = { nIn: 14, mOut: 1, mIn: 4, nnLayers: 2, qnnLayers: 2 };
    const c = posterCounts(shape);
    expect(c.classicalNn.substituted).toBe('(14 + 1)·4 + 4²·(2 + 2) = 60 + 64');
    expect(c.classicalNn.value).toBe(124);
    expect(c.classicalNn.value).toBe(classicalNnParameterCount(shape));
    expect(c.hybridClassical.substituted).toBe('(14 + 1)·4');
    expect(c.hybridClassical.value).toBe(60);
    expect(c.hybridQuantum.substituted).toBe('3·4·2');
    expect(c.hybridQuantum.value).toBe(24);
    expect(c.hybridTotal).toBe(hybridQnnParameterCount(shape).total);
  });

  it('take one output per network, two for the multi-task one', () => {
    expect(posterOutputs('independent')).toBe(1);
    expect(posterOutputs('cascade')).toBe(1);
    expect(posterOutputs('multitask')).toBe(2);
  });
});

describe('the quantum volume verdict as the poster counts', () => {
  it('takes circuit layers as depth', () => {
    expect(posterCountVerdict(9, 9, 512)).toEqual({
      fits: true,
      text: 'Counted as the poster counts (circuit layers as depth: 9 qubits at depth 9), it fits QV 512.',
    });
    expect(posterCountVerdict(10, 2, 512).fits).toBe(false);
    expect(posterCountVerdict(4, 10, 512).fits).toBe(false);
  });
});

describe('the quantum volume verdict', () => {
  it('says what QV allows and what the circuit has', () => {
    expect(feasibilityVerdict({ qubits: 4, depth: 7 }, 512)).toEqual({
      fits: true,
      text: 'Fits: QV 512 runs circuits of at most 9 qubits at depth 9; this one has 4 qubits at depth 7.',
    });
    expect(feasibilityVerdict({ qubits: 9, depth: 12 }, 512).text).toMatch(
      /^Does not fit: .* this one has 9 qubits at depth 12\.$/,
    );
    expect(feasibilityVerdict({ qubits: 9, depth: 12 }, 4096).fits).toBe(true);
  });
});
