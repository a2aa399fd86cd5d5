import { describe, expect, it } from 'vitest';
import { importNonmem } from './importNonmem';
import { summarizeDataset } from './summary';

/**
 * 100,000 records: 400 subjects x (25 doses + 225 observations). Timing is not asserted here
 * (machines differ); it is measured by hand and written down with the machine it ran on.
 */
function largeFile(): string {
  const lines = ['ID,TIME,DV,AMT,EVID,MDV,CMT,DVID,WT,AGE'];
  for (let id = 1; id <= 400; id++) {
    const wt = 50 + (id % 50);
    for (let k = 0; k < 250; k++) {
      const time = k * 2;
      if (k % 10 === 0)
        lines.push(`${id},${time},.,${1 + (id % 4)},1,1,1,0,${wt},${20 + (id % 40)}`);
      else
        lines.push(
          `${id},${time},${(1 + Math.sin(id + k)).toFixed(4)},0,0,0,2,${1 + (k % 2)},${wt},${20 + (id % 40)}`,
        );
    }
  }
  return lines.join('\n');
}

describe('a 100,000-row file', () => {
  it('loads completely and correctly', () => {
    const text = largeFile();
    const result = importNonmem(text);
    if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
    const s = summarizeDataset(result.dataset);
    expect(s.records).toBe(100_000);
    expect(s.subjects).toBe(400);
    expect(s.doseRecords).toBe(400 * 25);
    // Odd k are DVID 2 (125 per subject); even k that are not dose rows are DVID 1 (100).
    expect(s.observations).toEqual({ '1': 400 * 100, '2': 400 * 125 });
    expect(s.doseGroups.map((g) => g.subjects)).toEqual([100, 100, 100, 100]);
    expect(s.covariates).toEqual(['BW', 'AGE']);
    expect(result.dataset.records[99_999].line).toBe(100_001);
  });
});
