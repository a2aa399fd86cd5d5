import type { Hours, Litres, LitresPerHour, Mg, MgPerL, NgPerMl, PerHour } from '../units';

/**
 * One dose record with NONMEM semantics (EVID 1 dose, 4 reset-and-dose; EVID 3 reset is
 * a DoseEvent with amt 0 and evid 3).
 * - rate > 0: zero-order infusion at `rate` mg/h for amt/rate h (after bioavailability,
 *   NONMEM keeps the rate and scales the duration).
 * - rate = -1 / -2: modelled rate / modelled duration (taken from the model's `infusionRate` /
 *   `infusionDuration`).
 * - ii > 0 with addl > 0: addl further doses every ii hours.
 * - ss = 1: the system is at steady state for this dose repeated every ii (prior amounts reset);
 *   ss = 2: steady-state amounts are added to the current state.
 * - ss = 1 with amt = 0 and rate > 0: a steady-state constant infusion.
 */
export interface DoseEvent {
  readonly time: Hours;
  readonly amt: Mg;
  /** 1 = depot (oral), 2 = central. */
  readonly cmt: number;
  readonly evid: 1 | 3 | 4;
  readonly rate?: number;
  readonly ii?: Hours;
  readonly addl?: number;
  readonly ss?: 0 | 1 | 2;
}

/**
 * Structural PK parameters. `type` selects the model:
 * - 'oral1': depot -> central, one compartment (ADVAN2)
 * - 'iv1': central only (ADVAN1); doses to cmt 1 or 2 both go to central
 * - 'oral2': depot -> central <-> peripheral (ADVAN4)
 * - 'iv2': central <-> peripheral (ADVAN3)
 */
export interface PkParameters {
  readonly type: 'oral1' | 'iv1' | 'oral2' | 'iv2';
  readonly CL: LitresPerHour;
  readonly V: Litres;
  /** Absorption rate constant (oral models). */
  readonly ka?: PerHour;
  /** Inter-compartmental clearance (2-compartment models). */
  readonly Q?: LitresPerHour;
  /** Peripheral volume (2-compartment models). */
  readonly V2?: Litres;
  /** Bioavailability per compartment: F1 (depot), F2 (central). Default 1. */
  readonly F1?: number;
  readonly F2?: number;
  /** Lag time per compartment in hours. Default 0. */
  readonly lag1?: Hours;
  readonly lag2?: Hours;
  /** Modelled infusion rate (mg/h) for rate = -1 records, per compartment. */
  readonly rate1?: number;
  readonly rate2?: number;
  /** Modelled infusion duration (h) for rate = -2 records, per compartment. */
  readonly dur1?: Hours;
  readonly dur2?: Hours;
}

/** PD model families. Concentration C is the central concentration in mg/L. */
export type PdParameters =
  | {
      /** E = E0 * (1 - Imax * C^h / (IC50^h + C^h)) */
      readonly type: 'direct-imax';
      readonly baseline: NgPerMl;
      readonly Imax: number;
      readonly IC50: MgPerL;
      readonly hill?: number;
    }
  | {
      /** E = E0 + Emax * C^h / (EC50^h + C^h) */
      readonly type: 'direct-emax';
      readonly baseline: NgPerMl;
      readonly Emax: NgPerMl;
      readonly EC50: MgPerL;
      readonly hill?: number;
    }
  | {
      /** dCe/dt = ke0 (C - Ce); E = E0 + Emax * Ce^h / (EC50^h + Ce^h) (Emax < 0 for inhibition) */
      readonly type: 'effect-compartment';
      readonly baseline: NgPerMl;
      readonly ke0: PerHour;
      readonly Emax: NgPerMl;
      readonly EC50: MgPerL;
      readonly hill?: number;
    }
  | {
      /**
       * Indirect response, R(0) = baseline, kin = kout * baseline:
       * - I   inhibit production:  dR/dt = kin (1 - Imax C^h/(IC50^h + C^h)) - kout R
       * - II  inhibit loss:        dR/dt = kin - kout (1 - Imax C^h/(IC50^h + C^h)) R
       * - III stimulate production: dR/dt = kin (1 + Emax C^h/(EC50^h + C^h)) - kout R
       * - IV  stimulate loss:       dR/dt = kin - kout (1 + Emax C^h/(EC50^h + C^h)) R
       * For I/II the drug term uses Imax and IC50, for III/IV Emax and EC50.
       */
      readonly type:
        | 'indirect-inhibit-production'
        | 'indirect-inhibit-loss'
        | 'indirect-stimulate-production'
        | 'indirect-stimulate-loss';
      readonly baseline: NgPerMl;
      readonly kout: PerHour;
      readonly Imax?: number;
      readonly IC50?: MgPerL;
      readonly Emax?: number;
      readonly EC50?: MgPerL;
      readonly hill?: number;
    };

/** A PK model with an optional PD model attached. Small, immutable, serialisable. */
export interface PkPdParameters {
  readonly pk: PkParameters;
  readonly pd?: PdParameters;
}

/** What one simulation of one subject returns, at the requested times. */
export interface SimulationResult {
  readonly times: Float64Array;
  /** Central concentration, mg/L. */
  readonly concentration: Float64Array;
  /** Biomarker, ng/mL (absent without a PD model). */
  readonly biomarker?: Float64Array;
}
