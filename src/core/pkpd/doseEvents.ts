import type { Hours, Mg } from '../units';
import { CENTRAL, DEPOT } from './linearSystem';
import type { DoseEvent, PkParameters } from './types';

/**
 * Dose records with NONMEM semantics, turned into what actually enters the system.
 *
 * Bioavailability F, lag time, modelled rate and modelled duration belong to the compartment
 * named by the record (cmt 1: F1, lag1, rate1, dur1; cmt 2: F2, lag2, rate2, dur2), also for the
 * IV models where both compartments mean the central one.
 *
 * Infusions follow NONMEM exactly:
 * - RATE > 0: the rate is kept and F scales the duration, T = F·AMT/RATE;
 * - RATE = −1 (modelled rate R): rate R, T = F·AMT/R;
 * - RATE = −2 (modelled duration D): T = D, rate F·AMT/D.
 */
export interface ResolvedDose {
  /** Index into the amounts vector (DEPOT or CENTRAL). */
  readonly slot: number;
  /** Bioavailable amount, mg: F·AMT. */
  readonly amount: Mg;
  /** Zero-order rate, mg/h; 0 for a bolus. */
  readonly rate: number;
  /** Infusion duration, h; 0 for a bolus. */
  readonly duration: Hours;
  /** Lag time of the dose's compartment, h: the dose enters at record time + lag. */
  readonly lag: Hours;
}

/** Short description of a record for error messages. */
export function describeDose(e: DoseEvent): string {
  return `dose record at time ${e.time} (evid ${e.evid}, amt ${e.amt}, cmt ${e.cmt}${e.rate ? `, rate ${e.rate}` : ''})`;
}

function compartmentParameters(pk: PkParameters, e: DoseEvent) {
  if (e.cmt === 1) return { F: pk.F1 ?? 1, lag: pk.lag1 ?? 0, rate: pk.rate1, dur: pk.dur1, n: 1 };
  if (e.cmt === 2) return { F: pk.F2 ?? 1, lag: pk.lag2 ?? 0, rate: pk.rate2, dur: pk.dur2, n: 2 };
  throw new Error(`${describeDose(e)}: cmt must be 1 (depot) or 2 (central)`);
}

/** Where a record's dose goes: the depot for cmt 1 of an oral model, else the central compartment. */
export function doseSlot(pk: PkParameters, cmt: number): number {
  const oral = pk.type === 'oral1' || pk.type === 'oral2';
  return cmt === 1 && oral ? DEPOT : CENTRAL;
}

/**
 * The dose a record delivers (EVID 1 or 4), with F, lag and infusion rate/duration resolved.
 * For a steady-state constant infusion (AMT 0, RATE > 0) the rate is F·RATE and the duration
 * infinite: with no amount there is no duration to scale, so F can only act on the rate.
 */
export function resolveDose(pk: PkParameters, e: DoseEvent): ResolvedDose {
  const p = compartmentParameters(pk, e);
  const slot = doseSlot(pk, e.cmt);
  const rate = e.rate ?? 0;
  const amount = p.F * e.amt;
  if (rate === 0) return { slot, amount, rate: 0, duration: 0, lag: p.lag };
  if (rate > 0) {
    if (e.amt === 0) return { slot, amount: 0, rate: p.F * rate, duration: Infinity, lag: p.lag };
    return { slot, amount, rate, duration: amount / rate, lag: p.lag };
  }
  if (rate === -1) {
    const r = p.rate;
    if (!(r !== undefined && r > 0)) {
      throw new Error(
        `${describeDose(e)}: rate −1 needs the modelled rate rate${p.n} > 0, got ${r}`,
      );
    }
    return { slot, amount, rate: r, duration: amount / r, lag: p.lag };
  }
  if (rate === -2) {
    const d = p.dur;
    if (!(d !== undefined && d > 0)) {
      throw new Error(
        `${describeDose(e)}: rate −2 needs the modelled duration dur${p.n} > 0, got ${d}`,
      );
    }
    return { slot, amount, rate: amount / d, duration: d, lag: p.lag };
  }
  throw new Error(
    `${describeDose(e)}: rate must be ≥ 0, −1 (modelled rate) or −2 (modelled duration)`,
  );
}

/** True when the resolved dose is a zero-order infusion rather than a bolus. */
export function isInfusion(d: ResolvedDose): boolean {
  return d.duration > 0;
}

/**
 * Checks one record's fields and throws an error naming the record and the field.
 * Steady state needs an interval (ii > 0) unless it is a constant infusion (AMT 0, RATE > 0).
 */
export function validateDoseEvent(e: DoseEvent): void {
  const where = describeDose(e);
  if (!Number.isFinite(e.time)) throw new Error(`${where}: time must be a finite number`);
  if (e.evid !== 1 && e.evid !== 3 && e.evid !== 4)
    throw new Error(`${where}: evid must be 1, 3 or 4`);
  if (e.evid === 3) return;
  if (!(Number.isFinite(e.amt) && e.amt >= 0)) throw new Error(`${where}: amt must be ≥ 0`);
  const ii = e.ii ?? 0;
  const addl = e.addl ?? 0;
  const ss = e.ss ?? 0;
  if (!(Number.isFinite(ii) && ii >= 0)) throw new Error(`${where}: ii must be ≥ 0, got ${ii}`);
  if (!(Number.isInteger(addl) && addl >= 0))
    throw new Error(`${where}: addl must be a whole number ≥ 0, got ${addl}`);
  if (addl > 0 && !(ii > 0)) throw new Error(`${where}: addl ${addl} needs ii > 0`);
  if (ss !== 0 && ss !== 1 && ss !== 2)
    throw new Error(`${where}: ss must be 0, 1 or 2, got ${String(ss)}`);
  if (ss === 0 && e.amt === 0 && (e.rate ?? 0) > 0) {
    throw new Error(`${where}: amt 0 with rate > 0 (a constant infusion) needs ss 1 or 2`);
  }
  if (ss !== 0 && !(ii > 0) && !(e.amt === 0 && (e.rate ?? 0) > 0)) {
    throw new Error(
      `${where}: a steady-state dose needs ii > 0 (or amt 0 with rate > 0 for a constant infusion)`,
    );
  }
}

/**
 * Records sorted by time; records at the same time keep their given order (NONMEM processes
 * them in data-set order). Returns the input itself when already sorted.
 */
export function sortDoseEvents(events: readonly DoseEvent[]): readonly DoseEvent[] {
  for (let i = 1; i < events.length; i++) {
    if (events[i].time < events[i - 1].time) return [...events].sort((a, b) => a.time - b.time);
  }
  return events;
}

/**
 * Each record with its II/ADDL doses written out as records of their own (addl 0), in time
 * order. The additional doses are plain doses (ss 0, evid 1) at time + k·ii, k = 1 … addl, as
 * NONMEM gives them; a reset record does not remove them here (the engine does that).
 */
export function expandDoses(events: readonly DoseEvent[]): DoseEvent[] {
  const out: DoseEvent[] = [];
  for (const e of events) {
    const addl = e.evid === 3 ? 0 : (e.addl ?? 0);
    const ii = e.ii ?? 0;
    out.push(addl > 0 ? { ...e, addl: 0 } : e);
    for (let k = 1; k <= addl; k++)
      out.push({ ...e, time: e.time + k * ii, evid: 1, addl: 0, ss: 0 });
  }
  return [...sortDoseEvents(out)];
}
