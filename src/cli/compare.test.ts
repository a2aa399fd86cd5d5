import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectOutput, writeTinyDemoTrial } from '../testing/cli';
import type { CompareCell, CompareTask } from '../core/compare/types';
import { comparePlan } from '../core/compare/profiles';
import { runCompareTask } from '../core/compare/runTask';
import { formatDuration, runCompare, workerRunner, type CompareTaskRunner } from './compare';
import { loadDatasetFile } from './loadData';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compare-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A demo trial cut to 3 subjects per dose group (12 in all). */
const tiny = writeTinyDemoTrial(dir);

const collect = collectOutput;

/** A stand-in runner: a cell per task, its PD RMSE set by the candidate and the fold. */
function stubRunner(calls: CompareTask[] = []): CompareTaskRunner {
  return async (_ds, plan, task) => {
    calls.push(task);
    const k = plan.candidates.findIndex((c) => c.key === task.candidateKey);
    const cell: CompareCell = {
      ...task,
      pkRmse: task.candidateKey.startsWith('nlme') ? 0.7 : 0.8 + 0.01 * k + 0.05 * task.fold,
      pdRmse: 1.5 + 0.1 * k + 0.2 * task.fold,
      pkRows: 20,
      pdRows: 30,
      parameters: 100 + k,
      quantumParameters: task.candidateKey.includes('qresmlp_moe:') ? 48 : 0,
      trainSeconds: 0.1,
      predictMsPer1000: 2,
      outcomeCorrect: 2,
      outcomeSubjects: 3,
    };
    return cell;
  };
}

describe('cli compare', () => {
  it('runs every task in order and prints the documented JSON', async () => {
    const c = collect();
    const calls: CompareTask[] = [];
    const code = await runCompare(tiny, { json: true }, c.output, stubRunner(calls));
    expect(code).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc).toMatchObject({ profile: 'quick', dataLabel: 'tiny.csv', folds: 3, seeds: [1] });
    expect(doc.tasks).toBe(calls.length);
    // The plan's order: the main rows fold by fold, then the heat map's cells.
    const main = calls.filter((t) => !t.candidateKey.startsWith('heatmap:'));
    expect(main.map((t) => t.fold)).toEqual(main.map((t) => t.fold).sort());
    expect(calls.slice(main.length).every((t) => t.candidateKey.startsWith('heatmap:'))).toBe(true);
    const first = doc.rows[0];
    for (const key of [
      'framework',
      'encoder',
      'head',
      'inputs',
      'label',
      'parameters',
      'quantumParameters',
      'pkRmse',
      'pkRmseSd',
      'pdRmse',
      'pdRmseSd',
      'trainSeconds',
      'predictMsPer1000',
      'outcomeAccuracy',
    ]) {
      expect(first, key).toHaveProperty(key);
    }
    expect(first.framework).toBe('nlme');
    expect(first.pkRmse).toBeCloseTo(0.7, 12);
    expect(first.pkRmseSd).toBeCloseTo(0, 12);
    expect(first.pdRmse).toBeCloseTo(1.7, 12);
    expect(first.pdRmseSd).toBeCloseTo(0.2, 12);
    expect(first.outcomeAccuracy).toBeCloseTo(2 / 3, 12);
    const q = doc.rows.find((r: { encoder: string }) => r.encoder === 'qresmlp_moe');
    expect(q.quantumParameters).toBe(48);
    expect(doc.reading.length).toBeGreaterThan(2);
    expect(doc.reading[0]).toMatch(/^Lowest PD RMSE on held-out subjects: NLME/);
    // Progress on stderr: the count, then one line per task with the time left.
    expect(c.err[0]).toMatch(/, \d+ tasks \(/);
    expect(c.err[1]).toMatch(/^\[1\/\d+\] NLME/);
    expect(c.err[2]).toMatch(/^\[2\/\d+\] .* left$/);
    expect(c.err.filter((l) => l.startsWith('['))).toHaveLength(calls.length);
  });

  it('prints a readable table, and no progress with --quiet', async () => {
    const c = collect();
    const code = await runCompare(tiny, { quiet: true, folds: '2' }, c.output, stubRunner());
    expect(code).toBe(0);
    expect(c.err).toEqual([]);
    const text = c.out.join('\n');
    expect(text).toMatch(/quick comparison, 2 subject-level folds × 1 seed/);
    expect(text).toMatch(/candidate\s+inputs\s+parameters\s+PK mg\/L\s+PD ng\/mL/);
    expect(text).toContain('cascade · QNN-ResMLP+MoE · 4 qubits × 2 layers');
    expect(text).toMatch(/- Lowest PD RMSE/);
  });

  it('says what is wrong, exit code 1', async () => {
    for (const [opts, message] of [
      [{ profile: 'huge' }, /--profile must be one of quick, full/],
      [{ folds: '1' }, /--folds must be a whole number ≥ 2/],
      [{ seeds: 'x' }, /--seeds must be a whole number ≥ 1/],
      [{ folds: '13' }, /13 folds need at least 13 subjects/],
    ] as const) {
      const c = collect();
      expect(await runCompare(tiny, { ...opts, json: true }, c.output, stubRunner())).toBe(1);
      expect(JSON.parse(c.out.join('\n')).error).toMatch(message);
    }
    const c = collect();
    expect(await runCompare(path.join(dir, 'none.csv'), {}, c.output, stubRunner())).toBe(1);
    expect(c.err.join('\n')).toMatch(/No such file/);
  });

  it('names the task that failed', async () => {
    const c = collect();
    const failing: CompareTaskRunner = async (ds, plan, task, o) => {
      if (task.fold === 1) throw new Error('the loss is NaN');
      return stubRunner()(ds, plan, task, o);
    };
    expect(await runCompare(tiny, { quiet: true }, c.output, failing)).toBe(1);
    expect(c.err.join('\n')).toMatch(
      /failed at NLME pk2-oral-idr1 · typical values, seed 1, fold 2: the loss is NaN/,
    );
  });
});

describe('formatDuration', () => {
  it('writes hours and minutes, minutes and seconds, or seconds', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3 * 3600 + 25 * 60)).toBe('3 h 25 min');
  });
});

describe('cli compare: jobs and the cells file', () => {
  const run = async (opts: Parameters<typeof runCompare>[1], runner = stubRunner()) => {
    const c = collect();
    const code = await runCompare(tiny, { quiet: true, json: true, ...opts }, c.output, runner);
    return { code, doc: c.out.length ? JSON.parse(c.out.join('\n')) : null, err: c.err };
  };
  const rowsOf = (doc: { rows: Record<string, unknown>[] }) =>
    doc.rows.map(({ trainSeconds: _t, ...rest }) => rest);

  it('--jobs 2 runs every task exactly once, with the same rows as one job', async () => {
    const calls: CompareTask[] = [];
    const two = await run({ jobs: '2' }, stubRunner(calls));
    const one = await run({});
    expect(two.code).toBe(0);
    const ids = calls.map((t) => `${t.candidateKey}|${t.seed}|${t.fold}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(two.doc.tasks);
    expect(rowsOf(two.doc)).toEqual(rowsOf(one.doc));
    expect((await run({ jobs: '0' })).doc.error).toMatch(/--jobs must be a whole number ≥ 1/);
  });

  it('keeps finished cells in --cells and resumes from them, running only what is missing', async () => {
    const file = path.join(dir, 'resume.jsonl');
    const failing: CompareTaskRunner = async (ds, plan, task, o) => {
      if (task.fold === 2) throw new Error('interrupted');
      return stubRunner()(ds, plan, task, o);
    };
    const first = await run({ cells: file }, failing);
    expect(first.code).toBe(1);
    expect(first.doc.error).toMatch(
      /finished tasks are kept in .*resume\.jsonl; run again to resume/,
    );
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ kind: 'pkpd-compare-cells', profile: 'quick' });
    const kept = lines.length - 1;
    expect(kept).toBeGreaterThan(0);
    // A kill while the last line was written: that task runs again.
    fs.writeFileSync(file, lines.join('\n') + '\n' + lines[1].slice(0, 20));
    const calls: CompareTask[] = [];
    const c = collect();
    const code = await runCompare(tiny, { json: true, cells: file }, c.output, stubRunner(calls));
    expect(code).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(calls).toHaveLength(doc.tasks - kept);
    const id = (t: CompareTask) => `${t.candidateKey}|${t.seed}|${t.fold}`;
    const keptIds = new Set(lines.slice(1).map((l) => id(JSON.parse(l))));
    expect(calls.some((t) => keptIds.has(id(t)))).toBe(false);
    expect(c.err.join('\n')).toMatch(
      new RegExp(
        `Resuming from .*: ${kept} of ${doc.tasks} tasks done \\(a cut-short last line dropped\\)`,
      ),
    );
    expect(rowsOf(doc)).toEqual(rowsOf((await run({})).doc));
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(doc.tasks + 1);
    // Done: a third run runs nothing.
    const none: CompareTask[] = [];
    expect((await run({ cells: file }, stubRunner(none))).code).toBe(0);
    expect(none).toEqual([]);
  });

  it('refuses a cells file of another comparison or a broken one, and says why', async () => {
    const file = path.join(dir, 'other.jsonl');
    expect((await run({ cells: file, folds: '2' })).code).toBe(0);
    const other = await run({ cells: file });
    expect(other.code).toBe(1);
    expect(other.doc.error).toMatch(
      /holds cells of another comparison \(2 folds, not 3; \d+ tasks, not \d+\)/,
    );
    const broken = path.join(dir, 'broken.jsonl');
    fs.writeFileSync(broken, 'hello\n');
    expect((await run({ cells: broken })).doc.error).toMatch(/not a cells file of compare/);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    fs.writeFileSync(broken, [lines[0], '{"x":1}', lines[1]].join('\n') + '\n');
    expect((await run({ cells: broken, folds: '2' })).doc.error).toMatch(
      /line 2: not a cell of compare/,
    );
  });

  it('runs real tasks in a worker thread, with the cells this thread gets', async () => {
    const loaded = loadDatasetFile(tiny);
    if (!loaded.ok) throw new Error(loaded.message);
    const plan = comparePlan(loaded.dataset, { profile: 'quick', dataLabel: 'tiny.csv', folds: 2 });
    const task = plan.tasks.find((t) => t.candidateKey === 'neural:cascade:mlp:direct');
    if (!task) throw new Error('no MLP task');
    const runner = workerRunner({
      file: tiny,
      profile: 'quick',
      folds: 2,
      dataFingerprint: plan.dataFingerprint,
    });
    try {
      const [inWorker, here] = await Promise.all([
        runner.run(task),
        runCompareTask(loaded.dataset, plan, task),
      ]);
      expect(inWorker.pkRmse).toBe(here.pkRmse);
      expect(inWorker.pdRmse).toBe(here.pdRmse);
      expect(inWorker.parameters).toBe(here.parameters);
      await expect(runner.run({ ...task, fold: 7 })).rejects.toThrow(/Fold 7 is outside/);
    } finally {
      await runner.close();
    }
    const wrong = workerRunner({ file: tiny, profile: 'quick', dataFingerprint: 'x' });
    await expect(wrong.run(task)).rejects.toThrow(/other data/);
    await wrong.close();
  }, 60_000);
});
