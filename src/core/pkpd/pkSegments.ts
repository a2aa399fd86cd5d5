import type { Hours } from '../units';
import {
  describeDose,
  isInfusion,
  resolveDose,
  sortDoseEvents,
  validateDoseEvent,
  type ResolvedDose,
} from './doseEvents';
import {
  AMOUNT_SLOTS,
  DEPOT,
  equilibriumAmounts,
  linearPkSystem,
  propagateAmounts,
  type LinearPkSystem,
} from './linearSystem';
import { runningInfusionCount, steadyStateAmounts, steadyStateTrain } from './steadyState';
import type { DoseEvent, PkParameters } from './types';
import { validatePkParameters } from './validate';

/**
 * The event-driven exact solution of one subject: time is cut into segments at every instant
 * where the amounts jump or an infusion starts or stops, and within a segment the amounts
 * follow the closed form from the segment's start (linearSystem). Segment i covers
 * [start[i], start[i+1]); the last one runs to +∞. Before start[0] there is no drug.
 *
 * NONMEM record semantics:
 * - records are processed in time order, records at the same time in the order given, and
 *   implied events (additional doses, lagged doses, infusion ends) at a time before the records
 *   at that time; the state at a time includes everything that happened at it (so an
 *   observation at a dose time sees the dose, as NONMEM's output on dose records does);
 * - EVID 3 resets: amounts to zero, running infusions stopped, and events still pending from
 *   earlier records (lagged doses, additional doses) cancelled; EVID 4 resets, then doses;
 * - SS = 1 resets likewise, then sets the periodic steady state of the record's dose train
 *   (doses entering at t + lag − k·ii, k ≥ 0); doses of the train at or after t are scheduled
 *   and the infusions of earlier train doses still running at t keep running; SS = 2 adds the
 *   same to the current state without a reset;
 * - SS with AMT 0 and RATE > 0 sets (SS = 1) or adds (SS = 2) the equilibrium amounts of that
 *   constant infusion at t; as in NONMEM the infusion does not continue after the record;
 * - II/ADDL gives ADDL further doses at t + k·ii, each with the record's lag, F and rate.
 */
export interface PkSegments {
  readonly system: LinearPkSystem;
  readonly count: number;
  /** Segment start times, h, strictly increasing. */
  readonly start: Float64Array;
  /** Amounts (mg) at each segment start, AMOUNT_SLOTS per segment. */
  readonly amounts: Float64Array;
  /** Zero-order inputs during each segment, mg/h: [depot, central] per segment. */
  readonly rates: Float64Array;
}

/** Something scheduled for later: a dose entering the system, an infusion end, an ADDL dose. */
interface Pending {
  readonly time: Hours;
  /** Tie-break: earlier-scheduled first at equal times. */
  readonly order: number;
  readonly kind: 'enter' | 'end' | 'record';
  readonly dose: ResolvedDose;
  /** 'end': the infusion to stop. */
  readonly infusion?: RunningInfusion;
  /** 'record': additional doses still to come after this one, and their interval. */
  readonly remaining?: number;
  readonly ii?: Hours;
}

interface RunningInfusion {
  readonly slot: number;
  readonly rate: number;
}

/** Binary min-heap on (time, order): pending events fire in time order, FIFO at equal times. */
class PendingQueue {
  private readonly heap: Pending[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): Pending | undefined {
    return this.heap[0];
  }

  clear(): void {
    this.heap.length = 0;
  }

  push(p: Pending): void {
    const h = this.heap;
    h.push(p);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  pop(): Pending {
    const h = this.heap;
    const top = h[0];
    const last = h.pop() as Pending;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Pending, b: Pending): boolean {
  return a.time < b.time || (a.time === b.time && a.order < b.order);
}

/** Growable segment storage. */
class SegmentWriter {
  count = 0;
  start = new Float64Array(16);
  amounts = new Float64Array(16 * AMOUNT_SLOTS);
  rates = new Float64Array(16 * 2);

  /** Opens a segment at `time` (or rewrites the last one when it starts at the same time). */
  write(time: Hours, amounts: Float64Array, rd: number, rc: number): void {
    let i = this.count - 1;
    if (i < 0 || this.start[i] !== time) {
      i = this.count++;
      if (i === this.start.length) this.grow();
    }
    this.start[i] = time;
    this.amounts.set(amounts, i * AMOUNT_SLOTS);
    this.rates[2 * i] = rd;
    this.rates[2 * i + 1] = rc;
  }

  private grow(): void {
    const n = this.start.length * 2;
    const start = new Float64Array(n);
    const amounts = new Float64Array(n * AMOUNT_SLOTS);
    const rates = new Float64Array(n * 2);
    start.set(this.start);
    amounts.set(this.amounts);
    rates.set(this.rates);
    this.start = start;
    this.amounts = amounts;
    this.rates = rates;
  }
}

/** Simulation state while the records are processed. */
class Timeline {
  private readonly amounts = new Float64Array(AMOUNT_SLOTS);
  private readonly scratch = new Float64Array(AMOUNT_SLOTS);
  private readonly running = new Set<RunningInfusion>();
  private readonly queue = new PendingQueue();
  private readonly out = new SegmentWriter();
  private now: Hours = -Infinity;
  private rd = 0;
  private rc = 0;
  private order = 0;

  constructor(private readonly sys: LinearPkSystem) {}

  /** Moves the state forward to `time` (no change of inputs). */
  private advance(time: Hours): void {
    if (time === this.now) return;
    if (this.now !== -Infinity)
      propagateAmounts(this.sys, this.amounts, this.rd, this.rc, time - this.now, this.amounts);
    this.now = time;
  }

  /** Records the current state as the start of a segment at `now`. */
  private commit(): void {
    // Sum the inputs afresh so that a stopped infusion leaves exactly 0, not rounding residue.
    let rd = 0;
    let rc = 0;
    for (const inf of this.running) {
      if (inf.slot === DEPOT) rd += inf.rate;
      else rc += inf.rate;
    }
    this.rd = rd;
    this.rc = rc;
    this.out.write(this.now, this.amounts, rd, rc);
  }

  private schedule(p: Omit<Pending, 'order'>): void {
    this.queue.push({ ...p, order: this.order++ });
  }

  /** Fires every pending event at or before `time`. */
  drain(time: Hours): void {
    for (let p = this.queue.peek(); p !== undefined && p.time <= time; p = this.queue.peek()) {
      this.queue.pop();
      this.advance(p.time);
      this.fire(p);
      this.commit();
    }
  }

  private fire(p: Pending): void {
    if (p.kind === 'end') {
      this.running.delete(p.infusion as RunningInfusion);
    } else if (p.kind === 'enter') {
      this.enter(p.dose, p.time);
    } else {
      this.give(p.dose, p.time);
      const remaining = p.remaining as number;
      const ii = p.ii as number;
      if (remaining > 0) this.schedule({ ...p, time: p.time + ii, remaining: remaining - 1 });
    }
  }

  /** A dose enters the system at `time` (= now): a bolus adds, an infusion starts. */
  private enter(dose: ResolvedDose, time: Hours): void {
    if (dose.amount === 0) return;
    if (!isInfusion(dose)) {
      this.amounts[dose.slot] += dose.amount;
      return;
    }
    this.startInfusion(dose, time + dose.duration);
  }

  private startInfusion(dose: ResolvedDose, end: Hours): void {
    const inf: RunningInfusion = { slot: dose.slot, rate: dose.rate };
    this.running.add(inf);
    this.schedule({ time: end, kind: 'end', dose, infusion: inf });
  }

  /** A dose record's dose at `time` (= now): enters now, or after its lag. */
  private give(dose: ResolvedDose, time: Hours): void {
    if (dose.lag > 0) this.schedule({ time: time + dose.lag, kind: 'enter', dose });
    else this.enter(dose, time);
  }

  private reset(): void {
    this.amounts.fill(0);
    this.running.clear();
    this.queue.clear();
  }

  /** Processes one record at its time (pending events up to that time already fired). */
  record(e: DoseEvent, pk: PkParameters): void {
    this.advance(e.time);
    if (e.evid === 3 || e.evid === 4) this.reset();
    if (e.evid !== 3) {
      const dose = resolveDose(pk, e);
      const ss = e.ss ?? 0;
      if (ss === 1) this.reset();
      if (ss !== 0) this.steadyState(e, dose);
      else this.give(dose, e.time);
      const addl = e.addl ?? 0;
      if (addl > 0)
        this.schedule({
          time: e.time + (e.ii as number),
          kind: 'record',
          dose,
          remaining: addl - 1,
          ii: e.ii,
        });
    }
    this.commit();
    // Anything the record scheduled for this very instant takes effect before the next record.
    this.drain(this.now);
  }

  /** Adds the steady state of the record's dose train to the state, and schedules its future. */
  private steadyState(e: DoseEvent, dose: ResolvedDose): void {
    const t = e.time;
    const ii = e.ii ?? 0;
    if (dose.duration === Infinity) {
      // Constant infusion (AMT 0, RATE > 0): the amounts are set to its equilibrium, but, as in
      // NONMEM, the infusion itself does not run on after the record (the golden scenario 29
      // decays from t on). No train, so no lag and no ADDL doses.
      const rd = dose.slot === DEPOT ? dose.rate : 0;
      equilibriumAmounts(this.sys, rd, dose.rate - rd, this.scratch);
      for (let i = 0; i < AMOUNT_SLOTS; i++) this.amounts[i] += this.scratch[i];
      return;
    }
    if (!(ii > 0)) throw new Error(`${describeDose(e)}: a steady-state dose needs ii > 0`);
    const { pending, phase } = steadyStateTrain(dose.lag, ii);
    steadyStateAmounts(this.sys, dose, ii, phase, this.scratch);
    for (let i = 0; i < AMOUNT_SLOTS; i++) this.amounts[i] += this.scratch[i];
    // Infusions of earlier train doses still running at t: started phase + j·ii ago.
    const runningCount = runningInfusionCount(dose, ii, phase);
    for (let j = 0; j < runningCount; j++)
      this.startInfusion(dose, t - phase - j * ii + dose.duration);
    // Train doses entering at or after t: t + lag − k·ii, k = pending − 1 … 0.
    for (let k = pending - 1; k >= 0; k--) {
      const enterAt = t + dose.lag - k * ii;
      if (enterAt === t) this.enter(dose, t);
      else this.schedule({ time: enterAt, kind: 'enter', dose });
    }
  }

  finish(): PkSegments {
    this.drain(Infinity);
    const w = this.out;
    return {
      system: this.sys,
      count: w.count,
      start: w.start.subarray(0, w.count),
      amounts: w.amounts.subarray(0, w.count * AMOUNT_SLOTS),
      rates: w.rates.subarray(0, w.count * 2),
    };
  }
}

/** Validates the parameters and records, and solves the subject's dosing history exactly. */
export function buildPkSegments(pk: PkParameters, events: readonly DoseEvent[]): PkSegments {
  validatePkParameters(pk);
  const sorted = sortDoseEvents(events);
  const timeline = new Timeline(linearPkSystem(pk));
  for (const e of sorted) {
    validateDoseEvent(e);
    timeline.drain(e.time);
    timeline.record(e, pk);
  }
  return timeline.finish();
}

/**
 * Index of the segment holding time t (the last start ≤ t), or −1 before the first segment.
 * `hint` is tried first, so monotone look-ups cost O(1); otherwise binary search.
 */
export function segmentIndex(segments: PkSegments, t: Hours, hint = 0): number {
  const { start, count } = segments;
  if (hint >= 0 && hint < count && start[hint] <= t && (hint + 1 === count || t < start[hint + 1]))
    return hint;
  if (count === 0 || t < start[0]) return -1;
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (start[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
