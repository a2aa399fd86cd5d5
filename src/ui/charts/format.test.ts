import { describe, expect, it } from 'vitest';
import { formatDuration, formatNumber, formatObjective, logTicks, niceCeil } from './format';

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
