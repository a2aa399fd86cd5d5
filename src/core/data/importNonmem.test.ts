import { describe, expect, it } from 'vitest';
import { importNonmem } from './importNonmem';
import { summarizeDataset } from './summary';
import { EST_DATA_COUNTS, csv, joinCsv, readEstData, splitCsv } from './testFixtures';
import type { Dataset, ImportResult } from './types';

function loaded(result: ImportResult): Dataset {
  if (!result.ok) {
    const first = result.problems
      .slice(0, 5)
      .map((p) => `line ${p.line} ${p.column ?? ''} "${p.value ?? ''}": ${p.message}`);
    expect.fail(
      `expected the file to load, got ${result.problems.length} problems:\n${first.join('\n')}`,
    );
  }
  return result.dataset;
}

const estText = readEstData();
const est = loaded(importNonmem(estText, { name: 'EstData.csv' }));

describe('EstData.csv', () => {
  it('has the documented subjects, doses and observations', () => {
    const s = summarizeDataset(est);
    expect(s.subjects).toBe(EST_DATA_COUNTS.subjects);
    expect(s.doseRecords).toBe(EST_DATA_COUNTS.doseRecords);
    expect(s.observations).toEqual(EST_DATA_COUNTS.observations);
    expect(s.records).toBe(EST_DATA_COUNTS.records);
    expect(s.covariates).toEqual(['BW', 'COMED', 'DOSE']);
    expect(s.timeVaryingCovariates).toEqual([]);
    expect(s.doseGroups).toEqual([
      { dose: 0, subjects: 12 },
      { dose: 1, subjects: 12 },
      { dose: 3, subjects: 12 },
      { dose: 10, subjects: 12 },
    ]);
  });

  it('reads records with their lines and the NONMEM meaning of each row', () => {
    expect(est.name).toBe('EstData.csv');
    expect(est.columns).toEqual([
      'ID',
      'BW',
      'COMED',
      'DOSE',
      'TIME',
      'DV',
      'EVID',
      'MDV',
      'AMT',
      'CMT',
      'DVID',
    ]);
    expect(est.records[0]).toMatchObject({
      line: 2,
      id: '1',
      time: 0,
      evid: 0,
      mdv: 0,
      dv: 18.6174,
      dvid: 2,
      cmt: 3,
    });
    expect(est.records[est.records.length - 1].line).toBe(2821);
    const dosed = est.subjects.find((s) => s.doseGroup === 10);
    expect(dosed).toBeDefined();
    expect(dosed?.doses).toHaveLength(21);
    // 21 daily oral doses of 10 mg into the depot, 0 to 480 h.
    expect(dosed?.doses[0]).toEqual({ time: 0, amt: 10, cmt: 1, evid: 1 });
    expect(dosed?.doses[20].time).toBe(480);
    expect(dosed?.observations.every((o, i, a) => i === 0 || a[i - 1].time <= o.time)).toBe(true);
  });

  it('keeps body weight and COMED as subject-constant covariates', () => {
    for (const s of est.subjects) {
      expect(s.covariates.BW).toBeGreaterThanOrEqual(51);
      expect(s.covariates.BW).toBeLessThanOrEqual(100);
      expect([0, 1]).toContain(s.covariates.COMED);
      expect(s.doseGroup).toBe(s.covariates.DOSE);
      expect(s.timeVaryingCovariates).toEqual({});
    }
  });
});

describe('spellings of the same file', () => {
  const { header, rows } = splitCsv(estText);
  const col = (name: string) => header.indexOf(name);
  const variants: Record<string, string> = {
    tab: joinCsv(header, rows, '\t'),
    semicolon: joinCsv(header, rows, ';'),
    // A European export: semicolons between values, commas for decimals.
    'semicolon with decimal commas': joinCsv(
      header,
      rows.map((r) => r.map((v) => v.replace('.', ','))),
      ';',
    ),
    'lower-case names': joinCsv(
      header.map((h) => h.toLowerCase()),
      rows,
    ),
    'CRLF and a byte-order mark': '\uFEFF' + joinCsv(header, rows).replace(/\n/g, '\r\n'),
    'aligned with spaces': joinCsv(
      header.map((h) => h.padStart(8)),
      rows.map((r) => r.map((v) => v.padStart(8))),
      ' ',
    ),
    '"." for missing': joinCsv(
      header,
      rows.map((r) => {
        const out = [...r];
        // DV is missing on dose records, AMT on observations, DVID on doses.
        if (r[col('EVID')] === '1') {
          out[col('DV')] = '.';
          out[col('DVID')] = '.';
        } else out[col('AMT')] = '.';
        return out;
      }),
    ),
    'quoted values and blank lines': joinCsv(
      header.map((h) => `"${h}"`),
      rows.flatMap((r, i) => (i % 100 === 0 ? [r.map((v) => `"${v}"`), ['']] : [r])),
    ),
  };

  for (const [name, text] of Object.entries(variants)) {
    it(`reads the ${name} version as the same data`, () => {
      const ds = loaded(importNonmem(text));
      const s = summarizeDataset(ds);
      expect(s.subjects).toBe(EST_DATA_COUNTS.subjects);
      expect(s.doseRecords).toBe(EST_DATA_COUNTS.doseRecords);
      expect(s.observations).toEqual(EST_DATA_COUNTS.observations);
      expect(ds.covariateNames).toEqual(['BW', 'COMED', 'DOSE']);
      expect(ds.subjects).toEqual(est.subjects);
    });
  }

  it('keeps line numbers right across blank lines', () => {
    const ds = loaded(importNonmem(variants['quoted values and blank lines']));
    // Row 1 (line 2) is followed by a blank line 3, so the second record is on line 4.
    expect(ds.records.slice(0, 2).map((r) => r.line)).toEqual([2, 4]);
  });
});

describe('NONMEM dose items', () => {
  it('turns II, ADDL, SS and RATE into dose event fields', () => {
    const ds = loaded(
      importNonmem(
        csv(
          'ID,TIME,AMT,II,ADDL,SS,RATE,CMT,EVID,MDV,DV',
          '1,0,100,24,6,0,0,1,1,1,.',
          '1,0,0,0,0,1,5,2,1,1,.',
          '1,1,.,.,.,.,.,2,0,0,3.2',
          '2,0,50,12,0,1,0,1,1,1,.',
          '2,0,200,0,0,0,50,2,1,1,.',
          '2,0,100,12,0,2,-2,2,1,1,.',
          '2,1,.,.,.,.,.,2,0,0,4',
          '2,100,0,0,0,0,0,1,3,1,.',
          '2,0,30,0,0,0,0,1,4,1,.',
        ),
      ),
    );
    const [s1, s2] = ds.subjects;
    expect(s1.doses).toEqual([
      { time: 0, amt: 100, cmt: 1, evid: 1, ii: 24, addl: 6 },
      // A steady-state constant infusion: AMT 0, RATE 5 mg/h, SS 1.
      { time: 0, amt: 0, cmt: 2, evid: 1, rate: 5, ss: 1 },
    ]);
    expect(s2.doses).toEqual([
      { time: 0, amt: 50, cmt: 1, evid: 1, ii: 12, ss: 1 },
      { time: 0, amt: 200, cmt: 2, evid: 1, rate: 50 },
      { time: 0, amt: 100, cmt: 2, evid: 1, rate: -2, ii: 12, ss: 2 },
      // EVID 3 resets (and lets time start again); EVID 4 resets and doses.
      { time: 100, amt: 0, cmt: 1, evid: 3 },
      { time: 0, amt: 30, cmt: 1, evid: 4 },
    ]);
    expect(s1.observations).toEqual([{ time: 1, dvid: 2, dv: 3.2, cmt: 2 }]);
    expect(summarizeDataset(ds).dosesGiven).toBe(1 + 7 + 1 + 1 + 1 + 1);
    expect(summarizeDataset(ds).doseRecords).toBe(6);
  });

  it('derives EVID from AMT and MDV when the file has no EVID, and says so', () => {
    const r = importNonmem(
      csv('ID,TIME,AMT,MDV,DV', '1,0,5,1,.', '1,1,0,0,2.5', '1,2,0,1,.', '1,3,.,.,1.5'),
    );
    const ds = loaded(r);
    expect(ds.records.map((x) => x.evid)).toEqual([1, 0, 2, 0]);
    expect(ds.subjects[0].doses).toHaveLength(1);
    expect(ds.subjects[0].observations.map((o) => o.dv)).toEqual([2.5, 1.5]);
    expect(r.ok && r.warnings.some((w) => w.message.startsWith('No EVID column'))).toBe(true);
  });

  it('derives EVID without MDV: an amount is a dose, a DV an observation', () => {
    const ds = loaded(importNonmem(csv('ID,TIME,AMT,DV', '1,0,5,.', '1,1,.,2.5', '1,2,.,.')));
    expect(ds.records.map((x) => [x.evid, x.mdv])).toEqual([
      [1, 1],
      [0, 0],
      [2, 1],
    ]);
  });

  it('numbers endpoints by CMT when there is no DVID, and warns', () => {
    const r = importNonmem(csv('ID,TIME,AMT,DV,CMT', '1,0,5,.,1', '1,1,.,2.5,2', '1,1,.,12,3'));
    const ds = loaded(r);
    expect(ds.subjects[0].observations.map((o) => o.dvid)).toEqual([2, 3]);
    expect(r.ok && r.warnings.some((w) => w.message.includes('No DVID column'))).toBe(true);
    const plain = loaded(importNonmem(csv('ID,TIME,AMT,DV', '1,0,5,.', '1,1,.,2.5')));
    expect(plain.subjects[0].observations[0].dvid).toBe(1);
  });

  it('takes the largest AMT as the dose group without a DOSE column', () => {
    const ds = loaded(
      importNonmem(csv('ID,TIME,AMT,DV', '1,0,5,.', '1,24,10,.', '1,25,.,1', '2,0,.,3')),
    );
    expect(ds.subjects.map((s) => s.doseGroup)).toEqual([10, 0]);
  });
});

describe('subjects and covariates', () => {
  it('accepts text IDs and treats numeric IDs as numbers', () => {
    const ds = loaded(
      importNonmem(
        csv('USUBJID,TIME,DV', 'STUDY-001,0,1', 'STUDY-001,1,2', '01,0,3', '1.0,1,4', '2,0,5'),
      ),
    );
    expect(ds.mapping.ID).toBe('USUBJID');
    expect(ds.subjects.map((s) => s.id)).toEqual(['STUDY-001', '1', '2']);
    expect(ds.subjects[1].observations).toHaveLength(2);
  });

  it('detects extra covariates and which of them change over time', () => {
    const r = importNonmem(
      csv(
        'ID,TIME,AMT,DV,WT,AGE,SEX,SITE',
        '1,0,5,.,70,34,0,North',
        '1,1,.,2,70,34,0,North',
        '2,0,5,.,80,51,1,South',
        '2,24,.,3,82,51,1,South',
        '2,48,.,3,82,51,1,South',
        '2,72,.,3,81,.,1,South',
      ),
    );
    const ds = loaded(r);
    expect(ds.covariateNames).toEqual(['BW', 'AGE', 'SEX']);
    expect(ds.timeVaryingCovariateNames).toEqual(['BW']);
    expect(ds.mapping.BW).toBe('WT');
    const [s1, s2] = ds.subjects;
    expect(s1.covariates).toEqual({ BW: 70, AGE: 34, SEX: 0 });
    // The baseline stands in where one value per subject is needed; the series has change points.
    expect(s2.covariates).toEqual({ BW: 80, AGE: 51, SEX: 1 });
    expect(s2.timeVaryingCovariates).toEqual({
      BW: [
        { time: 0, value: 80 },
        { time: 24, value: 82 },
        { time: 72, value: 81 },
      ],
    });
    expect(s1.timeVaryingCovariates).toEqual({ BW: [{ time: 0, value: 70 }] });
    if (!r.ok) return;
    const varying = r.warnings.find((w) => w.column === 'WT');
    expect(varying).toMatchObject({ line: 5, value: '82' });
    expect(varying?.message).toContain('time-varying');
    const text = r.warnings.find((w) => w.column === 'SITE');
    expect(text).toMatchObject({ line: 2, value: 'North' });
    expect(text?.message).toContain('text');
  });

  it('uses a DOSE column as the dose group and a covariate, never as an amount', () => {
    const ds = loaded(
      importNonmem(csv('ID,TIME,AMT,DV,DOSE', '1,0,3,.,3', '1,1,.,2,3', '2,0,.,1,0')),
    );
    expect(ds.subjects.map((s) => s.doseGroup)).toEqual([3, 0]);
    expect(ds.subjects[1].doses).toEqual([]);
    expect(ds.covariateNames).toEqual(['DOSE']);
  });

  it('joins records of an ID that reappears later, with a warning', () => {
    const r = importNonmem(csv('ID,TIME,DV', '1,0,1', '2,0,1', '1,2,1'));
    const ds = loaded(r);
    expect(ds.subjects.map((s) => [s.id, s.observations.length])).toEqual([
      ['1', 2],
      ['2', 1],
    ]);
    expect(r.ok && r.warnings.find((w) => w.line === 4)?.message).toContain('resume');
  });

  it('ignores an unused alias column rather than calling it a covariate', () => {
    const r = importNonmem(csv('ID,TIME,DV,BW,WT', '1,0,1,70,71', '1,1,2,70,72'));
    const ds = loaded(r);
    expect(ds.covariateNames).toEqual(['BW']);
    expect(
      r.ok && r.warnings.some((w) => w.column === 'WT' && w.message.includes('not used')),
    ).toBe(true);
  });
});

describe('column mapping', () => {
  const { header, rows } = splitCsv(estText);
  const renamed = joinCsv(
    header.map((h) => (h === 'DV' ? 'Y' : h === 'BW' ? 'WT0' : h)),
    rows,
  );

  it('refuses the renamed file without a mapping, pointing at the mapping option', () => {
    const r = importNonmem(renamed);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0].message).toContain('--columns DV=');
  });

  it('reads it with DV=Y, BW=WT0', () => {
    const ds = loaded(importNonmem(renamed, { mapping: { DV: 'Y', BW: 'WT0' } }));
    expect(ds.mapping).toMatchObject({ DV: 'Y', BW: 'WT0' });
    expect(ds.covariateNames).toEqual(['BW', 'COMED', 'DOSE']);
    expect(ds.subjects).toEqual(est.subjects);
  });

  it('matches mapped names regardless of case', () => {
    const ds = loaded(importNonmem(renamed, { mapping: { DV: 'y', BW: 'wt0' } }));
    expect(ds.mapping).toMatchObject({ DV: 'Y', BW: 'WT0' });
  });

  it('lets a mapping take a column another role would have inferred', () => {
    const ds = loaded(
      importNonmem(csv('ID,TIME,DV,CONC', '1,0,5,1.5', '1,1,6,2.5'), { mapping: { DV: 'CONC' } }),
    );
    expect(ds.subjects[0].observations.map((o) => o.dv)).toEqual([1.5, 2.5]);
    expect(ds.covariateNames).toEqual([]);
  });
});
