import { fitsQuantumVolume, quantumVolumeSize } from '../../core/quantum/circuitStats';

/** The quantum volume verdict in words: what QV allows and what this circuit needs. */
export function feasibilityVerdict(
  circuit: { readonly qubits: number; readonly depth: number },
  quantumVolume: number,
): { fits: boolean; text: string } {
  const size = quantumVolumeSize(quantumVolume);
  const fits = fitsQuantumVolume(circuit, quantumVolume);
  const qv = quantumVolume.toLocaleString('en-GB');
  return {
    fits,
    text: `${fits ? 'Fits' : 'Does not fit'}: QV ${qv} runs circuits of at most ${size} qubits at depth ${size}; this one has ${circuit.qubits} qubits at depth ${circuit.depth}.`,
  };
}

/**
 * The same check as the poster counts depth (one circuit layer = one unit of depth): how its
 * "9 qubits × depth 9" reads. Kept beside the gate-depth verdict, which is the stricter one.
 */
export function posterCountVerdict(
  qubits: number,
  layers: number,
  quantumVolume: number,
): { fits: boolean; text: string } {
  const fits = fitsQuantumVolume({ qubits, depth: layers }, quantumVolume);
  const qv = quantumVolume.toLocaleString('en-GB');
  return {
    fits,
    text: `Counted as the poster counts (circuit layers as depth: ${qubits} qubits at depth ${layers}), it ${fits ? 'fits' : 'does not fit'} QV ${qv}.`,
  };
}
