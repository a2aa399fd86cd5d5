import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { createRng } from '../util/rng';
import { withReadouts, type Operation } from './circuit';
import { simulate } from './simulate';
import {
  angleEmbedding,
  basicEntanglerLayers,
  dataReuploading,
  defaultRanges,
  emptyCircuit,
  hybridLayerCircuit,
  hybridWeightIndex,
  namedReadouts,
  READOUTS,
  readoutWidth,
  stronglyEntanglingLayers,
} from './templates';
import { QTOL, randomVector } from './testFixtures';

const cnots = (ops: readonly Operation[]) =>
  ops.filter((o) => o.kind === 'CNOT').map((o) => ('wires' in o ? [...o.wires] : []));

describe('hybridLayerCircuit (the seed circuit)', () => {
  it('per layer: RY(x_i), RX(x_i), Rot(w[l,i,·]) on every wire, then the CNOT ring', () => {
    const n = 3;
    const def = hybridLayerCircuit({ nQubits: n, nLayers: 2 });
    expect(def.nInputs).toBe(n);
    expect(def.nWeights).toBe(3 * n * 2);
    const expected: Operation[] = [];
    for (let l = 0; l < 2; l++) {
      for (let i = 0; i < n; i++) expected.push({ kind: 'RY', wire: i, angle: { input: i } });
      for (let i = 0; i < n; i++) expected.push({ kind: 'RX', wire: i, angle: { input: i } });
      for (let i = 0; i < n; i++) {
        const w = (k: number) => ({ weight: (l * n + i) * 3 + k });
        expected.push({ kind: 'Rot', wire: i, angles: [w(0), w(1), w(2)] });
      }
      for (let i = 0; i < n; i++) expected.push({ kind: 'CNOT', wires: [i, (i + 1) % n] });
    }
    expect(def.operations).toEqual(expected);
    expect(hybridWeightIndex(n, 1, 2, 1)).toBe((1 * n + 2) * 3 + 1);
  });

  it('names its readouts xyzzz (4n), xyz (3n) and z (n), in the seed order', () => {
    expect(READOUTS).toEqual(['xyzzz', 'xyz', 'z']);
    expect(READOUTS.map((r) => readoutWidth(r, 5))).toEqual([20, 15, 5]);
    // n = 2 keeps both ZZ pairs (0,1) and (1,0), as the golden file does.
    expect(namedReadouts('xyzzz', 2)).toEqual([
      { kind: 'X', wire: 0 },
      { kind: 'X', wire: 1 },
      { kind: 'Y', wire: 0 },
      { kind: 'Y', wire: 1 },
      { kind: 'Z', wire: 0 },
      { kind: 'Z', wire: 1 },
      { kind: 'ZZ', wires: [0, 1] },
      { kind: 'ZZ', wires: [1, 0] },
    ]);
    const rng = createRng(51);
    const n = 4;
    const x = randomVector(rng, n);
    const w = randomVector(rng, 3 * n * 2);
    const full = simulate(hybridLayerCircuit({ nQubits: n, nLayers: 2 }), x, w).readouts;
    const xyz = simulate(hybridLayerCircuit({ nQubits: n, nLayers: 2, readout: 'xyz' }), x, w);
    const z = simulate(hybridLayerCircuit({ nQubits: n, nLayers: 2, readout: 'z' }), x, w);
    expect(Array.from(xyz.readouts)).toEqual(Array.from(full.subarray(0, 3 * n)));
    expect(Array.from(z.readouts)).toEqual(Array.from(full.subarray(2 * n, 3 * n)));
  });

  it('rejects shapes it cannot build', () => {
    expect(() => hybridLayerCircuit({ nQubits: 1, nLayers: 1 })).toThrow(/at least|≥ 2/);
    expect(() => hybridLayerCircuit({ nQubits: 2, nLayers: 0 })).toThrow(/≥ 1 of layers/);
    expect(() =>
      hybridLayerCircuit({ nQubits: 2, nLayers: 1, readout: 'xy' as unknown as 'xyz' }),
    ).toThrow(/readout must be one of xyzzz, xyz, z/);
  });
});

describe('templates', () => {
  it('angle embedding: one rotation per wire reading input offset + wire, optionally scaled', () => {
    const def = angleEmbedding(emptyCircuit(3), { rotation: 'Z', inputOffset: 2, scale: 0.5 });
    expect(def.operations).toEqual(
      [0, 1, 2].map((i) => ({
        kind: 'RZ',
        wire: i,
        angle: { input: 2 + i, scale: 0.5 },
      })),
    );
    expect(def.nInputs).toBe(5);
    // Closed form: RY(x) on |0⟩ gives ⟨X⟩ = sin x.
    const y = angleEmbedding(emptyCircuit(1), { rotation: 'Y' });
    const out = simulate(withReadouts(y, [{ kind: 'X', wire: 0 }]), [0.6], []).readouts[0];
    expectClose(out, Math.sin(0.6), { abs: QTOL.exact });
  });

  it("strongly entangling layers use PennyLane's default ranges r = (l mod (n−1)) + 1", () => {
    expect(defaultRanges(4, 5)).toEqual([1, 2, 3, 1, 2]);
    expect(defaultRanges(1, 2)).toEqual([0, 0]);
    const def = stronglyEntanglingLayers(emptyCircuit(4), { nLayers: 2 });
    expect(cnots(def.operations)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 0],
      [0, 2],
      [1, 3],
      [2, 0],
      [3, 1],
    ]);
    expect(def.nWeights).toBe(24);
    expect(cnots(stronglyEntanglingLayers(emptyCircuit(1), { nLayers: 2 }).operations)).toEqual([]);
    // Weights continue after the circuit's own.
    const twice = stronglyEntanglingLayers(def, { nLayers: 1, ranges: [3] });
    expect(twice.nWeights).toBe(36);
    expect(() => stronglyEntanglingLayers(emptyCircuit(3), { nLayers: 1, ranges: [3] })).toThrow(
      /ranges\[0\] must be a whole number in 1..2, got 3/,
    );
  });

  it('basic entangler layers: one rotation per wire and a CNOT ring (one CNOT on 2 wires)', () => {
    const four = basicEntanglerLayers(emptyCircuit(4), { nLayers: 1, rotation: 'Y' });
    expect(four.operations.filter((o) => o.kind === 'RY')).toHaveLength(4);
    expect(cnots(four.operations)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 0],
    ]);
    expect(cnots(basicEntanglerLayers(emptyCircuit(2), { nLayers: 1 }).operations)).toEqual([
      [0, 1],
    ]);
    expect(basicEntanglerLayers(emptyCircuit(3), { nLayers: 2 }).nWeights).toBe(6);
  });

  it('data re-uploading repeats the embedding before every layer', () => {
    const def = dataReuploading(emptyCircuit(2), {
      nLayers: 3,
      embedding: ['X'],
      layer: (d) => basicEntanglerLayers(d, { nLayers: 1, rotation: 'Z' }),
    });
    expect(def.operations.map((o) => o.kind)).toEqual(
      Array.from({ length: 3 }, () => ['RX', 'RX', 'RZ', 'RZ', 'CNOT']).flat(),
    );
    expect(def.nInputs).toBe(2);
    expect(def.nWeights).toBe(6);
  });
});
