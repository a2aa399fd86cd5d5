import { describe, expect, it } from 'vitest';
import type { DoseEvent } from '../pkpd/types';
import { lastDosingInterval, thresholdOutcomes } from './outcome';

const dose = (time: number, amt = 1, extra: Partial<DoseEvent> = {}): DoseEvent => ({
  time,
  amt,
  cmt: 1,
  evid: 1,
  ...extra,
});

/** Three once-daily doses at 0, 24 and 48 h: the last interval is (48, 72]. */
const daily = [dose(0), dose(24), dose(48)];

describe('lastDosingInterval', () => {
  it('takes II when given, else the gap to the dose before, else 24 h', () => {
    expect(lastDosingInterval(daily)).toEqual({ from: 48, to: 72 });
    // ADDL written out: 0, 168, 336 with II 168.
    expect(lastDosingInterval([dose(0, 5, { ii: 168, addl: 2 })])).toEqual({ from: 336, to: 504 });
    expect(lastDosingInterval([dose(0), dose(12)])).toEqual({ from: 12, to: 24 });
    expect(lastDosingInterval([dose(10)])).toEqual({ from: 10, to: 34 });
  });

  it('is null without a dose; resets and zero amounts are not doses', () => {
    expect(lastDosingInterval([])).toBeNull();
    expect(lastDosingInterval([dose(0, 0)])).toBeNull();
    expect(lastDosingInterval([dose(0), dose(24), { time: 30, amt: 0, cmt: 1, evid: 3 }])).toEqual({
      from: 24,
      to: 48,
    });
  });
});

describe('thresholdOutcomes', () => {
  const below = { value: 3.3, direction: 'below' as const };
  /** Rows of (subject, time, observed, predicted). */
  const rows = (r: [number, number, number, number][]) => ({
    subject: r.map((x) => x[0]),
    time: r.map((x) => x[1]),
    observed: r.map((x) => x[2]),
    predicted: r.map((x) => x[3]),
  });
  const doses = (s: number) => (s === 3 ? [] : daily);

  it('counts a subject right when observed and predicted agree over the whole last interval', () => {
    const r = rows([
      // Subject 0: suppressed throughout, predicted so: right.
      [0, 49, 2, 3],
      [0, 72, 3, 3.2],
      // Subject 1: one observation above the threshold (not suppressed), predicted suppressed:
      // wrong.
      [1, 50, 2, 2],
      [1, 70, 4, 3],
      // Subject 2: not suppressed, and one prediction above too: right (both say "not").
      [2, 60, 5, 3.4],
      // The trough at the last dose's own time belongs to the interval before; so does 47 h;
      // 73 h is after the interval. None of them decides subject 2.
      [2, 48, 1, 1],
      [2, 73, 1, 9],
      // Subject 3: placebo, no interval: not counted.
      [3, 60, 10, 1],
      // Subject 4: no observation in the interval: not counted.
      [4, 30, 1, 1],
    ]);
    expect(thresholdOutcomes([0, 1, 2, 3, 4], doses, r, below)).toEqual({
      correct: 2,
      subjects: 3,
    });
    // Only the subjects asked about count.
    expect(thresholdOutcomes([1], doses, r, below)).toEqual({ correct: 0, subjects: 1 });
  });

  it('is strict at the threshold and follows the direction', () => {
    const r = rows([
      [0, 60, 3.3, 3.29],
      [1, 60, 3.31, 3.31],
    ]);
    // Below: 3.3 is not below 3.3 (subject 0 wrong); 3.31 neither, predicted neither (right).
    expect(thresholdOutcomes([0, 1], doses, r, below)).toEqual({ correct: 1, subjects: 2 });
    // Above: subject 0 observed not above, predicted not above (right); subject 1 both above.
    expect(thresholdOutcomes([0, 1], doses, r, { value: 3.3, direction: 'above' })).toEqual({
      correct: 2,
      subjects: 2,
    });
  });

  it('refuses rows of different lengths', () => {
    expect(() =>
      thresholdOutcomes(
        [0],
        doses,
        { subject: [0], time: [1], observed: [1], predicted: [] },
        below,
      ),
    ).toThrow(/0 predictions/);
  });
});
