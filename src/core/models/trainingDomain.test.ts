import { describe, expect, it } from 'vitest';
import { importNonmem } from '../data/importNonmem';
import { DEMO_TRIAL_DESIGN, generateDemoTrial } from '../trial/demoTrial';
import { trainingDomainOf } from './trainingDomain';

function load(text: string) {
  const r = importNonmem(text, { name: 'test' });
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.dataset;
}

describe('trainingDomainOf', () => {
  it('reads the demo trial design back from its data', () => {
    const d = trainingDomainOf(load(generateDemoTrial(3).csv));
    expect(d.doseRange).toEqual([1, 10]);
    expect(d.intervals).toEqual([DEMO_TRIAL_DESIGN.interval]);
    expect(d.bwRange[0]).toBeGreaterThanOrEqual(DEMO_TRIAL_DESIGN.bwRange[0]);
    expect(d.bwRange[1]).toBeLessThanOrEqual(DEMO_TRIAL_DESIGN.bwRange[1]);
    expect(d.comedValues).toEqual([0, 1]);
  });

  it('expands II/ADDL and accepts any weight or COMED when the data have none', () => {
    const text = [
      'ID,TIME,DV,AMT,EVID,MDV,CMT,II,ADDL',
      '1,0,.,5,1,1,1,12,3',
      '1,2,1.0,0,0,0,2,0,0',
      '2,0,.,20,1,1,1,12,1',
      '2,3,2.0,0,0,0,2,0,0',
    ].join('\n');
    const d = trainingDomainOf(load(text));
    expect(d.doseRange).toEqual([5, 20]);
    expect(d.intervals).toEqual([12]);
    expect(d.bwRange[0]).toBe(0);
    expect(d.bwRange[1]).toBeGreaterThan(1e300);
    expect(d.comedValues).toEqual([0, 1]);
  });
});
