import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  EST_DATA_COUNTS,
  estDataPath,
  joinCsv,
  readEstData,
  splitCsv,
} from '../core/data/testFixtures';
import { repoRoot } from '../testing/close';
import { registerSummary, runSummary, type SummaryOptions } from './summary';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function summary(file: string, opts: SummaryOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runSummary(file, opts, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const { header, rows } = splitCsv(readEstData());
const renamed = writeFile(
  'renamed.csv',
  joinCsv(
    header.map((h) => (h === 'DV' ? 'Y' : h === 'BW' ? 'WT0' : h)),
    rows,
  ),
);
const bad = writeFile(
  'bad.csv',
  [
    'ID,TIME,DV,AMT,EVID,MDV,CMT,DVID',
    '1,0,.,5,1,1,1,0',
    '1,1,abc,0,0,0,2,1',
    '1,0.5,2.0,0,0,0,2,1',
  ].join('\n'),
);

describe('summary <file> --json', () => {
  it('prints the counts of EstData.csv as one JSON document', () => {
    const r = summary(estDataPath, { json: true });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({
      ok: true,
      subjects: EST_DATA_COUNTS.subjects,
      doseRecords: EST_DATA_COUNTS.doseRecords,
      observations: EST_DATA_COUNTS.observations,
      covariates: ['BW', 'COMED', 'DOSE'],
    });
    expect(doc.covariateStats.BW).toMatchObject({ min: 51, max: 100 });
  });

  it('reads a renamed file with --columns DV=Y,BW=WT0', () => {
    const r = summary(renamed, { json: true, columns: 'DV=Y,BW=WT0' });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ subjects: 48, observations: EST_DATA_COUNTS.observations });
    expect(doc.mapping).toMatchObject({ DV: 'Y', BW: 'WT0' });
  });

  it('puts the problems of a refused file on stdout and exits 1', () => {
    const r = summary(bad, { json: true });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc.ok).toBe(false);
    expect(doc.problems[0]).toMatchObject({ line: 3, column: 'DV', value: 'abc' });
  });
});

describe('summary <file>', () => {
  it('prints a readable summary', () => {
    const r = summary(estDataPath);
    expect(r.code).toBe(0);
    expect(r.out).toContain('EstData.csv: 48 subjects, 2820 records');
    expect(r.out).toContain('Dose records: 756');
    expect(r.out).toContain('Observations: DVID 1: 864, DVID 2: 1200');
    expect(r.out).toContain('placebo (12), 1 mg (12), 3 mg (12), 10 mg (12)');
    expect(r.out).toMatch(/BW\s+constant, min 51, .* max 100/);
  });

  it('lists each problem as line, column, value and message, and exits 1', () => {
    const r = summary(bad);
    expect(r.code).toBe(1);
    const lines = r.err.split('\n');
    expect(lines[0]).toContain('was not loaded: 2 problems');
    expect(lines[1]).toBe('line 3, column DV, value "abc": DV must be a number.');
    expect(lines[2]).toMatch(/^line 4, column TIME, value "0.5": TIME goes back/);
  });

  it('suggests the mapping when a required column is missing', () => {
    const r = summary(renamed);
    expect(r.code).toBe(1);
    expect(r.err).toContain('--columns DV=');
  });

  it('says clearly when the file does not exist', () => {
    const missing = path.join(dir, 'nope.csv');
    expect(summary(missing)).toEqual({ code: 1, out: '', err: `No such file: ${missing}` });
    expect(JSON.parse(summary(missing, { json: true }).out)).toEqual({
      ok: false,
      error: `No such file: ${missing}`,
    });
  });

  it('names the bad part of --columns', () => {
    const r = summary(estDataPath, { columns: 'DV=Y,WEIGHT' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('"WEIGHT" is not ROLE=NAME');
  });

  it('refuses a directory', () => {
    expect(summary(dir).code).toBe(1);
  });
});

describe('registerSummary', () => {
  const original = { log: console.log, error: console.error };
  afterEach(() => {
    console.log = original.log;
    console.error = original.error;
    process.exitCode = undefined;
  });

  async function parse(args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    console.log = (t: string) => out.push(t);
    console.error = (t: string) => err.push(t);
    const program = new Command().exitOverride();
    registerSummary(program);
    await program.parseAsync(['node', 'cli', 'summary', ...args]);
    const code = process.exitCode;
    console.log = original.log;
    console.error = original.error;
    return { out: out.join('\n'), err: err.join('\n'), code };
  }

  it('wires the arguments and options through commander', async () => {
    const r = await parse([renamed, '--columns', 'DV=Y,BW=WT0', '--json']);
    expect(JSON.parse(r.out).subjects).toBe(48);
    expect(r.code).toBeUndefined();
  });

  it('sets exit code 1 for a refused file', async () => {
    const r = await parse([bad]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('line 3, column DV, value "abc"');
  });
});

/**
 * The real command line, through main.ts. main.ts also loads the other commands; while they
 * cannot be loaded (another engineer's work in progress) this block is skipped, and says why.
 */
function cliLoads(): { ok: boolean; why: string } {
  const probe = spawnSync('npx', ['tsx', 'src/cli/main.ts', '--help'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return {
    ok: probe.status === 0,
    why: (probe.stderr ?? '').split('\n').find((l) => /Error/.test(l)) ?? '',
  };
}
const cli = cliLoads();
if (!cli.ok)
  console.warn(`Skipping the child-process CLI tests: main.ts does not load (${cli.why})`);

describe.skipIf(!cli.ok)('npx tsx src/cli/main.ts summary', () => {
  const run = (args: string[]) =>
    spawnSync('npx', ['tsx', 'src/cli/main.ts', 'summary', ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('prints JSON counts for EstData.csv and exits 0', () => {
    const r = run([estDataPath, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      subjects: 48,
      doseRecords: 756,
      observations: { '1': 864, '2': 1200 },
      covariates: ['BW', 'COMED', 'DOSE'],
    });
  });

  it('maps columns with --columns', () => {
    const r = run([renamed, '--columns', 'DV=Y,BW=WT0', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).observations).toEqual({ '1': 864, '2': 1200 });
  });

  it('exits 1 with line, column and value for a bad file, and for a missing one', () => {
    const r = run([bad]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('line 3, column DV, value "abc": DV must be a number.');
    const j = run([bad, '--json']);
    expect(j.status).toBe(1);
    expect(JSON.parse(j.stdout).problems).toHaveLength(2);
    const missing = run([path.join(dir, 'missing.csv')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('No such file');
  });
});
