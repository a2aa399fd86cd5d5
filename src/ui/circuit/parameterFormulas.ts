/**
 * The seed poster's parameter counts written out: the formula, the formula with this
 * configuration's numbers in it, and its value (from core/quantum/circuitStats, so the text and
 * the numbers cannot drift apart).
 */
import { hybridLayerParameterCounts } from '../../core/quantum/circuitStats';
import type { Framework } from '../../core/neural/types';

export interface PosterShape {
  /** N_in: inputs of the network (the neural features). */
  readonly nIn: number;
  /** M_out: outputs of one network. */
  readonly mOut: number;
  /** M_in: hidden width, for the hybrid network the number of qubits. */
  readonly mIn: number;
  /** L_nn: hidden layers of the classical network. */
  readonly nnLayers: number;
  /** L_qnn: layers of the circuit. */
  readonly qnnLayers: number;
}

/** Where N_in and M_out come from, in words (shown beside the formulas). */
export interface ShapeNotes {
  readonly nIn: string;
  readonly mOut: string;
}

export interface FormulaLine {
  /** The poster's formula. */
  readonly formula: string;
  /** The same with this shape's numbers. */
  readonly substituted: string;
  readonly value: number;
}

export interface PosterCounts {
  readonly classicalNn: FormulaLine;
  readonly hybridClassical: FormulaLine;
  readonly hybridQuantum: FormulaLine;
  readonly hybridTotal: number;
}

/**
 * M_out of one of the poster's networks: the independent and cascade frameworks train one
 * network per endpoint (one output each); the multi-task network has a PK and a PD output.
 */
export function posterOutputs(framework: Framework): number {
  return framework === 'multitask' ? 2 : 1;
}

/** The poster's classical and hybrid counts for a shape, formulas written out. */
export function posterCounts(p: PosterShape): PosterCounts {
  const counts = hybridLayerParameterCounts(p);
  const io = `(${p.nIn} + ${p.mOut})·${p.mIn}`;
  const first = (p.nIn + p.mOut) * p.mIn;
  const second = p.mIn * p.mIn * (p.nnLayers + 2);
  return {
    classicalNn: {
      formula: '(N_in + M_out)·M_in + M_in²·(L_nn + 2)',
      substituted: `${io} + ${p.mIn}²·(${p.nnLayers} + 2) = ${first} + ${second}`,
      value: counts.classicalNn,
    },
    hybridClassical: {
      formula: '(N_in + M_out)·M_in',
      substituted: io,
      value: counts.hybrid.classical,
    },
    hybridQuantum: {
      formula: '3·M_in·L_qnn',
      substituted: `3·${p.mIn}·${p.qnnLayers}`,
      value: counts.hybrid.quantum,
    },
    hybridTotal: counts.hybrid.total,
  };
}
