import type { Hours, Mg } from '../units';
import type { DoseEvent } from './types';

/**
 * A regimen as a clinician states it. Small and serialisable: it can live in a URL.
 */
export interface Regimen {
  /** Maintenance dose, mg. */
  readonly dose: Mg;
  /** Dosing interval, hours. */
  readonly interval: Hours;
  /** Total number of doses, the loading dose included. */
  readonly doses: number;
  /** A first dose that differs from the maintenance dose; 0 or absent for none. */
  readonly loadingDose?: Mg;
  /** 1 = oral (depot), 2 = IV bolus into central. */
  readonly cmt?: number;
}

/** NONMEM dose records for a regimen, starting at time 0. */
export function regimenToEvents(regimen: Regimen): DoseEvent[] {
  const cmt = regimen.cmt ?? 1;
  const n = Math.max(0, Math.floor(regimen.doses));
  if (n === 0) return [];
  const loading = regimen.loadingDose ?? 0;
  if (loading > 0) {
    const first: DoseEvent = { time: 0, amt: loading, cmt, evid: 1 };
    if (n === 1) return [first];
    return [
      first,
      {
        time: regimen.interval,
        amt: regimen.dose,
        cmt,
        evid: 1,
        ii: regimen.interval,
        addl: n - 2,
      },
    ];
  }
  return [{ time: 0, amt: regimen.dose, cmt, evid: 1, ii: regimen.interval, addl: n - 1 }];
}

/** Time of the last dose of the regimen, hours. */
export function lastDoseTime(regimen: Regimen): Hours {
  return Math.max(0, Math.floor(regimen.doses) - 1) * regimen.interval;
}
