import { describe, expect, it } from 'vitest';
import { importNonmem } from './importNonmem';
import { SameTimeRows } from './sameTimeRows';

describe('SameTimeRows', () => {
  it('finds the same twins and observations by scanning and through its maps', () => {
    for (const n of [3, 200]) {
      const rows = new SameTimeRows();
      for (let i = 0; i < n; i++) rows.add(i + 2, ['1', '0', String(i)], `2\u001f${i % 5}`);
      expect(rows.findTwin(['1', '0', '1'])).toBe(3);
      expect(rows.findTwin(['1', '0', 'x'])).toBeUndefined();
      expect(rows.findObservation('2\u001f1')).toBe(3);
      expect(rows.findObservation('3\u001f1')).toBeUndefined();
      rows.clear();
      expect(rows.findTwin(['1', '0', '1'])).toBeUndefined();
    }
  });

  it('lets the importer find a duplicate among many records at one time', () => {
    const lines = ['ID,TIME,DV,DVID'];
    for (let k = 1; k <= 500; k++) lines.push(`1,0,${k},${k}`);
    lines.push('1,0,7,400');
    const r = importNonmem(lines.join('\n'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems).toEqual([expect.objectContaining({ line: 502, column: 'TIME' })]);
  });
});
