import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectOutput } from '../testing/cli';
import { repoRoot } from '../testing/close';
import { loadModelFile, parseFraction, parseRange, runChallengeCli, runOptimize } from './dosing';
import { runFit } from './fit';

const estData = path.join(repoRoot, '../shared/data/EstData.csv');
const theo = path.join(repoRoot, 'src/core/nlme/fixtures/theophylline.csv');

const collect = collectOutput;

const question = { interval: '24', step: '0.5', target: '0.9', threshold: '3.3' };

describe('cli optimize', () => {
  it('prints the documented JSON for the demo model', () => {
    const c = collect();
    const code = runOptimize(
      { model: 'demo-truth', ...question, subjects: '2000', seed: '3', json: true },
      c.output,
    );
    expect(code).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc.dose).toBeGreaterThan(0);
    expect(Number.isInteger(doc.dose / 0.5)).toBe(true);
    expect(doc.attainment).toBeGreaterThanOrEqual(0.9);
    expect(doc.curve.length).toBeGreaterThan(10);
    for (const p of doc.curve) expect(Object.keys(p)).toEqual(['dose', 'attainment', 'lo', 'hi']);
    const at = doc.curve.find((p: { dose: number }) => p.dose === doc.dose);
    expect(at.attainment).toBe(doc.attainment);
    // "above" the same threshold: attained at dose 0 by everyone.
    const c2 = collect();
    runOptimize(
      { model: 'demo-truth', ...question, direction: 'above', subjects: '200', json: true },
      c2.output,
    );
    expect(JSON.parse(c2.out.join('\n')).dose).toBe(0);
  });

  it('says what is wrong with the arguments', () => {
    const bad: [Record<string, string>, RegExp][] = [
      [{ step: '0' }, /Dose step must be > 0/],
      [{ target: '1.5' }, /--target must be a fraction/],
      [{ direction: 'sideways' }, /--direction must be below or above/],
      [{ bw: '100-50' }, /--bw must be a range/],
      [{ subjects: '0' }, /Population size/],
      [{ model: 'nope.fit.json' }, /No such model file: nope\.fit\.json/],
      [{ uncertainty: '20' }, /--uncertainty needs a fit with parameter draws/],
    ];
    for (const [change, message] of bad) {
      const c = collect();
      expect(runOptimize({ model: 'demo-truth', ...question, ...change }, c.output)).toBe(1);
      expect(c.err.join('\n')).toMatch(message);
    }
    expect(parseFraction('target', '90%')).toBeCloseTo(0.9);
    expect(parseRange('bw', '70–140')).toEqual([70, 140]);
  });

  it('reads a fit written by fit --out, and refuses one without a biomarker', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkpd-'));
    const file = path.join(dir, 'theo.fit.json');
    const c = collect();
    expect(
      await runFit(theo, { model: 'pk1-oral', noCov: true, quiet: true, out: file }, c.output),
    ).toBe(0);
    const loaded = loadModelFile(file);
    expect(loaded.model.pk).toBe('oral1');
    expect(loaded.domain?.doseRange[0]).toBeGreaterThan(0);
    const c2 = collect();
    expect(runOptimize({ model: file, ...question }, c2.output)).toBe(1);
    expect(c2.err.join('\n')).toMatch(/no biomarker/);
    fs.rmSync(dir, { recursive: true });
  }, 60_000);
});

describe('cli challenge', () => {
  it('answers the five questions with a given model', async () => {
    const c = collect();
    const code = await runChallengeCli(
      estData,
      { model: 'demo-truth', subjects: '1000', json: true },
      c.output,
    );
    expect(code).toBe(0);
    const doc = JSON.parse(c.out.join('\n'));
    expect(doc.comedFraction).toBe(0.5);
    expect(doc.answers).toHaveLength(12);
    for (const a of doc.answers) {
      expect(['base', 'bw70-140', 'no-comed']).toContain(a.scenario);
      expect([24, 168]).toContain(a.interval);
      expect([0.9, 0.75]).toContain(a.target);
      expect(a.dose).toBeGreaterThan(0);
      expect(a.attainment).toBeGreaterThanOrEqual(a.target);
    }
    const text = collect();
    await runChallengeCli(estData, { model: 'demo-truth', subjects: '300' }, text.output);
    expect(text.out.join('\n')).toMatch(/no-comed\s+168 h\s+75%/);
  });

  it('refuses an unknown fit model and a missing file', async () => {
    const c = collect();
    expect(await runChallengeCli(estData, { fitModel: 'pk3-oral' }, c.output)).toBe(1);
    expect(c.err.join('\n')).toMatch(/pk3/);
    const c2 = collect();
    expect(await runChallengeCli('missing.csv', {}, c2.output)).toBe(1);
    expect(c2.err.join('\n')).toMatch(/No such file/);
  });
});
