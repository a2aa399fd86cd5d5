import { describe, expect, it } from 'vitest';
import { predictRegimen } from './regimenPrediction';
import type { PkPdPredictor } from './types';

/** A model whose level keeps rising with time (it never reaches steady state). */
function drifting(horizon?: number): PkPdPredictor {
  return {
    id: 'drift',
    label: 'drift',
    kind: 'neural',
    ...(horizon !== undefined ? { horizon } : {}),
    predict: (_cov, _events, times) => ({
      times: Float64Array.from(times),
      concentration: Float64Array.from(times, (t) => 1 + t / 100),
      biomarker: Float64Array.from(times, (t) => 10 - t / 1000),
    }),
  };
}

const threshold = { value: 3.3, direction: 'below' as const };
const regimen = { dose: 5, interval: 24, doses: 7, cmt: 1 };

describe('predictRegimen with a model horizon', () => {
  it('judges steady state within the horizon and says so', () => {
    const p = predictRegimen(drifting(240), regimen, { BW: 70 }, threshold);
    expect(p.steadyState.reached).toBe(false);
    expect(p.steadyState.horizonDoses).toBe(10);
    // The 10th dose's interval ends at 240 h: its concentration ends at 1 + 240/100.
    expect(p.steadyState.cmax).toBeCloseTo(3.4, 6);
    expect(p.warnings.join(' ')).toMatch(/not reached within the 240 h \(10 days\)/);
    expect(p.warnings.join(' ')).not.toMatch(/The regimen runs/);
  });

  it('warns when the regimen itself runs past the horizon', () => {
    const p = predictRegimen(drifting(100), regimen, { BW: 70 }, threshold);
    expect(p.warnings.join(' ')).toMatch(
      /The regimen runs 168 h \(7 days\); the model was trained on at most 100 h/,
    );
    expect(p.steadyState.horizonDoses).toBe(4);
  });

  it('without a horizon searches up to the dose limit', () => {
    const p = predictRegimen(drifting(), regimen, { BW: 70 }, threshold);
    expect(p.steadyState.horizonDoses).toBeUndefined();
    expect(p.warnings.join(' ')).toMatch(/not reached within 2000 doses/);
  });
});
