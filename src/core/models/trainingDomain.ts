import type { Dataset } from '../data/types';
import type { TrainingDomain } from './types';
import { expandDoses } from '../pkpd/doseEvents';

/** Intervals are compared at this resolution, h (a dose written at 24.0004 h is daily). */
const INTERVAL_RESOLUTION = 0.01;
/** Intervals given to fewer than this share of the repeated doses are left out (stray gaps). */
const MIN_INTERVAL_SHARE = 0.05;
/**
 * Body weight bounds when the data have no BW: the model cannot depend on it, so no weight is
 * an extrapolation (finite, so the domain survives JSON).
 */
const ANY_BW: readonly [number, number] = [0, Number.MAX_VALUE];

/**
 * What a model fitted on `ds` has seen: the range of non-zero dose amounts, the dosing
 * intervals (gaps between successive doses of a subject, II/ADDL expanded), the range of body
 * weight and the COMED values. The Regimen explorer warns outside it.
 */
export function trainingDomainOf(ds: Dataset): TrainingDomain {
  const amounts: number[] = [];
  let followUp = 0;
  const gaps = new Map<number, number>();
  let nGaps = 0;
  for (const s of ds.subjects) {
    const doses = expandDoses(s.doses).filter((d) => d.evid !== 3 && d.amt > 0);
    for (const d of doses) amounts.push(d.amt);
    if (doses.length > 0 && s.observations.length > 0) {
      const last = Math.max(...s.observations.map((o) => o.time));
      followUp = Math.max(followUp, last - doses[0].time);
    }
    for (let i = 1; i < doses.length; i++) {
      const gap = Math.round((doses[i].time - doses[i - 1].time) / INTERVAL_RESOLUTION);
      if (gap <= 0) continue;
      gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
      nGaps++;
    }
  }
  const intervals = [...gaps]
    .filter(([, n]) => n >= MIN_INTERVAL_SHARE * nGaps)
    .map(([g]) => Number((g * INTERVAL_RESOLUTION).toFixed(2)))
    .sort((a, b) => a - b);
  const bw = ds.subjects.map((s) => s.covariates.BW).filter((x) => Number.isFinite(x));
  const comed = [
    ...new Set(ds.subjects.map((s) => s.covariates.COMED).filter((x) => Number.isFinite(x))),
  ].sort((a, b) => a - b);
  return {
    doseRange: amounts.length ? range(amounts) : [0, 0],
    intervals,
    bwRange: bw.length ? range(bw) : ANY_BW,
    // Without COMED in the data the model cannot depend on it: both values are in its domain.
    comedValues: comed.length ? comed : [0, 1],
    ...(followUp > 0 ? { maxFollowUp: followUp } : {}),
  };
}

/** [min, max] without spreading (a long record would overflow the argument list). */
function range(values: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return [lo, hi];
}
