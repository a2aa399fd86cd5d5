import { useMemo } from 'react';
import { resolveAngle, type CircuitDefinition, type Operation } from '../../core/quantum/circuit';
import type { CircuitStats } from '../../core/quantum/circuitStats';
import { LAYOUT, angleSymbol, layoutCircuit, type CircuitLayout } from './circuitLayout';

/** Radius of a CNOT's control dot and of its ⊕ target (px). */
const DOT_R = 4;
const TARGET_R = 8;

function rad(v: number): string {
  return `${v.toFixed(3)} rad`;
}

/** The hover text of an operation: its angles bound to numbers, its wires and its layer. */
function gateTitle(
  op: Operation,
  layer: number,
  inputs: readonly number[],
  weights: readonly number[],
): string {
  const where = `layer ${layer + 1}`;
  const value = (a: Parameters<typeof resolveAngle>[0]) => resolveAngle(a, inputs, weights);
  switch (op.kind) {
    case 'RX':
    case 'RY':
    case 'RZ':
      return `${op.kind}(${angleSymbol(op.angle)} = ${rad(value(op.angle))}) on q${op.wire}, ${where}`;
    case 'Rot': {
      const [phi, theta, omega] = op.angles.map(value);
      return `Rot(φ = ${rad(phi)}, θ = ${rad(theta)}, ω = ${rad(omega)}) on q${op.wire}, ${where} (trainable)`;
    }
    case 'CNOT':
      return `CNOT: control q${op.wires[0]}, target q${op.wires[1]}, ${where}`;
    case 'CZ':
      return `CZ on q${op.wires[0]} and q${op.wires[1]}, ${where}`;
    default:
      return `${op.kind}, ${where}`;
  }
}

/** What the drawing shows, for screen readers. */
export function circuitSummary(
  def: CircuitDefinition,
  layers: number,
  stats: CircuitStats,
): string {
  const n = def.nQubits;
  const c = stats.gateCounts;
  return (
    `Circuit diagram with ${n} wires, q0 to q${n - 1}, and ${layers} layer${layers === 1 ? '' : 's'}. ` +
    `Each layer applies RY(x_i) then RX(x_i) to every wire, Rot(φ, θ, ω) to every wire, then a ring of ${n} CNOTs from q_i to q_(i+1 mod ${n}). ` +
    `In all: ${c.RY} RY, ${c.RX} RX, ${c.Rot} Rot and ${c.CNOT} CNOT gates, depth ${stats.depth}.`
  );
}

function Drawing({
  layout,
  def,
  inputs,
  weights,
  label,
}: {
  layout: CircuitLayout;
  def: CircuitDefinition;
  inputs: readonly number[];
  weights: readonly number[];
  label: string;
}) {
  const ops = def.operations;
  const right = layout.width - LAYOUT.right;
  return (
    <svg
      className="circuit-svg"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      role="img"
      aria-label={label}
      data-testid="circuit-svg"
    >
      {layout.layers.map((l) => (
        <g key={l.layer}>
          {l.separatorX !== null ? (
            <line
              className="circuit-separator"
              x1={l.separatorX}
              x2={l.separatorX}
              y1={4}
              y2={layout.height - 2}
            />
          ) : null}
          <text className="circuit-layer-label" x={(l.x0 + l.x1) / 2} y={14} textAnchor="middle">
            layer {l.layer + 1}
          </text>
        </g>
      ))}
      {layout.wires.map((w) => (
        <g key={w.wire} data-testid="circuit-wire">
          <line className="circuit-wire" x1={LAYOUT.left - 4} x2={right} y1={w.y} y2={w.y} />
          <text className="circuit-wire-label" x={LAYOUT.left - 10} y={w.y} textAnchor="end">
            q{w.wire}
          </text>
        </g>
      ))}
      {layout.connectors.map((c) => {
        const [a, b] = c.wires;
        const title = gateTitle(ops[c.opIndex], c.layer, inputs, weights);
        return (
          <g key={c.opIndex} className="circuit-cnot" data-testid="circuit-cnot">
            <title>{title}</title>
            <line className="circuit-connector" x1={c.x} x2={c.x} y1={c.y1} y2={c.y2} />
            <circle className="circuit-dot" cx={c.x} cy={c.y1} r={DOT_R} data-wire={a} />
            {c.kind === 'CNOT' ? (
              // ⊕: a circle with a plus drawn over it.
              <g data-wire={b}>
                <circle className="circuit-target" cx={c.x} cy={c.y2} r={TARGET_R} />
                <line
                  className="circuit-connector"
                  x1={c.x - TARGET_R}
                  x2={c.x + TARGET_R}
                  y1={c.y2}
                  y2={c.y2}
                />
                <line
                  className="circuit-connector"
                  x1={c.x}
                  x2={c.x}
                  y1={c.y2 - TARGET_R}
                  y2={c.y2 + TARGET_R}
                />
              </g>
            ) : (
              <circle className="circuit-dot" cx={c.x} cy={c.y2} r={DOT_R} data-wire={b} />
            )}
            {/* A wider invisible stroke so the thin line is easy to hover. */}
            <line className="circuit-hit" x1={c.x} x2={c.x} y1={c.y1} y2={c.y2} />
          </g>
        );
      })}
      {layout.boxes.map((b) => {
        const trainable = b.kind === 'Rot';
        return (
          <g
            key={b.opIndex}
            className={`circuit-gate ${trainable ? 'circuit-gate-trainable' : 'circuit-gate-data'}`}
            data-testid="circuit-gate"
            data-kind={b.kind}
          >
            <title>{gateTitle(ops[b.opIndex], b.layer, inputs, weights)}</title>
            <rect
              x={b.x - b.width / 2}
              y={b.y - b.height / 2}
              width={b.width}
              height={b.height}
              rx={4}
            />
            <text x={b.x} y={b.y} textAnchor="middle" dominantBaseline="central">
              {b.label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The circuit drawn per wire (SVG, scrolls sideways when wide), with a legend. */
export function CircuitDiagram({
  def,
  layers,
  stats,
  inputs,
  weights,
}: {
  def: CircuitDefinition;
  layers: number;
  stats: CircuitStats;
  inputs: readonly number[];
  weights: readonly number[];
}) {
  const layout = useMemo(() => layoutCircuit(def, { layers }), [def, layers]);
  const label = circuitSummary(def, layers, stats);
  return (
    <>
      <div className="row circuit-legend small" aria-hidden="true">
        <span>
          <span className="circuit-swatch circuit-gate-data" /> data encoding RY(x<sub>i</sub>),
          RX(x<sub>i</sub>)
        </span>
        <span>
          <span className="circuit-swatch circuit-gate-trainable" /> trainable Rot(φ, θ, ω)
        </span>
        <span>
          <span className="circuit-swatch-cnot">●─⊕</span> CNOT (control, target)
        </span>
        <span className="muted">Hover a gate for its angles.</span>
      </div>
      <div
        className="circuit-scroll"
        tabIndex={0}
        role="region"
        aria-label="Circuit drawing (scrolls sideways)"
      >
        <Drawing layout={layout} def={def} inputs={inputs} weights={weights} label={label} />
      </div>
    </>
  );
}
