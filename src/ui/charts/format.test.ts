import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatNumber,
  formatObjective,
  logTicks,
  niceCeil,
  thinEvenly,
} from './format';

describe('chart number formats', () => {
  it('round axis ends up to 1, 2 or 5 × 10^k', () => {
    expect([16.2, 17.7, 2, 0.034, 501].map(niceCeil)).toEqual([20, 20, 2, 0.05, 1000]);
  });

  it('give round log ticks, powers of ten only over many decades', () => {
    expect(logTicks(0.6, 17.7)).toEqual([1, 2, 5, 10]);
    expect(logTicks(0.003, 12)).toEqual([0.01, 0.1, 1, 10]);
    expect(logTicks(2.2, 2.9)).toEqual([2.2, 2.9]);
  });

  it('never print NaN', () => {
    expect(formatNumber(NaN)).toBe('–');
    expect(formatObjective(Infinity)).toBe('–');
    expect(formatDuration(NaN)).toBe('–');
    expect(formatObjective(-2535.6863)).toBe('-2535.69');
    expect(formatDuration(360)).toBe('0.4 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
  });
});

describe('thinEvenly', () => {
  const series = (n: number) => Array.from({ length: n }, (_, i) => i);

  it('returns a series that is short enough whole, as a copy', () => {
    const short = series(5);
    const thinned = thinEvenly(short, 5);
    expect(thinned).toEqual(short);
    expect(thinned).not.toBe(short);
    expect(thinEvenly([], 3)).toEqual([]);
  });

  it('keeps at most max points, evenly spaced, from the first to the last', () => {
    const n = 1000;
    const max = 100;
    const thinned = thinEvenly(series(n), max);
    expect(thinned).toHaveLength(max);
    expect(thinned[0]).toBe(0);
    expect(thinned[max - 1]).toBe(n - 1);
    // Every gap is the stride n / (max − 1) rounded down or up.
    const step = n / (max - 1);
    for (let i = 1; i < max; i++) {
      const gap = thinned[i] - thinned[i - 1];
      expect(gap, `gap before point ${i}`).toBeGreaterThanOrEqual(Math.floor(step));
      expect(gap, `gap before point ${i}`).toBeLessThanOrEqual(Math.ceil(step));
    }
  });

  it('keeps only the last point when max is one, and nothing when max is zero', () => {
    expect(thinEvenly(series(10), 1)).toEqual([9]);
    expect(thinEvenly(series(10), 0)).toEqual([]);
  });
});
