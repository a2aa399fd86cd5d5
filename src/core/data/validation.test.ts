import { describe, expect, it } from 'vitest';
import { importNonmem } from './importNonmem';
import { MAX_LISTED_PROBLEMS } from './problems';
import { csv } from './testFixtures';
import type { DataProblem, ImportResult } from './types';

const HEADER = 'ID,TIME,DV,AMT,EVID,MDV,CMT,DVID';
/** A valid subject: one dose, two observations (lines 2-4). Appended rows start on line 5. */
const VALID = [HEADER, '1,0,.,5,1,1,1,0', '1,1,2.5,0,0,0,2,1', '1,2,2.1,0,0,0,2,1'];

function problemsOf(result: ImportResult): DataProblem[] {
  if (result.ok) expect.fail('expected the file to be refused, but it loaded');
  // A refused file loads nothing.
  expect(result).not.toHaveProperty('dataset');
  return result.problems;
}

/** The file refused with (at least) this problem. */
function expectProblem(text: string, expected: Partial<DataProblem> & { message?: string }) {
  const problems = problemsOf(importNonmem(text));
  const { message, ...where } = expected;
  const match = problems.find(
    (p) =>
      Object.entries(where).every(([k, v]) => p[k as keyof DataProblem] === v) &&
      (message === undefined || p.message.includes(message)),
  );
  if (!match) {
    expect.fail(
      `no problem like ${JSON.stringify(expected)}; got:\n${problems.map((p) => JSON.stringify(p)).join('\n')}`,
    );
  }
  return problems;
}

describe('the valid base file', () => {
  it('loads', () => {
    expect(importNonmem(csv(...VALID)).ok).toBe(true);
  });
});

describe('each problem names its line, column and value', () => {
  const cases: [string, string[], Partial<DataProblem> & { message?: string }][] = [
    [
      'text in a numeric column',
      ['1,3,abc,0,0,0,2,1'],
      { line: 5, column: 'DV', value: 'abc', message: 'must be a number' },
    ],
    ['NaN', ['1,3,NaN,0,0,0,2,1'], { line: 5, column: 'DV', value: 'NaN', message: 'finite' }],
    [
      'Infinity',
      ['1,Infinity,2,0,0,0,2,1'],
      { line: 5, column: 'TIME', value: 'Infinity', message: 'finite' },
    ],
    [
      'an overflowing number',
      ['1,3,1e999,0,0,0,2,1'],
      { line: 5, column: 'DV', value: '1e999', message: 'finite' },
    ],
    [
      'a negative TIME',
      ['2,-3,1.0,0,0,0,2,1'],
      { line: 5, column: 'TIME', value: '-3', message: 'negative' },
    ],
    [
      'a missing TIME',
      ['1,.,1.0,0,0,0,2,1'],
      { line: 5, column: 'TIME', value: '.', message: 'missing' },
    ],
    [
      'a missing ID',
      ['.,3,1.0,0,0,0,2,1'],
      { line: 5, column: 'ID', value: '.', message: 'missing' },
    ],
    [
      'TIME going back within a subject',
      ['1,1.5,2,0,0,0,2,1'],
      { line: 5, column: 'TIME', value: '1.5', message: 'line 4 has TIME 2' },
    ],
    [
      'a dose with AMT 0',
      ['1,3,.,0,1,1,1,0'],
      { line: 5, column: 'AMT', value: '0', message: 'positive AMT' },
    ],
    [
      'a dose with a missing AMT',
      ['1,3,.,.,1,1,1,0'],
      { line: 5, column: 'AMT', value: '.', message: 'positive AMT' },
    ],
    [
      'a reset-and-dose without AMT',
      ['1,3,.,0,4,1,1,0'],
      { line: 5, column: 'AMT', message: 'EVID 4' },
    ],
    [
      'a negative AMT',
      ['1,3,.,-5,1,1,1,0'],
      { line: 5, column: 'AMT', value: '-5', message: 'negative' },
    ],
    [
      'an observation without DV',
      ['1,3,.,0,0,0,2,1'],
      { line: 5, column: 'DV', value: '.', message: 'no DV' },
    ],
    [
      'an unknown EVID',
      ['1,3,2,0,5,0,2,1'],
      { line: 5, column: 'EVID', value: '5', message: 'Unknown EVID' },
    ],
    [
      'a fractional EVID',
      ['1,3,2,0,0.5,0,2,1'],
      { line: 5, column: 'EVID', value: '0.5', message: 'Unknown EVID' },
    ],
    [
      'MDV 0 on a dose',
      ['1,3,.,5,1,0,1,0'],
      { line: 5, column: 'MDV', value: '0', message: 'MDV must be 1' },
    ],
    [
      'MDV 0 on a reset',
      ['1,3,.,0,3,0,1,0'],
      { line: 5, column: 'MDV', value: '0', message: 'EVID 3' },
    ],
    [
      'MDV that is not 0 or 1',
      ['1,3,2,0,0,2,2,1'],
      { line: 5, column: 'MDV', value: '2', message: '0 or 1' },
    ],
    ['a negative CMT', ['1,3,2,0,0,0,-2,1'], { line: 5, column: 'CMT', value: '-2' }],
    ['a fractional DVID', ['1,3,2,0,0,0,2,1.5'], { line: 5, column: 'DVID', value: '1.5' }],
    ['an identical row', ['1,2,2.1,0,0,0,2,1'], { line: 5, message: 'identical to line 4' }],
    [
      'a second observation at the same ID/TIME/CMT/DVID',
      ['1,2,9.9,0,0,0,2,1'],
      { line: 5, column: 'TIME', value: '2', message: 'the first is on line 4' },
    ],
    ['too few values', ['1,3,2,0,0,0,2'], { line: 5, message: 'the header has 8 columns' }],
    ['too many values', ['1,3,2,0,0,0,2,1,7'], { line: 5, message: 'the header has 8 columns' }],
  ];
  for (const [what, rows, expected] of cases) {
    it(`reports ${what}`, () => {
      expectProblem(csv(...VALID, ...rows), expected);
    });
  }

  it('lists every problem, in line order, not only the first', () => {
    const problems = problemsOf(
      importNonmem(
        csv(
          HEADER,
          '1,0,.,5,1,1,1,0',
          '1,1,abc,0,0,0,2,1',
          '1,0.5,2.0,0,0,0,2,1',
          '2,-3,1.0,0,0,0,2,1',
        ),
      ),
    );
    expect(problems.map((p) => [p.line, p.column, p.value])).toEqual([
      [3, 'DV', 'abc'],
      [4, 'TIME', '0.5'],
      [5, 'TIME', '-3'],
    ]);
  });

  it('does not pile further problems onto a cell that could not be read', () => {
    const problems = problemsOf(importNonmem(csv(...VALID, '1,3,x,0,0,0,2,1')));
    expect(problems).toHaveLength(1);
  });

  it('lets EVID 3 and 4 restart time within a subject', () => {
    // A second period repeats the first: same times, same doses, after a reset.
    const text = csv(
      ...VALID,
      '1,0,.,5,4,1,1,0',
      '1,1,2.5,0,0,0,2,1',
      '1,0,.,0,3,1,1,0',
      '1,0,.,5,1,1,1,0',
    );
    expect(importNonmem(text).ok).toBe(true);
  });

  it('accepts a steady-state infusion with AMT 0, RATE > 0 and SS 1', () => {
    const text = csv(
      'ID,TIME,DV,AMT,RATE,SS,II,EVID,MDV',
      '1,0,.,0,5,1,0,1,1',
      '1,1,2,0,0,0,0,0,0',
    );
    expect(importNonmem(text).ok).toBe(true);
  });

  it('checks the NONMEM dose items', () => {
    const head = 'ID,TIME,DV,AMT,RATE,II,ADDL,SS,EVID,MDV';
    expectProblem(csv(head, '1,0,.,5,0,0,3,0,1,1'), {
      line: 2,
      column: 'ADDL',
      value: '3',
      message: 'II > 0',
    });
    expectProblem(csv(head, '1,0,.,5,0,24,1.5,0,1,1'), { line: 2, column: 'ADDL', value: '1.5' });
    expectProblem(csv(head, '1,0,.,5,0,0,0,1,1,1'), {
      line: 2,
      column: 'SS',
      value: '1',
      message: 'II > 0',
    });
    expectProblem(csv(head, '1,0,.,5,0,24,0,3,1,1'), { line: 2, column: 'SS', value: '3' });
    expectProblem(csv(head, '1,0,.,5,-3,0,0,0,1,1'), { line: 2, column: 'RATE', value: '-3' });
    expectProblem(csv(head, '1,0,.,5,0,-24,0,0,1,1'), { line: 2, column: 'II', value: '-24' });
    expect(importNonmem(csv(head, '1,0,.,5,-1,24,6,1,1,1')).ok).toBe(true);
  });

  it('reports text in a numeric covariate column', () => {
    expectProblem(csv('ID,TIME,DV,WT', '1,0,1,70', '1,1,2,abc', '2,0,1,80'), {
      line: 3,
      column: 'WT',
      value: 'abc',
    });
  });

  it('does not derive an observation from a dose record with MDV 0 (no EVID column)', () => {
    expectProblem(csv('ID,TIME,DV,AMT,MDV', '1,0,3,5,0'), {
      line: 2,
      column: 'MDV',
      value: '0',
      message: 'dose',
    });
  });
});

describe('header problems', () => {
  it('names the missing role, the columns there are, and the mapping option', () => {
    const problems = problemsOf(importNonmem(csv('ID,T,DV', '1,0,1')));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 1 });
    expect(problems[0].message).toContain('No TIME column');
    expect(problems[0].message).toContain('ID, T, DV');
    expect(problems[0].message).toContain('--columns TIME=');
  });

  it('asks for DV or AMT when neither is there', () => {
    const problems = problemsOf(importNonmem(csv('ID,TIME,Y', '1,0,1')));
    expect(problems[0].message).toContain('DV (observations) or AMT (doses)');
  });

  it('reports a mapping to a column that does not exist', () => {
    const problems = problemsOf(
      importNonmem(csv('ID,TIME,DV', '1,0,1'), { mapping: { DV: 'CONC' } }),
    );
    expect(problems[0]).toMatchObject({ line: 1, column: 'CONC' });
    expect(problems[0].message).toContain('ID, TIME, DV');
  });

  it('reports two roles mapped to one column', () => {
    const problems = problemsOf(
      importNonmem(csv('ID,TIME,DV', '1,0,1'), { mapping: { DV: 'DV', AMT: 'DV' } }),
    );
    expect(problems[0].message).toContain('both DV and AMT');
  });

  it('reports duplicate column names, ignoring case', () => {
    expectProblem(csv('ID,TIME,DV,dv', '1,0,1,2'), {
      line: 1,
      column: 'dv',
      message: 'columns 3 and 4',
    });
  });

  it('reports a header of numbers (a file without a header row)', () => {
    expectProblem(csv('1,0,1', '1,1,2'), { line: 1, message: 'not column names' });
  });

  it('reports an unnamed column that holds values', () => {
    expectProblem(csv('ID,,TIME,DV', '1,5,0,1'), { line: 1, message: 'Column 2 has no name' });
  });

  it('drops trailing unnamed empty columns (a trailing separator)', () => {
    const r = importNonmem(csv('ID,TIME,DV,', '1,0,1,', '1,1,2,'));
    expect(r.ok && r.dataset.columns).toEqual(['ID', 'TIME', 'DV']);
  });

  it('reports an unclosed quote', () => {
    expectProblem(csv('ID,TIME,DV', '1,0,1', '1,"1,2', '1,2,3'), {
      line: 3,
      message: 'quoted value is not closed',
    });
  });
});

describe('files that are not data', () => {
  it('refuses an empty file', () => {
    expect(problemsOf(importNonmem(''))).toEqual([{ line: 1, message: 'The file is empty.' }]);
    expect(problemsOf(importNonmem(' \n\r\n\t\n'))[0].message).toBe('The file is empty.');
    expect(problemsOf(importNonmem('\uFEFF'))[0].message).toBe('The file is empty.');
  });

  it('refuses a header without rows', () => {
    expect(problemsOf(importNonmem(csv(HEADER)))[0]).toMatchObject({
      line: 1,
      message: 'The file has a header but no data rows.',
    });
  });

  it('refuses a file with NUL bytes, naming the line', () => {
    expectProblem(csv(...VALID, '1,3\u0000,2,0,0,0,2,1'), { line: 5, message: 'binary' });
  });

  it('refuses mostly non-printable content', () => {
    let junk = '';
    for (let i = 0; i < 2000; i++) junk += String.fromCharCode((i * 7919) % 32 || 1);
    expectProblem(junk, { line: 1, message: 'binary' });
    expectProblem('\uFFFD\uFFFD\uFFFD\uFFFDab\uFFFD\uFFFD', { line: 1, message: 'binary' });
  });

  it('recognises a zip archive (an Excel workbook)', () => {
    expectProblem('PK\u0003\u0004\u0014\u0000\u0006\u0000', { line: 1, message: 'CSV' });
  });

  it('refuses a file over the size limit and states the limit', () => {
    const text = csv(...VALID);
    const problems = problemsOf(importNonmem(text, { maxBytes: 50 }));
    expect(problems[0].message).toMatch(/the limit is 0\.0 kB|the limit is/);
    expect(problems[0].message).toContain('limit');
    expect(importNonmem(text, { maxBytes: text.length }).ok).toBe(true);
    // Multi-byte characters count as the bytes they take.
    const wide = csv('ID,TIME,DV,NOTE', '1,0,1,\u00e9\u00e9\u00e9');
    expect(importNonmem(wide, { maxBytes: wide.length }).ok).toBe(false);
  });

  it('says the default limit is 50 MB', () => {
    const problems = problemsOf(importNonmem(' '.repeat(50 * 1024 * 1024 + 1)));
    expect(problems[0].message).toContain('the limit is 50.0 MB');
  });

  it('never throws on input that is not text', () => {
    expect(importNonmem(undefined as unknown as string).ok).toBe(false);
    expect(importNonmem(42 as unknown as string).ok).toBe(false);
  });
});

describe('refused files', () => {
  it('cap the list and count the rest', () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `1,${i + 3},x,0,0,0,2,1`);
    const problems = problemsOf(importNonmem(csv(...VALID, ...rows)));
    expect(problems).toHaveLength(MAX_LISTED_PROBLEMS + 1);
    const last = problems[problems.length - 1];
    expect(last.message).toContain('500 more problems');
    expect(last.line).toBe(5 + MAX_LISTED_PROBLEMS);
  });

  it('come with the first rows, row r on line r + 2', () => {
    const r = importNonmem(csv(HEADER, '1,0,.,5,1,1,1,0', '', '1,1,abc,0,0,0,2,1'));
    if (r.ok) expect.fail('should not load');
    expect(r.preview?.columns).toEqual(HEADER.split(','));
    expect(r.preview?.rows[1]).toEqual([]);
    expect(r.preview?.rows[2][2]).toBe('abc');
    expect(r.problems[0].line).toBe(4);
  });
});
