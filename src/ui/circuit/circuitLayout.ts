/**
 * Where each gate of a circuit goes in a per-wire drawing: pure geometry (pixels in the SVG's
 * user space), no React, so it is tested on its own.
 *
 * Gates are placed in columns as early as they can go (ASAP) within their layer; a two-qubit
 * gate occupies every wire its vertical line crosses, so nothing is drawn across it. Layers
 * are barriers: a layer's gates start after the previous layer's last column, and a faint
 * separator stands between layers.
 */
import {
  isInputRef,
  isWeightRef,
  operationWires,
  type Angle,
  type CircuitDefinition,
  type GateKind,
  type Operation,
} from '../../core/quantum/circuit';

/** Geometry constants (px). */
export const LAYOUT = {
  /** Room for the wire labels q0…q11. */
  left: 40,
  right: 14,
  /** Room for the layer labels above the first wire. */
  top: 28,
  bottom: 8,
  /** Distance between wires. */
  rowHeight: 36,
  boxHeight: 24,
  /** Width of a column holding only CNOTs / CZs. */
  connectorWidth: 22,
  /** Space between columns, and extra space either side of a layer separator. */
  columnGap: 8,
  layerGap: 14,
} as const;

/** Box widths of single-qubit gates by kind (labels like "RY(x₁₁)" need the widest). */
const BOX_WIDTH: Record<string, number> = { RX: 50, RY: 50, RZ: 50, Rot: 38, Unitary1: 30 };
const TWO_QUBIT_BOX_WIDTH = 34;

const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';

/** Digits as Unicode subscripts: 12 → "₁₂". */
export function subscript(n: number): string {
  return String(n).replace(/\d/g, (d) => SUBSCRIPT[Number(d)]);
}

/** The symbol of an angle in a gate label: x₃ (an input), w₅ (a weight) or its value. */
export function angleSymbol(a: Angle): string {
  if (typeof a === 'number') return a.toFixed(2);
  if (isInputRef(a))
    return `${a.scale !== undefined && a.scale !== 1 ? `${a.scale}·` : ''}x${subscript(a.input)}`;
  if (isWeightRef(a)) return `w${subscript(a.weight)}`;
  return '?';
}

/** A gate drawn as a box: single-qubit gates on their wire, general two-qubit unitaries across. */
export interface GateBox {
  readonly opIndex: number;
  readonly kind: GateKind;
  /** The wires the box covers (one, or the two of a Unitary2). */
  readonly wires: readonly number[];
  readonly layer: number;
  readonly column: number;
  /** Centre x and y, size. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly label: string;
}

/** A CNOT (control dot, ⊕ target) or CZ (two dots) joined by a vertical line. */
export interface Connector {
  readonly opIndex: number;
  readonly kind: 'CNOT' | 'CZ';
  /** [control, target] for CNOT. */
  readonly wires: readonly [number, number];
  readonly layer: number;
  readonly column: number;
  readonly x: number;
  /** y of wires[0] and wires[1]. */
  readonly y1: number;
  readonly y2: number;
}

export interface LayerSpan {
  readonly layer: number;
  /** Left and right edges of the layer's gates. */
  readonly x0: number;
  readonly x1: number;
  /** Where the dashed separator before this layer stands (null for the first layer). */
  readonly separatorX: number | null;
}

export interface CircuitLayout {
  readonly width: number;
  readonly height: number;
  readonly wires: readonly { readonly wire: number; readonly y: number }[];
  readonly boxes: readonly GateBox[];
  readonly connectors: readonly Connector[];
  readonly layers: readonly LayerSpan[];
  readonly columns: number;
}

function boxLabel(op: Operation): string {
  switch (op.kind) {
    case 'RX':
    case 'RY':
    case 'RZ':
      return `${op.kind}(${angleSymbol(op.angle)})`;
    case 'Rot':
      return 'Rot';
    case 'Unitary1':
    case 'Unitary2':
      return 'U';
    default:
      return op.kind;
  }
}

/** The y of wire w's line. */
export function wireY(wire: number): number {
  return LAYOUT.top + wire * LAYOUT.rowHeight + LAYOUT.rowHeight / 2;
}

/**
 * The drawing's geometry. With `layers` (a whole number dividing the operation count, as the
 * hybrid layer's circuit has: 4n operations per layer) the operations are split into that many
 * equal layers; otherwise the whole circuit is one layer.
 */
export function layoutCircuit(
  def: CircuitDefinition,
  opts: { readonly layers?: number } = {},
): CircuitLayout {
  const ops = def.operations;
  const nLayers =
    opts.layers !== undefined &&
    Number.isInteger(opts.layers) &&
    opts.layers > 0 &&
    ops.length % opts.layers === 0
      ? opts.layers
      : 1;
  const perLayer = Math.max(1, ops.length / nLayers);
  const layerOf = (i: number) => Math.min(nLayers - 1, Math.floor(i / perLayer));

  // 1. Columns: ASAP within each layer, a two-qubit gate blocking the wires it crosses.
  const free = new Array<number>(def.nQubits).fill(0);
  const columnOf: number[] = [];
  const layerStart: number[] = [0];
  let currentLayer = 0;
  ops.forEach((op, i) => {
    const layer = layerOf(i);
    if (layer !== currentLayer) {
      const start = Math.max(...free);
      free.fill(start);
      layerStart[layer] = start;
      currentLayer = layer;
    }
    const wires = operationWires(op);
    const lo = Math.min(...wires);
    const hi = Math.max(...wires);
    let column = 0;
    for (let w = lo; w <= hi; w++) column = Math.max(column, free[w]);
    for (let w = lo; w <= hi; w++) free[w] = column + 1;
    columnOf.push(column);
  });
  const columns = ops.length === 0 ? 0 : Math.max(...free);

  // 2. Column widths: the widest item in each column.
  const widthOf = (op: Operation) =>
    op.kind === 'CNOT' || op.kind === 'CZ'
      ? LAYOUT.connectorWidth
      : op.kind === 'Unitary2'
        ? TWO_QUBIT_BOX_WIDTH
        : (BOX_WIDTH[op.kind] ?? 40);
  const colWidth = new Array<number>(columns).fill(0);
  ops.forEach((op, i) => {
    colWidth[columnOf[i]] = Math.max(colWidth[columnOf[i]], widthOf(op));
  });

  // 3. Column x positions, with extra room at each layer boundary.
  const firstColumnOfLayer = new Set(layerStart.slice(1));
  const colLeft: number[] = [];
  let x = LAYOUT.left + LAYOUT.columnGap;
  for (let c = 0; c < columns; c++) {
    if (firstColumnOfLayer.has(c)) x += 2 * LAYOUT.layerGap;
    colLeft.push(x);
    x += colWidth[c] + LAYOUT.columnGap;
  }
  const width = x + LAYOUT.right;
  const height = LAYOUT.top + def.nQubits * LAYOUT.rowHeight + LAYOUT.bottom;
  const centre = (c: number) => colLeft[c] + colWidth[c] / 2;

  // 4. Items.
  const boxes: GateBox[] = [];
  const connectors: Connector[] = [];
  ops.forEach((op, i) => {
    const column = columnOf[i];
    const layer = layerOf(i);
    if (op.kind === 'CNOT' || op.kind === 'CZ') {
      connectors.push({
        opIndex: i,
        kind: op.kind,
        wires: op.wires,
        layer,
        column,
        x: centre(column),
        y1: wireY(op.wires[0]),
        y2: wireY(op.wires[1]),
      });
      return;
    }
    const wires = operationWires(op);
    const lo = Math.min(...wires);
    const hi = Math.max(...wires);
    boxes.push({
      opIndex: i,
      kind: op.kind,
      wires,
      layer,
      column,
      x: centre(column),
      y: (wireY(lo) + wireY(hi)) / 2,
      width: widthOf(op),
      height: LAYOUT.boxHeight + (hi - lo) * LAYOUT.rowHeight,
      label: boxLabel(op),
    });
  });

  // 5. Layer spans and separators.
  const layers: LayerSpan[] = [];
  for (let l = 0; l < nLayers && columns > 0; l++) {
    const first = layerStart[l] ?? columns;
    const last = (layerStart[l + 1] ?? columns) - 1;
    if (last < first) continue;
    layers.push({
      layer: l,
      x0: colLeft[first],
      x1: colLeft[last] + colWidth[last],
      separatorX: l === 0 ? null : colLeft[first] - LAYOUT.columnGap / 2 - LAYOUT.layerGap,
    });
  }

  return {
    width,
    height,
    wires: Array.from({ length: def.nQubits }, (_, wire) => ({ wire, y: wireY(wire) })),
    boxes,
    connectors,
    layers,
    columns,
  };
}
