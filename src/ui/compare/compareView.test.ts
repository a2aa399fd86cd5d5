import { describe, expect, it } from 'vitest';
import { comparePlan } from '../../core/compare/profiles';
import type { CompareRow, MeanSd } from '../../core/compare/types';
import { demoDataset } from '../../testing/demo';
import {
  barData,
  familyOf,
  fileStem,
  firstDirection,
  formatMeanSd,
  formatParameters,
  formatTimeLeft,
  heatColour,
  heatmapGrid,
  planWords,
  sortRows,
} from './compareView';

const ms = (mean: number, sd = 0.1, n = 3): MeanSd => ({ mean, sd, n });

function row(key: string, patch: Partial<CompareRow> = {}): CompareRow {
  return {
    key,
    label: key,
    kind: 'neural',
    framework: 'cascade',
    encoder: 'mlp',
    head: 'direct',
    inputs: 'covariates-doses',
    group: 'main',
    qubits: null,
    qlayers: null,
    parameters: 100,
    quantumParameters: 0,
    pkRmse: ms(1),
    pdRmse: ms(2),
    trainSeconds: 1,
    predictMsPer1000: 5,
    outcomeAccuracy: 0.5,
    cellsDone: 3,
    cellsPlanned: 3,
    ...patch,
  };
}

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a: string, b: string): number {
  const lum = (hex: string) =>
    [1, 3, 5]
      .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
      .reduce((acc, c, k) => acc + c * [0.2126, 0.7152, 0.0722][k], 0);
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('sortRows', () => {
  const rows = [
    row('b', { pdRmse: ms(3), label: 'Beta' }),
    row('none', { pdRmse: null, label: 'None yet', cellsDone: 0 }),
    row('a', { pdRmse: ms(1), label: 'alpha' }),
    row('c', { pdRmse: ms(2), label: 'Gamma' }),
  ];

  it('sorts numbers both ways, rows without a value last either way', () => {
    expect(sortRows(rows, 'pdRmse', 'ascending').map((r) => r.key)).toEqual([
      'a',
      'c',
      'b',
      'none',
    ]);
    expect(sortRows(rows, 'pdRmse', 'descending').map((r) => r.key)).toEqual([
      'b',
      'c',
      'a',
      'none',
    ]);
  });

  it('sorts text without regard to case, and leaves its input alone', () => {
    const before = rows.map((r) => r.key);
    expect(sortRows(rows, 'label', 'ascending').map((r) => r.label)).toEqual([
      'alpha',
      'Beta',
      'Gamma',
      'None yet',
    ]);
    expect(rows.map((r) => r.key)).toEqual(before);
  });

  it('is stable on ties and sorts cells by the share done', () => {
    const tied = [row('x'), row('y'), row('z', { cellsDone: 1 })];
    expect(sortRows(tied, 'trainSeconds', 'ascending').map((r) => r.key)).toEqual(['x', 'y', 'z']);
    expect(sortRows(tied, 'cells', 'ascending').map((r) => r.key)).toEqual(['z', 'x', 'y']);
  });

  it('sorts errors and times from the lowest first, accuracy and cells from the highest', () => {
    expect(firstDirection('pdRmse')).toBe('ascending');
    expect(firstDirection('trainSeconds')).toBe('ascending');
    expect(firstDirection('outcomeAccuracy')).toBe('descending');
  });
});

describe('barData', () => {
  it('takes the main group with a value, best first, and marks the best', () => {
    const rows = [
      row('slow', { pdRmse: ms(3, 0.5) }),
      row('grid', { group: 'heatmap', pdRmse: ms(0.1) }),
      row('fast', { pdRmse: ms(1, 0.2) }),
      row('empty', { pdRmse: null }),
      row('nlme', { kind: 'mechanistic', encoder: 'nlme', framework: 'nlme', pdRmse: ms(2) }),
    ];
    const bars = barData(rows, 'pd', 'fast');
    expect(bars.map((b) => b.key)).toEqual(['fast', 'nlme', 'slow']);
    expect(bars.map((b) => b.best)).toEqual([true, false, false]);
    expect(bars[0]).toMatchObject({ mean: 1, sd: 0.2, error: [0.2, 0.2], n: 3 });
    expect(bars[1].family).toBe('mechanistic');
    expect(barData(rows, 'pk', null).every((b) => !b.best)).toBe(true);
  });

  it('clips the error bar at zero and reads a missing sd as none', () => {
    const [bar] = barData([row('wide', { pkRmse: ms(0.3, 0.8) })], 'pk', null);
    expect(bar.error).toEqual([0.3, 0.8]);
    const [flat] = barData([row('one', { pkRmse: { mean: 2, sd: NaN, n: 1 } })], 'pk', null);
    expect(flat.error).toEqual([0, 0]);
  });

  it('tells the families apart', () => {
    expect(familyOf(row('q', { encoder: 'qresmlp_moe' }))).toBe('quantum');
    expect(familyOf(row('c', { encoder: 'qnn_control' }))).toBe('control');
    expect(familyOf(row('n', { encoder: 'resmlp_moe' }))).toBe('neural');
  });
});

describe('heatmapGrid', () => {
  const cell = (q: number, l: number, pd: MeanSd | null) =>
    row(`q${q}l${l}`, {
      group: 'heatmap',
      encoder: 'qresmlp_moe',
      qubits: q,
      qlayers: l,
      pdRmse: pd,
    });

  it('is null without the grid', () => {
    expect(
      heatmapGrid([row('a'), row('q', { encoder: 'qresmlp_moe', qubits: 4, qlayers: 2 })]),
    ).toBe(null);
  });

  it('lays the values on the qubits × layers the plan has, with the range', () => {
    const grid = heatmapGrid([
      cell(4, 2, ms(1.5)),
      cell(2, 1, ms(3)),
      cell(8, 3, null),
      cell(2, 3, ms(2)),
    ]);
    expect(grid).not.toBeNull();
    if (!grid) return;
    expect(grid.qubits).toEqual([2, 4, 8]);
    expect(grid.layers).toEqual([1, 2, 3]);
    expect(grid.cells[1][1]).toMatchObject({ qubits: 4, layers: 2, planned: true });
    expect(grid.cells[1][1].value?.mean).toBe(1.5);
    expect(grid.cells[2][2]).toMatchObject({ value: null, planned: true });
    expect(grid.cells[2][0]).toMatchObject({ value: null, planned: false, label: null });
    expect([grid.min, grid.max]).toEqual([1.5, 3]);
  });
});

describe('heatColour', () => {
  it('runs from light (lowest error) to dark (highest), text always readable', () => {
    const best = heatColour(1, 1, 5);
    const worst = heatColour(5, 1, 5);
    expect(best.fill).toBe('#fde725');
    expect(worst.fill).toBe('#440154');
    expect(best.text).toBe('#000000');
    expect(worst.text).toBe('#ffffff');
    for (let v = 1; v <= 5; v += 0.25) {
      const c = heatColour(v, 1, 5);
      expect(contrast(c.fill, c.text), `value ${v}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('clamps values outside the range and takes the middle when all values are equal', () => {
    expect(heatColour(-3, 1, 5)).toEqual(heatColour(1, 1, 5));
    expect(heatColour(9, 1, 5)).toEqual(heatColour(5, 1, 5));
    expect(heatColour(2, 2, 2)).toEqual(heatColour(3, 1, 5));
  });
});

describe('formatting', () => {
  it('writes mean ± sd, parameters with quantum ones, and time left in round words', () => {
    expect(formatMeanSd(ms(4.1234, 0.31234))).toBe('4.12 ± 0.31');
    expect(formatMeanSd({ mean: 4.1234, sd: 0, n: 1 })).toBe('4.12');
    expect(formatMeanSd(null)).toBe('–');
    expect(formatParameters({ parameters: 12345, quantumParameters: 48 })).toBe('12,345 (48)');
    expect(formatParameters({ parameters: 9, quantumParameters: 0 })).toBe('9');
    expect(formatTimeLeft(null)).toBe('–');
    expect(formatTimeLeft(0.2)).toBe('1 s');
    expect(formatTimeLeft(42)).toBe('42 s');
    expect(formatTimeLeft(200)).toBe('3 min');
    expect(formatTimeLeft(3600 * 2 + 5 * 60)).toBe('2 h 5 min');
    expect(fileStem('Demo trial (seed 20250)')).toBe('comparison-demo-trial-seed-20250');
  });
});

describe('sorting rows without cells', () => {
  it('puts candidates not run yet last on measured columns, whichever the direction', () => {
    const rows = [row('todo', { cellsDone: 0, trainSeconds: 0 }), row('done', { trainSeconds: 4 })];
    expect(sortRows(rows, 'trainSeconds', 'ascending').map((r) => r.key)).toEqual(['done', 'todo']);
    expect(sortRows(rows, 'trainSeconds', 'descending').map((r) => r.key)).toEqual([
      'done',
      'todo',
    ]);
  });
});

describe('planWords', () => {
  it('counts the main models and the heat map apart, each over its seeds', () => {
    const { ds } = demoDataset(3);
    expect(planWords(comparePlan(ds, { profile: 'full', dataLabel: 'demo' }))).toBe(
      '25 models × 3 seeds × 5 folds + a 16-cell heat map × 1 seed × 5 folds = 455 tasks',
    );
    expect(planWords(comparePlan(ds, { profile: 'quick', dataLabel: 'demo', folds: 2 }))).toBe(
      '6 models × 1 seed × 2 folds + a 4-cell heat map × 1 seed × 2 folds = 20 tasks',
    );
  });
});
