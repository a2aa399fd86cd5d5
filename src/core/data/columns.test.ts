import { describe, expect, it } from 'vitest';
import { COLUMN_ALIASES, formatColumnsOption, inferMapping, parseColumnsOption } from './columns';
import { COLUMN_ROLES } from './types';

describe('inferMapping', () => {
  it('maps the NONMEM names of EstData.csv to their roles', () => {
    expect(
      inferMapping([
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
      ]),
    ).toEqual({
      ID: 'ID',
      BW: 'BW',
      COMED: 'COMED',
      DOSE: 'DOSE',
      TIME: 'TIME',
      DV: 'DV',
      EVID: 'EVID',
      MDV: 'MDV',
      AMT: 'AMT',
      CMT: 'CMT',
      DVID: 'DVID',
    });
  });

  it('ignores case and keeps the names as written', () => {
    expect(inferMapping(['subj', 'Time', 'dv', 'Weight', 'conmed'])).toEqual({
      ID: 'subj',
      TIME: 'Time',
      DV: 'dv',
      BW: 'Weight',
      COMED: 'conmed',
    });
  });

  it('prefers the role name itself over an alias, and gives each column one role', () => {
    expect(inferMapping(['WT', 'BW', 'SUBJECT', 'ID']).BW).toBe('BW');
    expect(inferMapping(['WT', 'BW', 'SUBJECT', 'ID']).ID).toBe('ID');
  });

  it('does not take time after dose for TIME', () => {
    expect(inferMapping(['ID', 'TAD', 'TSLD', 'DV']).TIME).toBeUndefined();
  });

  it('skips columns already taken by the user', () => {
    expect(inferMapping(['ID', 'TIME', 'DV'], new Set(['DV'])).DV).toBeUndefined();
  });

  it('has an alias list that starts with the role name for every role', () => {
    for (const role of COLUMN_ROLES) expect(COLUMN_ALIASES[role][0]).toBe(role);
  });
});

describe('parseColumnsOption', () => {
  it('reads ROLE=NAME pairs, roles in any case, names as written', () => {
    expect(parseColumnsOption('DV=Y,bw=WT0')).toEqual({ DV: 'Y', BW: 'WT0' });
    expect(parseColumnsOption(' DV = Conc , ')).toEqual({ DV: 'Conc' });
    expect(parseColumnsOption('')).toEqual({});
  });

  it('round-trips through formatColumnsOption', () => {
    const m = { ID: 'SUBJ', DV: 'Y', BW: 'WT0' };
    expect(parseColumnsOption(formatColumnsOption(m))).toEqual(m);
  });

  it('names the bad part in its errors', () => {
    expect(() => parseColumnsOption('DV=Y,WEIGHT')).toThrow('"WEIGHT" is not ROLE=NAME');
    expect(() => parseColumnsOption('DV=Y,FOO=BAR')).toThrow('unknown role "FOO"');
    expect(() => parseColumnsOption('DV=')).toThrow('"DV=": no column name');
    expect(() => parseColumnsOption('DV=A,dv=B')).toThrow('"dv=B": role DV is mapped twice');
  });
});
