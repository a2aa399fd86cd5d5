import { describe, expect, it } from 'vitest';
import {
  appendOperations,
  createCircuit,
  decompose,
  readoutLabel,
  resolveAngle,
  type Operation,
} from './circuit';
import { toComplexMatrix } from './gates';
import { simulate } from './simulate';
import { hybridLayerCircuit } from './templates';

describe('CircuitDefinition', () => {
  it('is an immutable value that survives JSON', () => {
    const def = hybridLayerCircuit({ nQubits: 3, nLayers: 2 });
    expect(Object.isFrozen(def)).toBe(true);
    expect(Object.isFrozen(def.operations)).toBe(true);
    const copy = createCircuit(JSON.parse(JSON.stringify(def)));
    expect(copy).toEqual(def);
    const x = [0.1, -0.4, 0.9];
    const w = Array.from({ length: def.nWeights }, (_, k) => Math.sin(k));
    expect(simulate(copy, x, w).readouts).toEqual(simulate(def, x, w).readouts);
  });

  it('binds angles: constants, scaled inputs and weights', () => {
    expect(resolveAngle(0.5, [], [])).toBe(0.5);
    expect(resolveAngle({ input: 1 }, [3, 4], [])).toBe(4);
    expect(resolveAngle({ input: 1, scale: 0.5 }, [3, 4], [])).toBe(2);
    expect(resolveAngle({ weight: 0 }, [], [7])).toBe(7);
  });

  it('decomposes Rot(φ, θ, ω) into RZ(φ), RY(θ), RZ(ω) in application order', () => {
    expect(decompose({ kind: 'Rot', wire: 2, angles: [1, { weight: 3 }, { input: 0 }] })).toEqual([
      { kind: 'RZ', wire: 2, angle: 1 },
      { kind: 'RY', wire: 2, angle: { weight: 3 } },
      { kind: 'RZ', wire: 2, angle: { input: 0 } },
    ]);
  });

  it('counts the inputs and weights its operations read', () => {
    const def = createCircuit({
      nQubits: 2,
      operations: [
        { kind: 'RX', wire: 0, angle: { input: 2 } },
        { kind: 'Rot', wire: 1, angles: [{ weight: 4 }, 0, { weight: 1 }] },
      ],
    });
    expect(def.nInputs).toBe(3);
    expect(def.nWeights).toBe(5);
    expect(appendOperations(def, [{ kind: 'RZ', wire: 0, angle: { weight: 9 } }]).nWeights).toBe(
      10,
    );
    expect(createCircuit({ nQubits: 1, nInputs: 4 }).nInputs).toBe(4);
  });

  it('rejects invalid circuits with errors that name the operation', () => {
    const bad = (operations: Operation[]) => () => createCircuit({ nQubits: 2, operations });
    expect(bad([{ kind: 'RX', wire: 2, angle: 0 }])).toThrow(
      /operation 0 \(RX\): wire 0 must be a whole number in 0..1, got 2/,
    );
    expect(bad([{ kind: 'CNOT', wires: [1, 1] }])).toThrow(/operation 0 \(CNOT\): its two wires/);
    expect(bad([{ kind: 'RY', wire: 0, angle: NaN }])).toThrow(/angle must be finite/);
    expect(bad([{ kind: 'RY', wire: 0, angle: { weight: -1 } }])).toThrow(/weight index/);
    expect(
      bad([
        { kind: 'RZ', wire: 0, angle: 0 },
        {
          kind: 'Unitary1',
          wire: 0,
          matrix: {
            re: [
              [1, 1],
              [0, 1],
            ],
            im: [
              [0, 0],
              [0, 0],
            ],
          },
        },
      ]),
    ).toThrow(/operation 1 \(Unitary1\): matrix is not unitary/);
    expect(
      bad([{ kind: 'Unitary2', wires: [0, 1], matrix: toComplexMatrix(new Float64Array(8)) }]),
    ).toThrow(/shape 4×4/);
    expect(() => createCircuit({ nQubits: 0 })).toThrow(/nQubits must be a whole number in 1..24/);
    expect(() => createCircuit({ nQubits: 1, readouts: [{ kind: 'ZZ', wires: [0, 1] }] })).toThrow(
      /readout 0 \(ZZ\): wire 1/,
    );
    expect(() =>
      createCircuit({
        nQubits: 1,
        operations: [{ kind: 'RX', wire: 0, angle: { input: 3 } }],
        nInputs: 2,
      }),
    ).toThrow(/nInputs must be a whole number ≥ 4/);
  });

  it('labels readouts', () => {
    expect(readoutLabel({ kind: 'Y', wire: 3 })).toBe('⟨Y_3⟩');
    expect(readoutLabel({ kind: 'ZZ', wires: [1, 0] })).toBe('⟨Z_1 Z_0⟩');
  });
});
