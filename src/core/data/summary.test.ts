import { describe, expect, it } from 'vitest';
import { importNonmem } from './importNonmem';
import { summarizeDataset } from './summary';
import { csv } from './testFixtures';

describe('summarizeDataset', () => {
  const result = importNonmem(
    csv(
      'ID,TIME,AMT,DV,DVID,ADDL,II,WT,SEX,DOSE',
      '1,0,5,.,0,6,24,60,0,5',
      '1,1,.,2,1,0,0,60,0,5',
      '1,2,.,30,2,0,0,60,0,5',
      '2,0,10,.,0,0,0,70,1,10',
      '2,1,.,3,1,0,0,72,1,10',
      '3,0,.,28,2,0,0,90,1,0',
      '4,0,5,.,0,0,0,100,0,5',
    ),
    { name: 'small.csv' },
  );
  if (!result.ok) throw new Error(result.problems[0].message);
  const s = summarizeDataset(result.dataset);

  it('counts subjects, dose records, doses given and observations per DVID', () => {
    expect(s).toMatchObject({
      name: 'small.csv',
      subjects: 4,
      records: 7,
      doseRecords: 3,
      dosesGiven: 9,
      observations: { '1': 2, '2': 2 },
      covariates: ['BW', 'SEX', 'DOSE'],
      timeVaryingCovariates: ['BW'],
      timeRange: { min: 0, max: 2 },
    });
  });

  it('counts subjects per dose group, ascending', () => {
    expect(s.doseGroups).toEqual([
      { dose: 0, subjects: 1 },
      { dose: 5, subjects: 2 },
      { dose: 10, subjects: 1 },
    ]);
  });

  it('describes each covariate over subjects (baseline for time-varying ones)', () => {
    // BW baselines 60, 70, 90, 100.
    expect(s.covariateStats.BW).toEqual({
      min: 60,
      max: 100,
      mean: 80,
      median: 80,
      distinct: 4,
      subjects: 4,
      timeVarying: true,
    });
    expect(s.covariateStats.SEX).toMatchObject({
      min: 0,
      max: 1,
      mean: 0.5,
      median: 0.5,
      distinct: 2,
    });
    expect(s.covariateStats.DOSE).toMatchObject({ median: 5, distinct: 3 });
  });
});
