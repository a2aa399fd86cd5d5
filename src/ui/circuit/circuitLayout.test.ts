import { describe, expect, it } from 'vitest';
import { createCircuit } from '../../core/quantum/circuit';
import { circuitStats } from '../../core/quantum/circuitStats';
import { hybridLayerCircuit } from '../../core/quantum/templates';
import { LAYOUT, angleSymbol, layoutCircuit, subscript, wireY } from './circuitLayout';

describe('layout of the hybrid layer circuit', () => {
  const n = 4;
  const L = 2;
  const def = hybridLayerCircuit({ nQubits: n, nLayers: L });
  const layout = layoutCircuit(def, { layers: L });

  it('has one wire per qubit, evenly spaced, and room for all of them', () => {
    expect(layout.wires.map((w) => w.wire)).toEqual([0, 1, 2, 3]);
    const ys = layout.wires.map((w) => w.y);
    ys.slice(1).forEach((y, i) => expect(y - ys[i]).toBe(LAYOUT.rowHeight));
    expect(layout.height).toBeGreaterThan(ys[n - 1] + LAYOUT.boxHeight / 2);
  });

  it('draws every rotation as a box on its wire and every CNOT as a connector', () => {
    expect(layout.boxes).toHaveLength(3 * n * L);
    expect(layout.connectors).toHaveLength(n * L);
    for (const b of layout.boxes) expect(b.y).toBe(wireY(b.wires[0]));
    const ring = layout.connectors.filter((c) => c.layer === 0).map((c) => c.wires);
    expect(ring).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 0],
    ]);
    const last = layout.connectors[n - 1];
    expect(last.y1).toBe(wireY(3));
    expect(last.y2).toBe(wireY(0));
  });

  it('places gates per layer: RY, RX and Rot columns, then the CNOT staircase', () => {
    const col = (kind: string, layer: number) =>
      new Set(
        layout.boxes.filter((b) => b.kind === kind && b.layer === layer).map((b) => b.column),
      );
    expect(col('RY', 0)).toEqual(new Set([0]));
    expect(col('RX', 0)).toEqual(new Set([1]));
    expect(col('Rot', 0)).toEqual(new Set([2]));
    // Each CNOT of the ring shares a wire with the next, and the closing one crosses all.
    expect(layout.connectors.slice(0, n).map((c) => c.column)).toEqual([3, 4, 5, 6]);
    expect(col('RY', 1)).toEqual(new Set([7]));
    // n + 3 columns per layer: the circuit's depth.
    expect(layout.columns).toBe(L * (n + 3));
    expect(layout.columns).toBe(circuitStats(def).depth);
  });

  it('keeps x increasing with the column and everything inside the drawing', () => {
    const items = [...layout.boxes, ...layout.connectors].sort((a, b) => a.column - b.column);
    for (let i = 1; i < items.length; i++) {
      if (items[i].column > items[i - 1].column) expect(items[i].x).toBeGreaterThan(items[i - 1].x);
      else expect(items[i].x).toBe(items[i - 1].x);
    }
    for (const b of layout.boxes) {
      expect(b.x - b.width / 2).toBeGreaterThan(LAYOUT.left);
      expect(b.x + b.width / 2).toBeLessThan(layout.width);
      expect(b.y - b.height / 2).toBeGreaterThan(LAYOUT.top - LAYOUT.rowHeight / 2);
    }
  });

  it('puts a separator between layers, left of the second layer and right of the first', () => {
    expect(layout.layers).toHaveLength(L);
    const [first, second] = layout.layers;
    expect(first.separatorX).toBeNull();
    expect(second.separatorX).not.toBeNull();
    const sep = second.separatorX as number;
    const layer0Right = Math.max(
      ...layout.boxes.filter((b) => b.layer === 0).map((b) => b.x + b.width / 2),
      ...layout.connectors.filter((c) => c.layer === 0).map((c) => c.x),
    );
    const layer1Left = Math.min(
      ...layout.boxes.filter((b) => b.layer === 1).map((b) => b.x - b.width / 2),
    );
    expect(sep).toBeGreaterThan(layer0Right);
    expect(sep).toBeLessThan(layer1Left);
    expect(first.x1).toBeLessThan(second.x0);
  });

  it('labels gates with their angle symbols', () => {
    const ry2 = layout.boxes.find((b) => b.kind === 'RY' && b.wires[0] === 2);
    expect(ry2?.label).toBe('RY(x₂)');
    expect(layout.boxes.find((b) => b.kind === 'Rot')?.label).toBe('Rot');
  });

  it('stays a sensible size at 12 qubits × 8 layers', () => {
    const big = layoutCircuit(hybridLayerCircuit({ nQubits: 12, nLayers: 8 }), { layers: 8 });
    expect(big.wires).toHaveLength(12);
    expect(big.connectors).toHaveLength(96);
    expect(big.columns).toBe(8 * 15);
    expect(big.height).toBeLessThan(500);
    // Wide, but every column keeps its width: gates never overlap on a wire.
    const byWire = new Map<number, { x0: number; x1: number }[]>();
    for (const b of big.boxes) {
      const spans = byWire.get(b.wires[0]) ?? [];
      spans.push({ x0: b.x - b.width / 2, x1: b.x + b.width / 2 });
      byWire.set(b.wires[0], spans);
    }
    for (const spans of byWire.values()) {
      spans.sort((a, b) => a.x0 - b.x0);
      for (let i = 1; i < spans.length; i++) expect(spans[i].x0).toBeGreaterThan(spans[i - 1].x1);
    }
  });
});

describe('layout of other circuits', () => {
  it('packs gates on different wires into one column and blocks wires a CNOT crosses', () => {
    const def = createCircuit({
      nQubits: 3,
      operations: [
        { kind: 'RX', wire: 0, angle: 0.5 },
        { kind: 'RX', wire: 2, angle: { weight: 0 } },
        { kind: 'CNOT', wires: [0, 2] },
        { kind: 'RY', wire: 1, angle: { input: 1 } },
      ],
    });
    const layout = layoutCircuit(def);
    expect(layout.boxes.map((b) => b.column)).toEqual([0, 0, 2]);
    expect(layout.connectors[0].column).toBe(1);
    expect(layout.layers).toHaveLength(1);
    expect(layout.boxes.map((b) => b.label)).toEqual(['RX(0.50)', 'RX(w₀)', 'RY(x₁)']);
  });

  it('ignores a layer count that does not divide the operations, and draws an empty circuit', () => {
    const def = hybridLayerCircuit({ nQubits: 2, nLayers: 1 });
    expect(layoutCircuit(def, { layers: 3 }).layers).toHaveLength(1);
    const empty = layoutCircuit(createCircuit({ nQubits: 2 }));
    expect(empty.columns).toBe(0);
    expect(empty.boxes).toEqual([]);
    expect(empty.wires).toHaveLength(2);
  });

  it('writes subscripts and angle symbols', () => {
    expect(subscript(10)).toBe('₁₀');
    expect(angleSymbol({ input: 3, scale: 2 })).toBe('2·x₃');
    expect(angleSymbol({ weight: 11 })).toBe('w₁₁');
    expect(angleSymbol(-1.234)).toBe('-1.23');
  });
});
