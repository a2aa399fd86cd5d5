import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { attainsThreshold, intervalMetrics, timeGrid } from './metrics';

describe('intervalMetrics', () => {
  it('integrates a straight line exactly and finds its extremes', () => {
    const times = timeGrid(0, 10, 0.5);
    const concentration = times.map((t) => 2 + t);
    const biomarker = times.map((t) => 10 - t);
    const m = intervalMetrics({ times, concentration, biomarker }, 2, 6);
    expectClose(m.auc, ((4 + 8) / 2) * 4, { context: 'AUC of 2 + t over [2, 6]' });
    expect(m.cmax).toBe(8);
    expect(m.cmin).toBe(4);
    expect(m.biomarkerMax).toBe(8);
    expect(m.biomarkerMin).toBe(4);
  });
  it('converges to the exact AUC of an exponential as the grid refines', () => {
    const times = timeGrid(0, 24, 0.05);
    const concentration = times.map((t) => Math.exp(-0.1 * t));
    const m = intervalMetrics({ times, concentration }, 0, 24);
    expectClose(m.auc, (1 - Math.exp(-2.4)) / 0.1, { rel: 1e-4, context: 'AUC of exp(-0.1 t)' });
  });
  it('refuses an interval without samples', () => {
    expect(() =>
      intervalMetrics(
        { times: new Float64Array([0, 1]), concentration: new Float64Array(2) },
        5,
        6,
      ),
    ).toThrow(/No samples/);
  });
});

describe('attainsThreshold', () => {
  const m = { start: 0, end: 1, cmax: 1, cmin: 0, auc: 0, biomarkerMax: 3, biomarkerMin: 2 };
  it('needs the maximum strictly below for "below"', () => {
    expect(attainsThreshold(m, { value: 3.3, direction: 'below' })).toBe(true);
    expect(attainsThreshold(m, { value: 3, direction: 'below' })).toBe(false);
  });
  it('mirrors for "above" with the minimum', () => {
    expect(attainsThreshold(m, { value: 1.9, direction: 'above' })).toBe(true);
    expect(attainsThreshold(m, { value: 2, direction: 'above' })).toBe(false);
  });
  it('is false without a biomarker', () => {
    expect(
      attainsThreshold(
        { start: 0, end: 1, cmax: 1, cmin: 0, auc: 0 },
        { value: 1, direction: 'below' },
      ),
    ).toBe(false);
  });
});

describe('timeGrid', () => {
  it('includes both ends and respects the step', () => {
    const g = timeGrid(480, 504, 0.25);
    expect(g[0]).toBe(480);
    expect(g[g.length - 1]).toBe(504);
    expect(g.length).toBe(97);
  });
});
