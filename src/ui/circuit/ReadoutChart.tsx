import {
  Bar,
  BarChart,
  CartesianGrid,
  Cell,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { Readout } from '../../core/quantum/circuit';
import { OKABE_ITO } from '../charts/palette';
import { subscript } from './circuitLayout';
import { readoutName } from './circuitView';

type Kind = Readout['kind'];

/** One colour per observable (Okabe–Ito: colour-blind safe). */
const KIND_COLOUR: Record<Kind, string> = {
  X: OKABE_ITO[5],
  Y: OKABE_ITO[1],
  Z: OKABE_ITO[3],
  ZZ: OKABE_ITO[6],
};
const KIND_LABEL: Record<Kind, string> = {
  X: '⟨X_i⟩',
  Y: '⟨Y_i⟩',
  Z: '⟨Z_i⟩',
  ZZ: '⟨Z_i Z_i+1⟩',
};
const KINDS: readonly Kind[] = ['X', 'Y', 'Z', 'ZZ'];

const CHART_HEIGHT = 260;

function wireOf(r: Readout): number {
  return r.kind === 'ZZ' ? r.wires[0] : r.wire;
}

/** Bars of every readout's expectation value (−1…1), then the same values as a table. */
export function ReadoutChart({
  readouts,
  values,
  qubits,
}: {
  readouts: readonly Readout[];
  values: Float64Array;
  qubits: number;
}) {
  const data = readouts.map((r, i) => ({ name: readoutName(r), kind: r.kind, value: values[i] }));
  const kinds = KINDS.filter((k) => readouts.some((r) => r.kind === k));
  const byKindWire = new Map(readouts.map((r, i) => [`${r.kind}-${wireOf(r)}`, values[i]]));
  return (
    <div className="circuit-readouts">
      <div>
        <div className="row circuit-legend small" aria-hidden="true">
          {kinds.map((k) => (
            <span key={k}>
              <span className="legend-swatch" style={{ background: KIND_COLOUR[k] }} />
              {KIND_LABEL[k]}
            </span>
          ))}
        </div>
        <div
          role="img"
          aria-label={`Bar chart of the ${readouts.length} expectation values, each between −1 and 1; the table beside it lists them.`}
          data-testid="circuit-readout-chart"
        >
          <ResponsiveContainer width="100%" height={CHART_HEIGHT}>
            <BarChart data={data} margin={{ top: 6, right: 8, bottom: 4, left: 0 }}>
              <CartesianGrid stroke="#e3e8ee" vertical={false} />
              <XAxis
                dataKey="name"
                fontSize={11}
                interval={0}
                angle={data.length > 16 ? -60 : 0}
                textAnchor={data.length > 16 ? 'end' : 'middle'}
                height={data.length > 16 ? 52 : 24}
              />
              <YAxis
                domain={[-1, 1]}
                ticks={[-1, -0.5, 0, 0.5, 1]}
                width={40}
                fontSize={11}
                label={{
                  value: 'expectation value',
                  angle: -90,
                  position: 'insideLeft',
                  offset: 10,
                  fontSize: 11,
                  style: { textAnchor: 'middle' },
                }}
              />
              <ReferenceLine y={0} stroke="#56657a" />
              <Tooltip
                isAnimationActive={false}
                formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))}
              />
              <Bar dataKey="value" name="expectation" isAnimationActive={false}>
                {data.map((d) => (
                  <Cell key={d.name} fill={KIND_COLOUR[d.kind]} />
                ))}
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </div>
      </div>
      <div className="table-scroll circuit-readout-table" data-testid="circuit-readout-table">
        <table className="data">
          <caption className="visually-hidden">Expectation values per wire</caption>
          <thead>
            <tr>
              <th scope="col">Wire</th>
              {kinds.map((k) => (
                <th scope="col" key={k}>
                  {k === 'ZZ' ? '⟨ZᵢZᵢ₊₁⟩' : `⟨${k}⟩`}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: qubits }, (_, w) => (
              <tr key={w}>
                <th scope="row">q{w}</th>
                {kinds.map((k) => {
                  const v = byKindWire.get(`${k}-${w}`);
                  return (
                    <td
                      key={k}
                      data-testid={`circuit-readout-${k}-${w}`}
                      title={
                        k === 'ZZ' ? `⟨Z${subscript(w)}Z${subscript((w + 1) % qubits)}⟩` : undefined
                      }
                    >
                      {v === undefined ? '–' : v.toFixed(3)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
