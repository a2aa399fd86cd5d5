import { describe, expect, it } from 'vitest';
import { csvField, rowsToCsv } from './csv';
import type { CompareRow } from './types';

const row: CompareRow = {
  key: 'neural:cascade:qresmlp_moe:direct:q4l2',
  label: 'cascade · QNN-ResMLP+MoE, "4 × 2"',
  kind: 'neural',
  framework: 'cascade',
  encoder: 'qresmlp_moe',
  head: 'direct',
  inputs: 'covariates-doses',
  group: 'main',
  qubits: 4,
  qlayers: 2,
  parameters: 6580,
  quantumParameters: 48,
  pkRmse: { mean: 0.9329831913865334, sd: 0.13, n: 3 },
  pdRmse: null,
  trainSeconds: 1.5,
  predictMsPer1000: 12.1,
  outcomeAccuracy: 5 / 6,
  cellsDone: 3,
  cellsPlanned: 3,
};

/** A minimal RFC 4180 reader: the independent check of the quoting. */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let rowCells: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      rowCells.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      rowCells.push(field);
      out.push(rowCells);
      rowCells = [];
      field = '';
      i++;
    } else field += ch;
  }
  return out;
}

describe('rowsToCsv', () => {
  it('writes a header and one line per row, numbers unrounded, missing values empty', () => {
    const text = rowsToCsv([row, { ...row, key: 'b', label: 'plain' }]);
    const table = parseCsv(text);
    expect(table).toHaveLength(3);
    const [head, first, second] = table;
    expect(head.slice(0, 3)).toEqual(['key', 'label', 'kind']);
    expect(first).toHaveLength(head.length);
    const at = (r: string[], name: string) => r[head.indexOf(name)];
    expect(at(first, 'label')).toBe(row.label);
    expect(at(first, 'pkRmseMgPerL')).toBe('0.9329831913865334');
    expect(at(first, 'outcomeAccuracy')).toBe(String(5 / 6));
    expect(at(first, 'pdRmseNgPerMl')).toBe('');
    expect(at(second, 'label')).toBe('plain');
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('quotes text only when it must, doubling quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField(null)).toBe('');
    expect(csvField(NaN)).toBe('');
    expect(csvField(1e-7)).toBe('1e-7');
  });
});
