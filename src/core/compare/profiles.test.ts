import { describe, expect, it } from 'vitest';
import type { Dataset } from '../data/types';
import { demoDataset } from '../../testing/demo';
import { ENCODERS, FRAMEWORKS } from '../neural/types';
import { comparePlan, dataFingerprint, profileCandidates } from './profiles';
import { foldOf } from './runTask';

const { ds } = demoDataset(3);

describe('comparePlan', () => {
  it('runs the main rows seed → fold → candidate, then the heat map, costliest circuit first, on its seeds', () => {
    const plan = comparePlan(ds, { profile: 'quick', dataLabel: 'demo', seeds: 2 });
    const main = plan.candidates.filter((c) => c.group === 'main');
    const heat = plan.candidates.filter((c) => c.group === 'heatmap');
    const n = main.length;
    expect(plan.folds).toBe(3);
    expect(plan.seeds).toEqual([1, 101]);
    // The heat map runs on the first seed only (the profile's heatmap.seeds).
    expect(plan.tasks).toHaveLength(n * 3 * 2 + heat.length * 3);
    plan.tasks.slice(0, n * 3 * 2).forEach((t, i) => {
      expect(t.seed).toBe(plan.seeds[Math.floor(i / (3 * n))]);
      expect(t.fold).toBe(Math.floor(i / n) % 3);
      expect(t.candidateKey).toBe(main[i % n].key);
    });
    const heatTasks = plan.tasks.slice(n * 3 * 2);
    expect(heatTasks.every((t) => t.seed === 1)).toBe(true);
    const order = heatTasks
      .filter((t) => t.fold === 0)
      .map((t) => {
        const c = heat.find((x) => x.key === t.candidateKey);
        return `${c?.config?.qubits}×${c?.config?.qlayers}`;
      });
    expect(order).toEqual(['4×2', '4×1', '2×2', '2×1']);
    expect(heatTasks.map((t) => t.fold)).toEqual([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]);
    expect(new Set(plan.candidates.map((c) => c.key)).size).toBe(plan.candidates.length);
    expect(plan.threshold).toEqual({ value: 3.3, direction: 'below' });
  });

  it('quick: the mechanistic model, four cascade encoders, the parameter head and a 2 × 2 heat map', () => {
    const c = profileCandidates('quick');
    const main = c.filter((x) => x.group === 'main');
    expect(main.map((x) => `${x.framework}/${x.encoder}/${x.head}`)).toEqual([
      'nlme/nlme/nlme',
      'cascade/mlp/direct',
      'cascade/resmlp_moe/direct',
      'cascade/qresmlp_moe/direct',
      'cascade/qresmlp_moe_control/direct',
      'cascade/resmlp/parameters',
    ]);
    expect(main.every((x) => x.inputs === 'covariates-doses')).toBe(true);
    const heat = c.filter((x) => x.group === 'heatmap');
    expect(heat.map((x) => [x.config?.qubits, x.config?.qlayers])).toEqual([
      [2, 1],
      [2, 2],
      [4, 1],
      [4, 2],
    ]);
    for (const x of c.filter((y) => y.kind === 'neural')) {
      expect(x.config).toMatchObject({ hidden: 16, blocks: 1, maxEpochs: 100, patience: 20 });
    }
  });

  it('full: every framework × classical encoder, the heads, the hybrids and controls, inputs both ways, a 4 × 4 heat map', () => {
    const plan = comparePlan(ds, { profile: 'full', dataLabel: 'demo' });
    const main = plan.candidates.filter((c) => c.group === 'main');
    const neural = main.filter((c) => c.kind === 'neural');
    for (const framework of FRAMEWORKS) {
      for (const encoder of ['mlp', 'resmlp', 'moe', 'resmlp_moe'] as const) {
        expect(neural.some((c) => c.framework === framework && c.encoder === encoder)).toBe(true);
      }
      expect(neural.some((c) => c.framework === framework && c.head === 'parameters')).toBe(true);
    }
    for (const encoder of ENCODERS) {
      expect(neural.some((c) => c.encoder === encoder)).toBe(true);
    }
    const withBaseline = neural.filter((c) => c.inputs === 'covariates-doses-baseline');
    expect(withBaseline.map((c) => c.encoder)).toEqual(
      expect.arrayContaining(['resmlp_moe', 'qresmlp_moe', 'qresmlp_moe_control']),
    );
    // The mechanistic model both ways: typical values, and conditioned on the pre-dose biomarker.
    expect(main.filter((c) => c.kind === 'mechanistic').map((c) => c.inputs)).toEqual([
      'covariates-doses',
      'covariates-doses-baseline',
    ]);
    const heat = plan.candidates.filter((c) => c.group === 'heatmap');
    expect(heat).toHaveLength(16);
    expect(new Set(heat.map((c) => `${c.config?.qubits}×${c.config?.qlayers}`)).size).toBe(16);
    expect(heat.every((c) => c.encoder === 'qresmlp_moe' && c.framework === 'cascade')).toBe(true);
    // 25 main candidates × 5 folds × 3 seeds + 16 heat-map cells × 5 folds × 1 seed: the count
    // the README states.
    expect(plan.candidates).toHaveLength(41);
    expect(main).toHaveLength(25);
    expect(plan.tasks).toHaveLength(25 * 15 + 16 * 5);
    expect(plan.tasks.slice(25 * 15).every((t) => t.seed === plan.seeds[0])).toBe(true);
  });

  it('splits each seed once: every candidate of a (seed, fold) gets the same subjects', () => {
    const plan = comparePlan(ds, { profile: 'quick', dataLabel: 'demo', seeds: 2 });
    const splits = new Map<string, string>();
    for (const t of plan.tasks) {
      const f = JSON.stringify(foldOf(ds, plan, t));
      const k = `${t.seed}/${t.fold}`;
      if (!splits.has(k)) splits.set(k, f);
      expect(f, k).toBe(splits.get(k));
    }
    expect(splits.size).toBe(6);
    // Different seeds, different splits.
    expect(splits.get('1/0')).not.toBe(splits.get('101/0'));
    // Every subject is tested once per seed.
    const tested = [0, 1, 2].flatMap((fold) => foldOf(ds, plan, { ...plan.tasks[0], fold }).test);
    expect(tested.sort((a, b) => a - b)).toEqual(ds.subjects.map((_, i) => i));
  });

  it('refuses folds the data cannot fill and seeds that are not whole numbers', () => {
    const few: Dataset = { ...ds, subjects: ds.subjects.slice(0, 3) };
    expect(() => comparePlan(few, { profile: 'quick', dataLabel: 'x', folds: 5 })).toThrow(
      /5 folds need at least 5 subjects/,
    );
    expect(() => comparePlan(ds, { profile: 'quick', dataLabel: 'x', seeds: 0 })).toThrow(/seeds/);
  });
});

describe('dataFingerprint', () => {
  it('is stable for the same data and changes with any value', () => {
    const fp = dataFingerprint(ds);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(dataFingerprint(demoDataset(3).ds)).toBe(fp);
    expect(dataFingerprint(demoDataset(4).ds)).not.toBe(fp);
    const s = ds.subjects[5];
    const obs = [...s.observations];
    obs[3] = { ...obs[3], dv: obs[3].dv + 1e-6 };
    const changed: Dataset = {
      ...ds,
      subjects: ds.subjects.map((x, i) => (i === 5 ? { ...x, observations: obs } : x)),
    };
    expect(dataFingerprint(changed)).not.toBe(fp);
    const bw: Dataset = {
      ...ds,
      subjects: ds.subjects.map((x, i) =>
        i === 0 ? { ...x, covariates: { ...x.covariates, BW: x.covariates.BW + 1 } } : x,
      ),
    };
    expect(dataFingerprint(bw)).not.toBe(fp);
    expect(comparePlan(changed, { profile: 'quick', dataLabel: 'x' }).dataFingerprint).not.toBe(
      comparePlan(ds, { profile: 'quick', dataLabel: 'x' }).dataFingerprint,
    );
  });
});
