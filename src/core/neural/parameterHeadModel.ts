import type { PkPdParameters } from '../pkpd/types';
import type { Litres, LitresPerHour, MgPerL, NgPerMl, PerHour } from '../units';

/**
 * The compartmental model behind the parameter head, as plain numbers: its parameters, the
 * unconstrained coordinates the network outputs (logs, so that every output maps to a valid
 * model), and the engine's PkPdParameters they stand for.
 *
 * PK: one compartment with first-order absorption (the engine's 'oral1': CL, V, ka; F = 1).
 * PD: an effect compartment (ke0) driving E = E0·(1 + f·Ce^h/(EC50^h + Ce^h)), f > −1: the
 * engine's 'effect-compartment' model with Emax = f·E0. f < 0 is inhibition (f = −Imax, the
 * challenge's biomarker falls with exposure); f > 0 lets another data set's biomarker rise.
 * Why an effect compartment rather than an indirect response: its biomarker has a closed form
 * by superposition over doses (no ODE inside the training loop), and it shows the same delay
 * of the biomarker behind the concentration.
 */

/** Engine-unit values of the model's parameters (one subject, or the typical subject). */
export interface HeadParameters {
  readonly CL: LitresPerHour;
  readonly V: Litres;
  readonly ka: PerHour;
  /** E0, the drug-free biomarker. */
  readonly baseline: NgPerMl;
  /** f: the fully driven biomarker is (1 + f)·E0; −1 < f (f < 0 inhibits). */
  readonly emaxFraction: number;
  readonly EC50: MgPerL;
  readonly ke0: PerHour;
  readonly hill: number;
}

/** The PK network's outputs, in order: log CL, log V, log ka. */
export const PK_OUTPUTS = ['logCL', 'logV', 'logKa'] as const;
/** The PD network's outputs, in order: log E0, log(1 + f), log EC50, log ke0, log h. */
export const PD_OUTPUTS = ['logBaseline', 'logMaxRatio', 'logEC50', 'logKe0', 'logHill'] as const;

/** Network coordinates of parameter values. */
export function headCoordinates(p: HeadParameters): { pk: number[]; pd: number[] } {
  return {
    pk: [Math.log(p.CL), Math.log(p.V), Math.log(p.ka)],
    pd: [
      Math.log(p.baseline),
      Math.log1p(p.emaxFraction),
      Math.log(p.EC50),
      Math.log(p.ke0),
      Math.log(p.hill),
    ],
  };
}

/** Parameter values of network coordinates (PK_OUTPUTS and PD_OUTPUTS order). */
export function headParameters(pk: ArrayLike<number>, pd: ArrayLike<number>): HeadParameters {
  return {
    CL: Math.exp(pk[0]),
    V: Math.exp(pk[1]),
    ka: Math.exp(pk[2]),
    baseline: Math.exp(pd[0]),
    emaxFraction: Math.expm1(pd[1]),
    EC50: Math.exp(pd[2]),
    ke0: Math.exp(pd[3]),
    hill: Math.exp(pd[4]),
  };
}

/** The same model as the engine's parameters (simulatePkPd reproduces the head's predictions). */
export function engineParameters(p: HeadParameters): PkPdParameters {
  return {
    pk: { type: 'oral1', CL: p.CL, V: p.V, ka: p.ka },
    pd: {
      type: 'effect-compartment',
      baseline: p.baseline,
      ke0: p.ke0,
      // f > −1, so Emax ≥ −E0 as the engine requires; clamp the rounding of f = −1 + ε.
      Emax: Math.max(-p.baseline, p.emaxFraction * p.baseline),
      EC50: p.EC50,
      hill: p.hill,
    },
  };
}
