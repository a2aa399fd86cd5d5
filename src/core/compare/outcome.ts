import { expandDoses } from '../pkpd/doseEvents';
import type { DoseEvent } from '../pkpd/types';
import type { Hours } from '../units';
import type { ComparePlan } from './types';

/**
 * The threshold outcome of the comparison: does a model classify a held-out subject the way
 * the data do — biomarker on the right side of the threshold (below 3.3 ng/mL, say) over the
 * whole last dosing interval, or not?
 *
 * The rule, for one subject:
 * - the last dosing interval is (t_last, t_last + τ]: t_last the subject's last dose (amount > 0,
 *   II/ADDL written out), τ its II when the record gives one, else the gap to the dose before
 *   it, else 24 h. A sample at t_last itself is that dose's trough, taken before the dose, so it
 *   belongs to the interval before;
 * - a subject counts when it has biomarker observations in that interval (placebo subjects and
 *   subjects not sampled after their last dose do not);
 * - observed outcome: every observation in the interval is on the right side of the threshold
 *   (strictly below it, or strictly above it for direction 'above');
 * - predicted outcome: every prediction at those same times is on the right side;
 * - the model is right about the subject when the two agree.
 *
 * It asks of each held-out subject what the dose search asks of a population ("throughout the
 * interval", DOMAIN.md), on the times the data have.
 */

/** Default dosing interval when a single dose gives no other clue, h. */
export const DEFAULT_OUTCOME_INTERVAL: Hours = 24;

/** The last dosing interval (from, to], h; null for a subject without doses. */
export function lastDosingInterval(
  doses: readonly DoseEvent[],
): { readonly from: Hours; readonly to: Hours } | null {
  const given = expandDoses(doses).filter((d) => d.evid !== 3 && d.amt > 0);
  if (given.length === 0) return null;
  const last = given[given.length - 1];
  let tau: Hours = DEFAULT_OUTCOME_INTERVAL;
  if (last.ii !== undefined && last.ii > 0) {
    tau = last.ii;
  } else {
    const before = given.filter((d) => d.time < last.time);
    if (before.length > 0) tau = last.time - before[before.length - 1].time;
  }
  return { from: last.time, to: last.time + tau };
}

/** Whether a biomarker value is on the side of the threshold the plan asks for. */
export function isOnTargetSide(value: number, threshold: ComparePlan['threshold']): boolean {
  return threshold.direction === 'below' ? value < threshold.value : value > threshold.value;
}

/** Biomarker rows of held-out subjects, original scale (ng/mL), aligned. */
export interface OutcomeRows {
  /** The row's subject (index into `subjectDoses`' subjects). */
  readonly subject: ArrayLike<number>;
  readonly time: ArrayLike<number>;
  readonly observed: ArrayLike<number>;
  readonly predicted: ArrayLike<number>;
}

/**
 * Counts the subjects of `subjects` whose threshold outcome the predictions get right, of those
 * that qualify (see the rule above). `dosesOf(i)` gives subject i's dose records.
 */
export function thresholdOutcomes(
  subjects: readonly number[],
  dosesOf: (subject: number) => readonly DoseEvent[],
  rows: OutcomeRows,
  threshold: ComparePlan['threshold'],
): { readonly correct: number; readonly subjects: number } {
  const n = rows.subject.length;
  if (rows.time.length !== n || rows.observed.length !== n || rows.predicted.length !== n) {
    throw new Error(
      `outcome rows disagree: ${n} subjects, ${rows.time.length} times, ${rows.observed.length} observations, ${rows.predicted.length} predictions`,
    );
  }
  let correct = 0;
  let counted = 0;
  for (const s of subjects) {
    const interval = lastDosingInterval(dosesOf(s));
    if (!interval) continue;
    let any = false;
    let observedAll = true;
    let predictedAll = true;
    for (let i = 0; i < n; i++) {
      if (rows.subject[i] !== s) continue;
      const t = rows.time[i];
      if (!(t > interval.from && t <= interval.to)) continue;
      any = true;
      if (!isOnTargetSide(rows.observed[i], threshold)) observedAll = false;
      if (!isOnTargetSide(rows.predicted[i], threshold)) predictedAll = false;
    }
    if (!any) continue;
    counted++;
    if (observedAll === predictedAll) correct++;
  }
  return { correct, subjects: counted };
}
