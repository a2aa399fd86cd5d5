import { describe, expect, it } from 'vitest';
import { expectClose } from '../../testing/close';
import { demoDataset } from '../../testing/demo';
import { comparePlan } from './profiles';
import { bestRow, meanSd, readingOf, rowDifference, summariseCells } from './summarise';
import type { CompareCell, ComparePlan, CompareRow } from './types';

const { ds } = demoDataset(3);

/**
 * Synthetic cells: fold difficulty `hard[i]` (ng/mL) shared by every candidate of a fold plus
 * the candidate's own offset, so that fold-to-fold SDs are large (about 1) while paired
 * differences are exactly the offsets' (plus `jitter` to make their SD non-zero).
 */
function cellsFor(
  plan: ComparePlan,
  offset: (key: string) => number,
  jitter = (_key: string, _i: number) => 0,
): CompareCell[] {
  const hard = [1, 3, 2, 4, 1.5, 2.5];
  return plan.tasks.map((t, k) => {
    const i = plan.seeds.indexOf(t.seed) * plan.folds + t.fold;
    const pd = hard[i] + offset(t.candidateKey) + jitter(t.candidateKey, i);
    return {
      ...t,
      pkRmse: t.candidateKey.startsWith('nlme') ? null : 0.5 + 0.1 * i,
      pdRmse: pd,
      pkRows: 10,
      pdRows: 12,
      parameters: 100 + k,
      quantumParameters: t.candidateKey.includes(':qresmlp_moe:') ? 48 : 0,
      trainSeconds: 1 + (i % 2),
      predictMsPer1000: 2,
      outcomeCorrect: i % 2 === 0 ? 3 : 1,
      outcomeSubjects: i % 2 === 0 ? 4 : 2,
    };
  });
}

const plan = comparePlan(ds, { profile: 'quick', dataLabel: 'demo', seeds: 2 });
const key = (encoder: string) =>
  plan.candidates.find((c) => c.group === 'main' && c.encoder === encoder)?.key as string;
const Q = key('qresmlp_moe');
const CONTROL = key('qresmlp_moe_control');
const RESMLP_MOE = key('resmlp_moe');
const MLP = key('mlp');

describe('meanSd', () => {
  it('is the mean and the sample SD of the values present', () => {
    expect(meanSd([1, null, 2, 3])).toEqual({ mean: 2, sd: 1, n: 3 });
    expect(meanSd([4])).toEqual({ mean: 4, sd: 0, n: 1 });
    expect(meanSd([null])).toBeNull();
  });
});

describe('summariseCells', () => {
  const offsets: Record<string, number> = { [MLP]: -0.5, [Q]: 0.3, [CONTROL]: 0.1 };
  const cells = cellsFor(plan, (k) => offsets[k] ?? 0);
  const rows = summariseCells(plan, cells);

  it('gives one row per candidate with mean ± SD over its folds and seeds', () => {
    expect(rows.map((r) => r.key)).toEqual(plan.candidates.map((c) => c.key));
    const mlp = rows.find((r) => r.key === MLP) as CompareRow;
    // hard = 1, 3, 2, 4, 1.5, 2.5: mean 7/3, sum of squares 35/6, sample SD √(7/6); minus 0.5.
    expectClose(mlp.pdRmse?.mean as number, 14 / 6 - 0.5, { context: 'mean' });
    expectClose(mlp.pdRmse?.sd as number, Math.sqrt(7 / 6), { context: 'sd' });
    expect(mlp.pdRmse?.n).toBe(6);
    expect(mlp.cellsDone).toBe(6);
    expect(mlp.cellsPlanned).toBe(6);
    expect(mlp.trainSeconds).toBe(1.5);
    // Pooled: 3 × 3/4 and 3 × 1/2 → 12/18.
    expectClose(mlp.outcomeAccuracy as number, 12 / 18, { context: 'outcome accuracy' });
    const nlme = rows.find((r) => r.kind === 'mechanistic') as CompareRow;
    expect(nlme.pkRmse).toBeNull();
    const q = rows.find((r) => r.key === Q) as CompareRow;
    expect([q.qubits, q.qlayers, q.quantumParameters]).toEqual([4, 2, 48]);
    expect(mlp.qubits).toBeNull();
  });

  it('counts the cells done of a half-done sweep', () => {
    const half = summariseCells(plan, cells.slice(0, 3));
    const done = half.filter((r) => r.cellsDone > 0);
    expect(done).toHaveLength(3);
    expect(half.find((r) => r.cellsDone === 0)?.pdRmse).toBeNull();
    expect(half.find((r) => r.cellsDone === 0)?.outcomeAccuracy).toBeNull();
    expect(readingOf(half)[0]).toMatch(/Provisional: 3 of \d+ cells done/);
    expect(readingOf(summariseCells(plan, []))).toEqual(['No results yet.']);
  });

  it('finds the best row per endpoint', () => {
    expect(bestRow(rows, 'pd')?.key).toBe(MLP);
    expect(bestRow(rows, 'pk')?.kind).toBe('neural');
    expect(bestRow([], 'pd')).toBeNull();
    // Equal but for rounding: the first (the one with less input) stays the best.
    const first = rows.find((r) => r.pdRmse !== null) as CompareRow;
    const pd = first.pdRmse as NonNullable<CompareRow['pdRmse']>;
    const twin = { ...first, key: 'twin', pdRmse: { ...pd, mean: pd.mean * (1 - 1e-13) } };
    expect(bestRow([first, twin], 'pd')?.key).toBe(first.key);
    const better = { ...twin, pdRmse: { ...pd, mean: pd.mean * 0.999 } };
    expect(bestRow([first, better], 'pd')?.key).toBe('twin');
  });
});

describe('rowDifference', () => {
  it('pairs folds: a consistent small difference exceeds the spread that the unpaired rule sees', () => {
    // Q is 0.2 above its control in every fold, ± 0.05.
    const cells = cellsFor(
      plan,
      (k) => (k === Q ? 0.2 : 0),
      (k, i) => (k === Q ? 0.05 * (i % 2 === 0 ? 1 : -1) : 0),
    );
    const rows = summariseCells(plan, cells);
    const q = rows.find((r) => r.key === Q) as CompareRow;
    const c = rows.find((r) => r.key === CONTROL) as CompareRow;
    const paired = rowDifference(q, c, 'pd', cells);
    expect(paired).toMatchObject({ paired: true, n: 6, exceedsSpread: true });
    expectClose(paired?.diff as number, 0.2, { context: 'paired difference', rel: 1e-12 });
    expectClose(paired?.spread as number, 0.05477225575051661, { context: 'paired SD' });
    const unpaired = rowDifference(q, c, 'pd');
    expect(unpaired).toMatchObject({ paired: false, exceedsSpread: false });
    expectClose(unpaired?.diff as number, 0.2, { context: 'unpaired difference', rel: 1e-12 });
    // A single pair cannot be judged.
    expect(rowDifference(q, c, 'pd', cells.slice(0, plan.candidates.length))).toMatchObject({
      n: 1,
      exceedsSpread: false,
    });
  });
});

describe('readingOf', () => {
  it('names the best, the quantum encoder against its control and against ResMLP+MoE', () => {
    const cells = cellsFor(
      plan,
      (k) => ({ [MLP]: -0.6, [Q]: 0.2, [RESMLP_MOE]: 0.25 })[k] ?? 0,
      (k, i) => (k === Q ? 0.05 * (i % 2 === 0 ? 1 : -1) : 0),
    );
    const text = readingOf(summariseCells(plan, cells), cells);
    const label = (k: string) => plan.candidates.find((c) => c.key === k)?.label as string;
    expect(text[0]).toContain(`Lowest PD RMSE on held-out subjects: ${label(MLP)}`);
    const vsControl = text.find((s) => s.includes('parameter-matched classical control'));
    expect(vsControl).toMatch(/PD: .*paired over 6 folds: \+0\.20 ± 0\.05.*differs by more than/);
    const vsClassical = text.find((s) => s.includes('against the classical ResMLP+MoE'));
    expect(vsClassical).toMatch(/PD: .*−0\.05 ± 0\.05.*within the fold-to-fold spread/);
    expect(text.some((s) => s.startsWith('Mechanistic against the best network'))).toBe(true);
    expect(text.some((s) => s.startsWith('Heat map'))).toBe(true);
  });

  it('names the inputs when candidates differ in them', () => {
    const full = comparePlan(ds, { profile: 'full', dataLabel: 'demo', seeds: 1, folds: 2 });
    const cells = cellsFor(full, (k) => (k.endsWith(':baseline') ? -1 : 0));
    const text = readingOf(summariseCells(full, cells), cells);
    expect(text[0]).toMatch(/reading covariates, doses and the pre-dose biomarker/);
    expect(text.find((s) => s.startsWith('Inputs:'))).toMatch(/same rows/);
  });

  it('names the candidates within the spread one by one, and counts a long list of the worse', () => {
    const full = comparePlan(ds, { profile: 'full', dataLabel: 'demo', seeds: 1, folds: 3 });
    const main = full.candidates.filter((c) => c.group === 'main');
    // The first best, the second within its spread, every other clearly worse (paired).
    const offset = (k: string) => (k === main[0].key ? -1 : k === main[1].key ? -0.95 : 0);
    const jitter = (k: string, i: number) => (k === main[1].key ? [0.2, -0.2, 0.1][i] : 0);
    const cells = cellsFor(full, offset, jitter);
    const text = readingOf(summariseCells(full, cells), cells);
    const pd = text.find((s) => s.startsWith('Within its fold-to-fold spread on PD'));
    expect(pd).toContain(`: ${main[1].label}.`);
    expect(pd).toContain(`The other ${main.length - 2} are worse by more than the spread.`);
  });
});
