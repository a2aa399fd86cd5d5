import { hybridWeightIndex } from '../../core/quantum/templates';

/** The trainable angles w[l, i, :] = (φ, θ, ω) of every Rot, as a table behind the drawing. */
export function CircuitAnglesTable({
  qubits,
  layers,
  weights,
}: {
  qubits: number;
  layers: number;
  weights: readonly number[];
}) {
  const rows: { layer: number; wire: number }[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let wire = 0; wire < qubits; wire++) rows.push({ layer, wire });
  }
  return (
    <details className="circuit-details">
      <summary>Trainable angles ({weights.length} values, radians)</summary>
      <div className="table-scroll circuit-angles">
        <table className="data">
          <caption className="visually-hidden">
            Rot angles φ, θ, ω of every wire in every layer, radians
          </caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Wire</th>
              <th scope="col">φ</th>
              <th scope="col">θ</th>
              <th scope="col">ω</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ layer, wire }) => (
              <tr key={`${layer}-${wire}`}>
                <td>{layer + 1}</td>
                <td>q{wire}</td>
                {[0, 1, 2].map((k) => (
                  <td key={k}>{weights[hybridWeightIndex(qubits, layer, wire, k)].toFixed(4)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
