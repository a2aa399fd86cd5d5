import { useId } from 'react';
import {
  QUANTUM_HARDWARE,
  feasibleHardware,
  type CircuitStats,
} from '../../core/quantum/circuitStats';
import { CIRCUIT_LIMITS } from '../../state/slices/circuitSlice';
import { useWorkbench } from '../../state/store';
import { NumberInput } from '../components/NumberInput';
import { feasibilityVerdict, posterCountVerdict } from './feasibility';

/** Whether today's hardware runs the circuit faithfully, by quantum volume, and the poster's table. */
export function FeasibilityCard({ stats, layers }: { stats: CircuitStats; layers: number }) {
  const id = useId();
  const qv = useWorkbench((s) => s.circuitSettings.quantumVolume);
  const set = useWorkbench((s) => s.setCircuitSettings);
  const verdict = feasibilityVerdict(stats, qv);
  const poster = posterCountVerdict(stats.qubits, layers, qv);
  const devices = feasibleHardware(stats);
  const sources = [...new Set(QUANTUM_HARDWARE.map((h) => h.source))];
  const lim = CIRCUIT_LIMITS.quantumVolume;
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid="circuit-feasibility">
      <h2 id={`${id}-title`}>Feasibility on quantum hardware</h2>
      <div className="row circuit-qv">
        <span className="circuit-qv-label" aria-hidden="true">
          Quantum volume (QV)
        </span>
        <span className="circuit-qv-input">
          <NumberInput
            value={qv}
            label="Quantum volume (QV)"
            step={1}
            isValid={(v) => Number.isInteger(v) && v >= lim.min && v <= lim.max}
            invalidHint={`A whole number from ${lim.min} to 2^40`}
            onChange={(quantumVolume) => set({ quantumVolume })}
            testId="circuit-qv"
          />
        </span>
        <span className="muted small">
          QV = 2<sup>k</sup>: the device runs random circuits of k qubits and depth k faithfully
          (512 = 2<sup>9</sup>, the poster’s IBM Heron systems).
        </span>
      </div>
      <p
        className={`verdict ${verdict.fits ? 'pass' : 'fail'}`}
        role="status"
        data-testid="circuit-qv-verdict"
      >
        {verdict.text}
      </p>
      <p className="small" data-testid="circuit-qv-poster">
        {poster.text}
      </p>
      <p className="muted small circuit-note">
        Depth here is the gate depth of the statistics above. The poster’s “9 qubits and 9 depth”
        reads as a square circuit; by gate depth the seed’s circuit grows by n + 3 per layer, so at
        9 qubits even one layer (depth 12) is too deep for QV 512. Of the devices listed,{' '}
        {devices.length === 0 ? 'none runs' : `${devices.map((d) => d.name).join(' and ')} run`}{' '}
        this circuit.
      </p>
      <div className="table-scroll circuit-hardware">
        <table className="data" data-testid="circuit-hardware">
          <caption className="visually-hidden">Quantum hardware listed by the seed poster</caption>
          <thead>
            <tr>
              <th scope="col">System</th>
              <th scope="col">Processor</th>
              <th scope="col">Qubits</th>
              <th scope="col">QV</th>
              <th scope="col">EPLG</th>
              <th scope="col">CLOPS</th>
              <th scope="col">T1 (μs)</th>
              <th scope="col">T2 (μs)</th>
              <th scope="col">Region</th>
              <th scope="col">Runs this circuit</th>
              <th scope="col">Source</th>
            </tr>
          </thead>
          <tbody>
            {QUANTUM_HARDWARE.map((h) => (
              <tr key={h.name}>
                <th scope="row">
                  {h.vendor} {h.name}
                </th>
                <td>{h.processor}</td>
                <td>{h.qubits}</td>
                <td>{h.quantumVolume}</td>
                <td>{(h.eplg * 100).toFixed(1)}%</td>
                <td>{h.clops.toLocaleString('en-GB')}</td>
                <td>{h.t1Microseconds}</td>
                <td>{h.t2Microseconds}</td>
                <td>{h.region}</td>
                <td>{devices.includes(h) ? 'yes' : 'no'}</td>
                <td>[{sources.indexOf(h.source) + 1}]</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <ol className="muted small circuit-sources">
        {sources.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ol>
      <p className="muted small circuit-note">
        EPLG: error per layered gate; CLOPS: circuit layer operations per second; T1, T2: relaxation
        and dephasing times. The poster’s snapshot, as printed (its “ibm_toronto” may be
        ibm_torino); figures change as devices are recalibrated.
      </p>
    </section>
  );
}
