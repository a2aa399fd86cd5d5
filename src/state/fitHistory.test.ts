import { describe, expect, it } from 'vitest';
import type { FitProgress } from '../core/nlme/types';
import { appendHistory, MAX_FIT_HISTORY, type FitHistoryPoint } from './slices/fitSlice';

const line = (iteration: number, ofv: number, phase: FitProgress['phase'] = 'estimation') =>
  ({ iteration, ofv, phase, elapsedMs: iteration * 100 }) satisfies FitProgress;

/** Feeds progress lines through appendHistory as the slice does. */
function replay(lines: FitProgress[]): FitHistoryPoint[] {
  let history: FitHistoryPoint[] = [];
  let previous: FitProgress | null = null;
  for (const p of lines) {
    history = appendHistory(history, p, previous);
    previous = p;
  }
  return history;
}

describe('appendHistory', () => {
  it('keeps one point per iteration and skips non-finite values and other phases', () => {
    const h = replay([
      line(0, 10),
      line(1, 8),
      line(1, 7.5),
      line(2, NaN),
      line(2, 7, 'covariance'),
    ]);
    expect(h).toEqual([
      { iteration: 0, ofv: 10, stage: 1 },
      { iteration: 1, ofv: 7.5, stage: 1 },
    ]);
  });

  it('starts a new stage when estimation resumes after a finished stage', () => {
    // As the FOCE-I fitter runs a PK/PD model: PK alone, then PD given PK, then both.
    const h = replay([
      line(12, -2535),
      line(13, -2535.7),
      line(13, -2535.7, 'done'),
      line(13, 3556),
      line(14, 3143),
      line(14, 3143, 'done'),
      line(14, -2444),
    ]);
    expect(h.map((p) => [p.iteration, p.stage])).toEqual([
      [12, 1],
      [13, 1],
      [13, 2],
      [14, 2],
      [14, 3],
    ]);
  });

  it('stays bounded on a very long fit', () => {
    const h = replay(Array.from({ length: 5 * MAX_FIT_HISTORY }, (_, i) => line(i, -i)));
    expect(h.length).toBeLessThanOrEqual(MAX_FIT_HISTORY);
    expect(h[h.length - 1].iteration).toBe(5 * MAX_FIT_HISTORY - 1);
  });
});
