import type { ColumnRole } from './types';

/** The dose items of one record, missing ones read as 0 (NONMEM's reading of "."). */
export interface DoseItems {
  readonly evid: 1 | 4;
  readonly amt: number;
  readonly rate: number;
  readonly ii: number;
  readonly addl: number;
  readonly ss: number;
}

/**
 * What is wrong with a dose record's items under NONMEM's rules, each with the role (column)
 * it is about. Empty when the record is a valid dose.
 */
export function doseItemProblems(d: DoseItems): { role: ColumnRole; message: string }[] {
  const out: { role: ColumnRole; message: string }[] = [];
  const infusionAtSteadyState = d.ss === 1 && d.rate > 0 && d.amt === 0;
  if (d.amt < 0) out.push({ role: 'AMT', message: 'AMT is negative.' });
  else if (d.amt === 0 && !infusionAtSteadyState) {
    out.push({
      role: 'AMT',
      message: `A dose record (EVID ${d.evid}) needs a positive AMT (only a steady-state infusion, SS=1 with RATE > 0, may have AMT 0).`,
    });
  }
  if (d.rate < 0 && d.rate !== -1 && d.rate !== -2) {
    out.push({
      role: 'RATE',
      message: 'RATE must be 0 or more, or -1 (modelled rate) or -2 (modelled duration).',
    });
  }
  if (d.ii < 0) out.push({ role: 'II', message: 'II (the dosing interval) is negative.' });
  if (d.addl < 0 || !Number.isInteger(d.addl)) {
    out.push({ role: 'ADDL', message: 'ADDL must be a whole number, 0 or more.' });
  } else if (d.addl > 0 && d.ii <= 0) {
    out.push({
      role: 'ADDL',
      message: 'ADDL > 0 needs II > 0 (the interval between the additional doses).',
    });
  }
  if (d.ss !== 0 && d.ss !== 1 && d.ss !== 2)
    out.push({ role: 'SS', message: 'SS must be 0, 1 or 2.' });
  else if (d.ss > 0 && d.ii <= 0 && !infusionAtSteadyState) {
    out.push({
      role: 'SS',
      message: `A steady-state dose (SS=${d.ss}) needs II > 0 (or AMT 0 with RATE > 0 for a constant infusion).`,
    });
  }
  return out;
}
