import { describe, expect, it } from 'vitest';
import { TRUE_MODEL } from '../trial/trueModel';
import { CHALLENGE_DEFAULTS, runChallenge } from './challenge';

describe('the challenge questions', () => {
  it('answers every scenario, interval and target consistently', () => {
    const r = runChallenge(
      TRUE_MODEL,
      { ...CHALLENGE_DEFAULTS, subjects: 1500 },
      { domain: { doseRange: [1, 10], intervals: [24], bwRange: [50, 100], comedValues: [0, 1] } },
    );
    expect(r.answers).toHaveLength(12);
    const dose = (scenario: string, interval: number, target: number) =>
      r.answers.find(
        (a) => a.scenario === scenario && a.interval === interval && a.target === target,
      )?.dose as number;
    for (const a of r.answers) {
      expect(a.dose).not.toBeNull();
      expect(Number.isInteger((a.dose as number) / a.step)).toBe(true);
      expect(a.attainment as number).toBeGreaterThanOrEqual(a.target);
    }
    for (const s of ['base', 'bw70-140', 'no-comed']) {
      for (const i of [24, 168]) expect(dose(s, i, 0.75)).toBeLessThanOrEqual(dose(s, i, 0.9));
      expect(dose(s, 168, 0.9)).toBeGreaterThan(dose(s, 24, 0.9));
    }
    // Heavier patients clear faster; without COMED the baseline is higher: both need more drug.
    expect(dose('bw70-140', 24, 0.9)).toBeGreaterThan(dose('base', 24, 0.9));
    expect(dose('no-comed', 24, 0.9)).toBeGreaterThan(dose('base', 24, 0.9));
    // Weekly dosing lies outside a daily-only trial: the warning says so.
    const weekly = r.answers.find((a) => a.interval === 168);
    expect(weekly?.warnings.join(' ')).toMatch(/Interval 168 h/);
    expect(r.answers.find((a) => a.scenario === 'bw70-140')?.warnings.join(' ')).toMatch(/140 kg/);
  });

  it('refuses a model whose covariates the scenarios do not draw', () => {
    const model = {
      ...TRUE_MODEL,
      covariateEffects: [
        ...TRUE_MODEL.covariateEffects,
        {
          kind: 'power',
          parameter: 'CL',
          covariate: 'AGE',
          reference: 40,
          exponent: -0.2,
        } as const,
      ],
    };
    expect(() => runChallenge(model, { ...CHALLENGE_DEFAULTS, subjects: 10 })).toThrow(/AGE/);
  });
});
