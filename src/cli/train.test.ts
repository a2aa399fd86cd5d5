import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectOutput, writeTinyDemoTrial } from '../testing/cli';
import type { Trainer } from '../core/neural/crossValidation';
import { featureNames } from '../core/neural/features';
import type { NeuralConfig, TrainedNetwork } from '../core/neural/types';
import { runTrain } from './train';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'train-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A demo trial cut to 3 subjects per dose group (12 in all). */
const tiny = writeTinyDemoTrial(dir);

const collect = collectOutput;

/** Predicts the training mean (0 on the scaled axis); reports 7 parameters. */
const stub: Trainer = async (_train, _validation, config) => {
  const zeros = (_x: Float32Array, rows: number) => new Float32Array(rows);
  const network: TrainedNetwork = {
    config,
    parameters: 7,
    quantumParameters: 0,
    bestEpoch: 1,
    epochs: 2,
    predictPk: zeros,
    predictPd: zeros,
    exportWeights: () => [],
    readWeights: async () => [],
    dispose: () => {},
  };
  return network;
};

describe('cli train', () => {
  it('prints the documented JSON', async () => {
    const c = collect();
    const code = await runTrain(
      tiny,
      { framework: 'multitask', encoder: 'moe', folds: '3', seed: '4', json: true },
      c.output,
      stub,
    );
    expect(code).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc).toMatchObject({ framework: 'multitask', encoder: 'moe', parameters: 7, seed: 4 });
    expect(doc.folds).toHaveLength(3);
    const tested = doc.folds.flatMap((f: { testSubjects: string[] }) => f.testSubjects);
    expect(tested.sort()).toEqual([
      '1',
      '13',
      '14',
      '15',
      '2',
      '25',
      '26',
      '27',
      '3',
      '37',
      '38',
      '39',
    ]);
    for (const f of doc.folds) {
      expect(f.pkRmse).toBeGreaterThan(0);
      expect(f.pdRmse).toBeGreaterThan(0);
    }
    expect(doc.pkRmse).toBeGreaterThan(0);
    expect(doc.pdRmse).toBeGreaterThan(0);
    expect(doc.trainSeconds).toBeGreaterThanOrEqual(0);
    expect(doc.inputs).toEqual(featureNames());
    expect(c.err).toEqual([]);
  });

  it('repeats the cross-validation over seeds and summarises folds × seeds', async () => {
    const c = collect();
    const opts = { framework: 'cascade', encoder: 'mlp', folds: '3', seeds: '2', json: true };
    expect(await runTrain(tiny, opts, c.output, stub)).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc.seeds).toEqual([1, 101]);
    expect(doc.folds).toHaveLength(6);
    expect(doc.folds.map((f: { seed: number }) => f.seed)).toEqual([1, 1, 1, 101, 101, 101]);
    expect(doc.foldRmse.pd.n).toBe(6);
    const pd = doc.folds.map((f: { pdRmse: number }) => f.pdRmse);
    const mean = pd.reduce((a: number, b: number) => a + b, 0) / pd.length;
    expect(doc.foldRmse.pd.mean).toBeCloseTo(mean, 12);
    expect(doc.foldRmse.pd.sd).toBeGreaterThan(0);
    const text = collect();
    await runTrain(tiny, { ...opts, json: false }, text.output, stub);
    expect(text.out.join('\n')).toMatch(/Over 6 folds × seeds: PK RMSE [\d.]+ ± [\d.]+ mg\/L/);
    const bad = collect();
    expect(await runTrain(tiny, { ...opts, seeds: '0' }, bad.output, stub)).toBe(1);
  });

  it('names the pre-dose biomarker among the inputs with --baseline-input', async () => {
    const c = collect();
    const opts = { framework: 'cascade', encoder: 'mlp', baselineInput: true, json: true };
    expect(await runTrain(tiny, opts, c.output, stub)).toBe(0);
    expect(JSON.parse(c.out.join('\n')).inputs.at(-1)).toBe('BASELINE_PD');
  });

  it('prints a readable table without --json', async () => {
    const c = collect();
    expect(
      await runTrain(tiny, { framework: 'independent', encoder: 'resmlp_moe' }, c.output, stub),
    ).toBe(0);
    const text = c.out.join('\n');
    expect(text).toMatch(/independent \/ resmlp_moe: 7 trainable parameters, 5-fold/);
    expect(text).toMatch(/PK RMSE mg\/L\s+PD RMSE ng\/mL/);
    expect(text).toMatch(/^All\s+\d+ PK, \d+ PD rows/m);
  });

  it('says what is wrong with the options, exit code 1', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ encoder: 'mlp' }, /--framework is required/],
      [
        { framework: 'joint', encoder: 'mlp' },
        /--framework must be one of independent, cascade, multitask, got "joint"/,
      ],
      [
        { framework: 'cascade', encoder: 'transformer' },
        /--encoder must be one of mlp, resmlp, moe, resmlp_moe/,
      ],
      [
        { framework: 'cascade', encoder: 'mlp', learningRate: '0' },
        /--learning-rate must be a number > 0, got "0"/,
      ],
      [
        { framework: 'cascade', encoder: 'mlp', hidden: '0' },
        /--hidden must be a whole number ≥ 1/,
      ],
      [
        { framework: 'cascade', encoder: 'mlp', head: 'pk' },
        /--head must be one of direct, parameters/,
      ],
      [{ framework: 'cascade', encoder: 'mlp', folds: '1' }, /--folds must be a whole number ≥ 2/],
      [{ framework: 'cascade', encoder: 'mlp', folds: '13' }, /13 folds need at least 13 subjects/],
      [
        { framework: 'cascade', encoder: 'mlp', epochs: '0' },
        /--epochs must be a whole number ≥ 1/,
      ],
      [{ framework: 'cascade', encoder: 'mlp', seed: 'x' }, /--seed must be a whole number/],
      [
        { framework: 'cascade', encoder: 'qnn', qubits: '1' },
        /--qubits must be a whole number ≥ 2/,
      ],
      [{ framework: 'cascade', encoder: 'qnn', qubits: '20' }, /--qubits must be at most 16/],
      [
        { framework: 'cascade', encoder: 'qnn', qlayers: '0' },
        /--qlayers must be a whole number ≥ 1/,
      ],
      [
        { framework: 'cascade', encoder: 'qnn', readout: 'w' },
        /--readout must be one of xyzzz, xyz, z/,
      ],
    ];
    for (const [opts, message] of cases) {
      const c = collect();
      expect(await runTrain(tiny, opts, c.output, stub), JSON.stringify(opts)).toBe(1);
      expect(c.err.join('\n')).toMatch(message);
    }
    const json = collect();
    expect(
      await runTrain(
        tiny,
        { framework: 'cascade', encoder: 'mlp', head: 'pk', json: true },
        json.output,
        stub,
      ),
    ).toBe(1);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/--head must be one of/),
    });
    const missing = collect();
    expect(
      await runTrain(
        '/nonexistent.csv',
        { framework: 'cascade', encoder: 'mlp' },
        missing.output,
        stub,
      ),
    ).toBe(1);
    expect(missing.err.join('\n')).toMatch(/No such file/);
  });

  it('passes the head and the training settings to the trainer and reports them', async () => {
    const c = collect();
    const seen: NeuralConfig[] = [];
    const spy: Trainer = async (train, validation, config, opts) => {
      seen.push(config);
      return stub(train, validation, config, opts);
    };
    const opts = {
      framework: 'independent',
      encoder: 'resmlp',
      head: 'parameters',
      learningRate: '5e-4',
      hidden: '16',
      blocks: '1',
      logTargets: true,
      folds: '3',
      json: true,
    };
    expect(await runTrain(tiny, opts, c.output, spy)).toBe(0);
    expect(seen[0]).toMatchObject({
      head: 'parameters',
      learningRate: 5e-4,
      hidden: 16,
      blocks: 1,
      logTargets: true,
    });
    expect(JSON.parse(c.out.join('\n'))).toMatchObject({
      head: 'parameters',
      learningRate: 5e-4,
      hidden: 16,
      blocks: 1,
      logTargets: true,
    });
  });

  it('trains real parameter-head networks for a few epochs', async () => {
    const c = collect();
    const opts = {
      framework: 'multitask',
      encoder: 'mlp',
      head: 'parameters',
      hidden: '8',
      folds: '3',
      epochs: '2',
      json: true,
    };
    expect(await runTrain(tiny, opts, c.output)).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc.head).toBe('parameters');
    expect(doc.parameters).toBeGreaterThan(0);
    expect(doc.folds.map((f: { epochs: number }) => f.epochs)).toEqual([2, 2, 2]);
    expect(Number.isFinite(doc.pkRmse) && Number.isFinite(doc.pdRmse)).toBe(true);
  }, 30_000);

  it('trains real networks for a few epochs', async () => {
    const c = collect();
    const opts = { framework: 'cascade', encoder: 'resmlp', folds: '3', epochs: '3', json: true };
    expect(await runTrain(tiny, opts, c.output)).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc.parameters).toBeGreaterThan(1000);
    expect(doc.folds.map((f: { epochs: number }) => f.epochs)).toEqual([3, 3, 3]);
    expect(Number.isFinite(doc.pkRmse) && Number.isFinite(doc.pdRmse)).toBe(true);
  }, 30_000);
});
