import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runTrial } from './trial';
import { DEMO_TRIAL_SEED, generateDemoTrial } from '../core/trial/demoTrial';
import { TRUE_MODEL } from '../core/trial/trueModel';
import { repoRoot } from '../testing/close';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trial-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('trial command', () => {
  it('writes the demo trial for a seed and reports it as JSON', () => {
    const out = path.join(dir, 'nested', 'trial.csv');
    const lines: string[] = [];
    runTrial({ seed: '7', out, json: true }, (t) => lines.push(t));
    const report = JSON.parse(lines[0]) as {
      seed: number;
      out: string;
      subjects: number;
      trueModel: unknown;
    };
    expect(report.seed).toBe(7);
    expect(report.out).toBe(out);
    expect(report.subjects).toBe(48);
    expect(report.trueModel).toEqual(TRUE_MODEL);
    expect(fs.readFileSync(out, 'utf8')).toBe(generateDemoTrial(7).csv);
  });

  it('defaults to the app demo seed and rejects a bad seed', () => {
    const out = path.join(dir, 'default.csv');
    const lines: string[] = [];
    runTrial({ out }, (t) => lines.push(t));
    expect(fs.readFileSync(out, 'utf8')).toBe(generateDemoTrial(DEMO_TRIAL_SEED).csv);
    expect(lines[0]).toMatch(/Wrote 48 subjects \(2820 records\)/);
    expect(() => runTrial({ seed: 'abc', out })).toThrow(/--seed must be an integer/);
  });

  it('runs through the CLI entry point', async () => {
    const out = path.join(dir, 'cli.csv');
    const { stdout } = await run(
      'npx',
      ['tsx', 'src/cli/main.ts', 'trial', '--seed', '3', '--out', out, '--json'],
      {
        cwd: repoRoot,
      },
    );
    const report = JSON.parse(stdout) as { seed: number; subjects: number };
    expect(report).toMatchObject({ seed: 3, subjects: 48 });
    expect(fs.readFileSync(out, 'utf8')).toBe(generateDemoTrial(3).csv);
  });
});
