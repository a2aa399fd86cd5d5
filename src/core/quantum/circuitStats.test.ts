import { describe, expect, it } from 'vitest';
import { createCircuit } from './circuit';
import {
  circuitStats,
  classicalNnParameterCount,
  feasibleHardware,
  fitsQuantumVolume,
  hybridLayerParameterCounts,
  hybridQnnParameterCount,
  QUANTUM_HARDWARE,
  quantumVolumeSize,
} from './circuitStats';
import { hybridLayerCircuit } from './templates';

describe('circuitStats', () => {
  it('counts the seed circuit by hand: 4nL gates, nL CNOTs, 3nL angles, n inputs', () => {
    for (const [n, L] of [
      [2, 1],
      [3, 2],
      [4, 3],
      [9, 1],
    ]) {
      const s = circuitStats(hybridLayerCircuit({ nQubits: n, nLayers: L }));
      expect(s.qubits).toBe(n);
      expect(s.gateCounts).toEqual({
        RX: n * L,
        RY: n * L,
        RZ: 0,
        Rot: n * L,
        CNOT: n * L,
        CZ: 0,
        Unitary1: 0,
        Unitary2: 0,
      });
      expect(s.totalGates).toBe(4 * n * L);
      expect(s.twoQubitGates).toBe(n * L);
      expect(s.trainableAngles).toBe(3 * n * L);
      expect(s.encodedInputs).toBe(n);
      expect(s.inputEncodingGates).toBe(2 * n * L);
      expect(s.readouts).toBe(4 * n);
      // Each layer: RY, RX, Rot (3 levels), then the ring CNOT(0,1), CNOT(1,2), …, CNOT(n−1,0)
      // is a chain of n levels through wire 0; the next layer starts after it on wire 0.
      expect(s.depth).toBe(L * (n + 3));
      expect(
        circuitStats(hybridLayerCircuit({ nQubits: n, nLayers: L }), { expandRot: true }).depth,
      ).toBe(L * (n + 5));
    }
  });

  it('depth by hand for 3 qubits, 2 layers', () => {
    // Layer 1: levels 1-3 single-qubit; CNOT(0,1) 4, CNOT(1,2) 5, CNOT(2,0) 6.
    // Layer 2 on wire 0: 7, 8, 9; CNOT(0,1) 10, CNOT(1,2) 11, CNOT(2,0) 12.
    expect(circuitStats(hybridLayerCircuit({ nQubits: 3, nLayers: 2 })).depth).toBe(12);
  });

  it('puts gates on disjoint wires in one layer', () => {
    const def = createCircuit({
      nQubits: 4,
      operations: [
        { kind: 'RX', wire: 0, angle: 1 },
        { kind: 'RX', wire: 1, angle: 1 },
        { kind: 'CZ', wires: [2, 3] },
        { kind: 'CNOT', wires: [0, 1] },
        { kind: 'RZ', wire: 3, angle: 1 },
      ],
    });
    expect(circuitStats(def).depth).toBe(2);
    expect(circuitStats(createCircuit({ nQubits: 2 })).depth).toBe(0);
  });
});

describe('quantum volume', () => {
  it('QV 512 runs 9 qubits at depth 9, not 10 qubits or depth 10 (the seed poster)', () => {
    expect(quantumVolumeSize(512)).toBe(9);
    expect(fitsQuantumVolume({ qubits: 9, depth: 9 }, 512)).toBe(true);
    expect(fitsQuantumVolume({ qubits: 10, depth: 9 }, 512)).toBe(false);
    expect(fitsQuantumVolume({ qubits: 9, depth: 10 }, 512)).toBe(false);
    expect(fitsQuantumVolume({ qubits: 3, depth: 4 }, 16)).toBe(true);
    expect(quantumVolumeSize(1000)).toBe(9);
    expect(() => quantumVolumeSize(0)).toThrow(/quantum volume/);
  });

  it('the seed circuit of 2 qubits and 1 layer fits; 9 qubits × 1 layer is already too deep', () => {
    expect(
      fitsQuantumVolume(circuitStats(hybridLayerCircuit({ nQubits: 2, nLayers: 1 })), 512),
    ).toBe(true);
    // Depth 12 > 9.
    expect(
      fitsQuantumVolume(circuitStats(hybridLayerCircuit({ nQubits: 9, nLayers: 1 })), 512),
    ).toBe(false);
  });

  it("lists only the poster's hardware, each with its source", () => {
    expect(QUANTUM_HARDWARE.map((h) => h.name)).toEqual(['ibm_fez', 'ibm_toronto']);
    for (const h of QUANTUM_HARDWARE) {
      expect(h.source).toMatch(/seed poster/);
      expect(h.quantumVolume).toBe(512);
    }
    expect(feasibleHardware({ qubits: 9, depth: 9 })).toHaveLength(2);
    expect(feasibleHardware({ qubits: 10, depth: 9 })).toEqual([]);
    expect(feasibleHardware({ qubits: 2, depth: 2 }, [])).toEqual([]);
  });
});

describe("the poster's parameter counts", () => {
  it('classical (N_in + M_out)·M_in + M_in²·(L_nn + 2); hybrid (N_in + M_out)·M_in + 3·M_in·L_qnn', () => {
    expect(classicalNnParameterCount({ nIn: 10, mOut: 2, mIn: 4, nnLayers: 2 })).toBe(
      12 * 4 + 16 * 4,
    );
    expect(hybridQnnParameterCount({ nIn: 10, mOut: 2, mIn: 4, qnnLayers: 2 })).toEqual({
      classical: 48,
      quantum: 24,
      total: 72,
    });
    expect(
      hybridLayerParameterCounts({ nIn: 10, mOut: 2, mIn: 4, nnLayers: 2, qnnLayers: 2 }),
    ).toEqual({ classicalNn: 112, hybrid: { classical: 48, quantum: 24, total: 72 } });
  });

  it("the quantum count is the seed circuit's number of trainable angles", () => {
    for (const [n, L] of [
      [2, 1],
      [5, 3],
    ]) {
      expect(hybridQnnParameterCount({ nIn: 7, mOut: 1, mIn: n, qnnLayers: L }).quantum).toBe(
        circuitStats(hybridLayerCircuit({ nQubits: n, nLayers: L })).trainableAngles,
      );
    }
  });
});
