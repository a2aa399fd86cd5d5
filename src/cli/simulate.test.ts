import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSimulateSpec, registerSimulate, runSimulate } from './simulate';
import { simulatePkPd } from '../core/pkpd/pd';
import { expectClose, repoRoot, TOL } from '../testing/close';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'simulate-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The spec example every version of the CLI must accept. */
const EXAMPLE = {
  model: {
    pk: { type: 'oral1', CL: 0.04, V: 7, ka: 1 },
    pd: { type: 'indirect-inhibit-production', baseline: 10, kout: 0.015, Imax: 0.9, IC50: 1 },
  },
  regimen: { amt: 10, ii: 24, addl: 20 },
  times: [0, 1, 2, 24, 480, 500],
};

function writeSpec(name: string, spec: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return file;
}

function capture(args: string[]): { lines: string[]; done: Promise<unknown> } {
  const lines: string[] = [];
  const program = new Command().exitOverride();
  registerSimulate(program);
  const original = console.log;
  console.log = (text: string) => lines.push(text);
  const done = program.parseAsync(['node', 'cli', 'simulate', ...args]).finally(() => {
    console.log = original;
  });
  return { lines, done };
}

describe('simulate command', () => {
  it('prints the spec example as JSON equal to simulatePkPd', async () => {
    const { lines, done } = capture(['--spec', writeSpec('example.json', EXAMPLE), '--json']);
    await done;
    const out = JSON.parse(lines.join('\n')) as {
      times: number[];
      concentration: number[];
      biomarker: number[];
    };
    const expected = simulatePkPd(
      { pk: { type: 'oral1', CL: 0.04, V: 7, ka: 1 }, pd: EXAMPLE.model.pd as never },
      [{ time: 0, amt: 10, cmt: 1, evid: 1, ii: 24, addl: 20 }],
      EXAMPLE.times,
    );
    expect(out.times).toEqual(EXAMPLE.times);
    EXAMPLE.times.forEach((t, i) => {
      expectClose(out.concentration[i], expected.concentration[i], {
        rel: TOL.exact,
        context: `C(${t})`,
      });
      expectClose(out.biomarker[i], expected.biomarker![i], { rel: TOL.exact, context: `R(${t})` });
    });
    expect(out.biomarker[0]).toBe(10);
    expect(out.biomarker[4]).toBeLessThan(3);
  });

  it('accepts NONMEM-style record arrays with defaults, and {dose, interval, doses}', () => {
    const records = parseSimulateSpec({ ...EXAMPLE, regimen: [{ amt: 10, ii: 24, addl: 20 }] });
    expect(records.events).toEqual([
      { time: 0, amt: 10, cmt: 1, evid: 1, rate: 0, ii: 24, addl: 20, ss: 0 },
    ]);
    const iv = parseSimulateSpec({
      model: { pk: { type: 'iv1', CL: 1, V: 10 } },
      regimen: [{ amt: 5 }],
      times: [1],
    });
    expect(iv.events[0].cmt).toBe(2);
    const clinical = parseSimulateSpec({
      ...EXAMPLE,
      regimen: { dose: 10, interval: 24, doses: 21 },
    });
    expect(runSimulateJson(clinical)).toEqual(runSimulateJson(records));
    const grid = parseSimulateSpec({ ...EXAMPLE, times: { from: 0, to: 48, step: 0.5 } });
    expect(grid.times).toHaveLength(97);
  });

  it('names the field of an invalid spec', () => {
    const bad = (patch: Record<string, unknown>) => () =>
      parseSimulateSpec({ ...EXAMPLE, ...patch });
    expect(bad({ regimen: [{ amt: 10 }, { amt: 'x' }] })).toThrow(
      'spec.regimen[1].amt must be a finite number, got "x"',
    );
    expect(bad({ regimen: { amt: 10, addl: 3 } })).toThrow(
      'spec.regimen.ii must be > 0 when addl is given',
    );
    expect(bad({ times: [] })).toThrow(/spec.times must be a non-empty array/);
    expect(bad({ model: { pk: { type: 'oral1', CL: -1, V: 7, ka: 1 } } })).toThrow(
      'spec.model.pk: PK parameter CL must be > 0, got -1',
    );
    expect(bad({ model: { ...EXAMPLE.model, pd: { ...EXAMPLE.model.pd, IC50: -1 } } })).toThrow(
      'spec.model.pd: PD parameter IC50 must be > 0, got -1',
    );
    expect(bad({ model: { pk: { type: 'oral1', cl: 1, V: 7, ka: 1 } } })).toThrow(
      /unknown field "cl"/,
    );
    expect(() => parseSimulateSpec({ model: EXAMPLE.model, times: [0] })).toThrow(
      'spec.regimen is required',
    );
  });

  it('prints a readable table without --json', () => {
    const lines: string[] = [];
    runSimulate({ spec: writeSpec('table.json', EXAMPLE) }, (t) => lines.push(t));
    const rows = lines.join('\n').split('\n');
    expect(rows[0]).toMatch(/time \(h\)\s+concentration \(mg\/L\)\s+biomarker \(ng\/mL\)/);
    expect(rows).toHaveLength(1 + EXAMPLE.times.length);
  });

  it('exits 1 with the field named when run through the CLI entry point', async () => {
    const file = writeSpec('bad.json', { ...EXAMPLE, regimen: { amt: -5 } });
    const err = await run('npx', ['tsx', 'src/cli/main.ts', 'simulate', '--spec', file, '--json'], {
      cwd: repoRoot,
    }).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toContain('spec.regimen.amt must be ≥ 0, got -5');
    const notJson = await run(
      'npx',
      ['tsx', 'src/cli/main.ts', 'simulate', '--spec', writeSpec('x.json', '{oops')],
      {
        cwd: repoRoot,
      },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((notJson as { code: number }).code).toBe(1);
    expect((notJson as { stderr: string }).stderr).toMatch(/not valid JSON/);
  });

  it('prints the spec example through the CLI entry point', async () => {
    const { stdout } = await run(
      'npx',
      ['tsx', 'src/cli/main.ts', 'simulate', '--spec', writeSpec('cli.json', EXAMPLE), '--json'],
      { cwd: repoRoot },
    );
    const out = JSON.parse(stdout) as { times: number[]; biomarker: number[] };
    expect(out.times).toEqual(EXAMPLE.times);
    expect(out.biomarker).toHaveLength(6);
  });
});

function runSimulateJson(spec: ReturnType<typeof parseSimulateSpec>) {
  const r = simulatePkPd(spec.model, spec.events, spec.times);
  return { c: Array.from(r.concentration), b: Array.from(r.biomarker ?? []) };
}
