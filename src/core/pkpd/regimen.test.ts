import { describe, expect, it } from 'vitest';
import { lastDoseTime, regimenToEvents } from './regimen';

describe('regimenToEvents', () => {
  it('writes one record with ADDL for a plain regimen', () => {
    expect(regimenToEvents({ dose: 10, interval: 24, doses: 21 })).toEqual([
      { time: 0, amt: 10, cmt: 1, evid: 1, ii: 24, addl: 20 },
    ]);
  });
  it('puts a loading dose first and the maintenance doses after it', () => {
    expect(regimenToEvents({ dose: 5, interval: 12, doses: 3, loadingDose: 20, cmt: 2 })).toEqual([
      { time: 0, amt: 20, cmt: 2, evid: 1 },
      { time: 12, amt: 5, cmt: 2, evid: 1, ii: 12, addl: 1 },
    ]);
  });
  it('handles a single loading dose and no doses', () => {
    expect(regimenToEvents({ dose: 5, interval: 12, doses: 1, loadingDose: 20 })).toHaveLength(1);
    expect(regimenToEvents({ dose: 5, interval: 12, doses: 0 })).toEqual([]);
  });
  it('places the last dose at (n - 1) intervals', () => {
    expect(lastDoseTime({ dose: 1, interval: 168, doses: 4 })).toBe(504);
    expect(lastDoseTime({ dose: 1, interval: 24, doses: 1 })).toBe(0);
  });
});
