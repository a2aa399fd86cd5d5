import type { CompareCell, CompareTask } from './types';

/**
 * Tasks and cells as plain values: their identity within a plan, a check of a value read back
 * from storage or a file, and the time a sweep has left. Shared by the app's saved sweep
 * (state/compareStorage, the Compare slice) and the command line's cells file (cli/compare).
 */

/** The identity of a task within a plan: its candidate, seed and fold. */
export function taskKey(t: CompareTask): string {
  return `${t.candidateKey}|${t.seed}|${t.fold}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNumberOrNull = (v: unknown): boolean => v === null || typeof v === 'number';

/** True for a value shaped as a task (a candidate key, a seed, a fold ≥ 0). */
export function isCompareTask(v: unknown): v is CompareTask {
  return (
    isObject(v) &&
    typeof v.candidateKey === 'string' &&
    typeof v.seed === 'number' &&
    isCount(v.fold)
  );
}

/** True for a value shaped as a cell (a task with its scores, counts and timings). */
export function isCompareCell(v: unknown): v is CompareCell {
  if (!isCompareTask(v)) return false;
  const c = v as unknown as Record<string, unknown>;
  return (
    isNumberOrNull(c.pkRmse) &&
    isNumberOrNull(c.pdRmse) &&
    ['pkRows', 'pdRows', 'parameters', 'quantumParameters', 'outcomeCorrect', 'outcomeSubjects']
      .map((k) => c[k])
      .every(isCount) &&
    typeof c.trainSeconds === 'number' &&
    typeof c.predictMsPer1000 === 'number'
  );
}

/**
 * Seconds left: each remaining task costs its candidate's mean time so far, or, for a candidate
 * not yet run, the mean over all tasks done (candidates differ a hundredfold: a 12-qubit network
 * against a small MLP; the NLME fit against either). Null before the first task is done.
 */
export function secondsLeft(
  remaining: readonly CompareTask[],
  done: readonly { readonly candidateKey: string; readonly seconds: number }[],
): number | null {
  if (done.length === 0) return null;
  const byKey = new Map<string, { sum: number; n: number }>();
  let total = 0;
  for (const d of done) {
    const e = byKey.get(d.candidateKey) ?? { sum: 0, n: 0 };
    byKey.set(d.candidateKey, { sum: e.sum + d.seconds, n: e.n + 1 });
    total += d.seconds;
  }
  const overall = total / done.length;
  return remaining.reduce((a, t) => {
    const e = byKey.get(t.candidateKey);
    return a + (e ? e.sum / e.n : overall);
  }, 0);
}
