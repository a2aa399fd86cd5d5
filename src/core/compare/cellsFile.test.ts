import { describe, expect, it } from 'vitest';
import { demoDataset } from '../../testing/demo';
import { handCell } from '../../testing/compareFakes';
import { cellsFileText, readCellsHeader, readCellsText } from './cellsFile';
import { comparePlan } from './profiles';

const { ds } = demoDataset(5);
const plan = comparePlan(ds, { profile: 'quick', dataLabel: 'demo' });
const cells = plan.tasks.slice(0, 7).map((t) => handCell(t));

describe('cells files', () => {
  it('reads back what it writes: the header names the plan, then one cell a line', () => {
    const text = cellsFileText(plan, cells);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(1 + cells.length);
    const head = readCellsHeader(text, 'f');
    expect(head.ok && head.header).toMatchObject({
      kind: 'pkpd-compare-cells',
      profile: 'quick',
      folds: plan.folds,
      seeds: plan.seeds,
      tasks: plan.tasks.length,
      threshold: plan.threshold,
    });
    expect(readCellsText(text, plan, 'f')).toEqual({ ok: true, cells, dropped: 0 });
  });

  it('drops a last line cut short, keeps the first of two cells of a task, and holds none when empty', () => {
    const text = cellsFileText(plan, [...cells, cells[0]]);
    const read = readCellsText(text + '{"candidateKey":"nlme:pk2', plan, 'f');
    expect(read).toEqual({ ok: true, cells, dropped: 1 });
    expect(readCellsText('', plan, 'f')).toEqual({ ok: true, cells: [], dropped: 0 });
  });

  it('takes a file written before the threshold was recorded as the default threshold', () => {
    const [first, ...rest] = cellsFileText(plan, cells).split('\n');
    const { threshold: _t, ...old } = JSON.parse(first) as Record<string, unknown>;
    void _t;
    expect(readCellsText([JSON.stringify(old), ...rest].join('\n'), plan, 'f').ok).toBe(true);
    const above = { ...plan, threshold: { value: 3.3, direction: 'above' as const } };
    expect(readCellsText([JSON.stringify(old), ...rest].join('\n'), above, 'f')).toEqual({
      ok: false,
      message: 'f holds cells of another comparison (outcome threshold below 3.3, not above 3.3).',
    });
  });

  it('refuses another plan, other data, a foreign file and a broken line, saying why', () => {
    const text = cellsFileText(plan, cells);
    const other = comparePlan(ds, { profile: 'quick', dataLabel: 'demo', folds: 2 });
    const r1 = readCellsText(text, other, 'a.jsonl');
    expect(!r1.ok && r1.message).toMatch(
      /^a\.jsonl holds cells of another comparison \(3 folds, not 2; \d+ tasks, not \d+\)\.$/,
    );
    const otherData = comparePlan(demoDataset(6).ds, { profile: 'quick', dataLabel: 'demo' });
    const r2 = readCellsText(text, otherData, 'a.jsonl');
    expect(!r2.ok && r2.message).toMatch(/\(other data\)/);
    for (const [bad, why] of [
      ['subject,time\n1,0\n', /its first line is not JSON/],
      ['{"kind":"something-else"}\n', /is not a cells file of compare/],
      ['{"kind":"pkpd-compare-cells","version":2}\n', /version 2; this version reads 1/],
      [
        '{"kind":"pkpd-compare-cells","version":1,"profile":"huge"}\n',
        /does not name a comparison/,
      ],
    ] as const) {
      const r = readCellsText(bad, plan, 'x');
      expect(!r.ok && r.message).toMatch(why);
    }
    const lines = text.trim().split('\n');
    lines.splice(2, 0, '{"not":"a cell"}');
    const r3 = readCellsText(lines.join('\n'), plan, 'x');
    expect(!r3.ok && r3.message).toBe('x, line 3: not a cell of compare.');
    const foreign = { ...cells[0], candidateKey: 'neural:nothing' };
    const r4 = readCellsText(cellsFileText(plan, [foreign, ...cells]), plan, 'x');
    expect(!r4.ok && r4.message).toMatch(
      /line 2: a cell of a task the plan does not have \(neural:nothing\|/,
    );
  });
});
