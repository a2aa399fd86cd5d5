import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { collectOutput } from '../testing/cli';
import { loadGoldenQnn } from '../core/quantum/testFixtures';
import { expectClose, repoRoot } from '../testing/close';
import { runQnnEval } from './qnnEval';

const run = promisify(execFile);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qnn-eval-cli-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The golden file's values are float64 results of another simulator. */
const GOLDEN_TOL = 1e-9;

function writeSpec(name: string, spec: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof spec === 'string' ? spec : JSON.stringify(spec));
  return file;
}

const collect = collectOutput;

function expectNestedClose(actual: unknown, expected: unknown, context: string): void {
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), context).toBe(true);
    expect((actual as unknown[]).length, context).toBe(expected.length);
    expected.forEach((e, i) => expectNestedClose((actual as unknown[])[i], e, `${context}[${i}]`));
  } else {
    expectClose(actual as number, expected as number, { abs: GOLDEN_TOL, rel: 0, context });
  }
}

const golden = loadGoldenQnn();

describe('cli qnn-eval', () => {
  it('reproduces every golden case (outputs, grad_inputs, grad_weights) with --json', () => {
    golden.forEach((c, i) => {
      const spec = writeSpec(`golden-${i}.json`, c);
      const o = collect();
      expect(runQnnEval({ spec, json: true }, o.output)).toBe(0);
      expect(o.err).toEqual([]);
      const doc = JSON.parse(o.out.join('\n'));
      expect(Object.keys(doc).sort()).toEqual(['grad_inputs', 'grad_weights', 'outputs']);
      expectNestedClose(doc.outputs, c.outputs, `case ${i} outputs`);
      expectNestedClose(doc.grad_inputs, c.grad_inputs, `case ${i} grad_inputs`);
      expectNestedClose(doc.grad_weights, c.grad_weights, `case ${i} grad_weights`);
    });
  });

  it('prints a readable summary without --json', () => {
    const c = golden[0];
    const o = collect();
    expect(runQnnEval({ spec: writeSpec('summary.json', c) }, o.output)).toBe(0);
    const text = o.out.join('\n');
    expect(text).toMatch(/2 qubits × 1 layer, readout xyzzz \(8 values\), batch 3/);
    expect(text).toMatch(
      /Depth 5, 8 gates \(2 CNOT\), 6 trainable angles; within quantum volume 512/,
    );
    expect(text).toContain('⟨Z_1 Z_0⟩');
    expect(text).toContain(c.outputs[0][0].toFixed(6));
  });

  it('honours a narrower readout', () => {
    const c = golden[1];
    const n = c.n_qubits;
    const spec = { ...c, readout: 'z', loss_coefficients: c.loss_coefficients.slice(2 * n, 3 * n) };
    const o = collect();
    expect(runQnnEval({ spec: writeSpec('z.json', spec), json: true }, o.output)).toBe(0);
    const doc = JSON.parse(o.out.join('\n'));
    expectNestedClose(
      doc.outputs,
      c.outputs.map((row) => row.slice(2 * n, 3 * n)),
      'z outputs',
    );
  });

  it('names the key and the expected shape of a bad spec', () => {
    const c = golden[1]; // 4 qubits, 2 layers
    const cases: [unknown, RegExp][] = [
      [[1, 2], /The spec must be a JSON object/],
      [{ ...c, n_qubits: 1 }, /spec\.n_qubits must be a whole number in 2\.\.24, got 1/],
      [{ ...c, n_layers: 'two' }, /spec\.n_layers must be a whole number in 1\.\.1000, got "two"/],
      [
        {
          ...c,
          inputs: [
            [1, 2, 3, 4],
            [1, 2],
          ],
        },
        /spec\.inputs must be \[batch\]\[n_qubits\] = \[B\]\[4\] of finite numbers; spec\.inputs\[1\] has 2 entries, expected 4/,
      ],
      [{ ...c, inputs: [] }, /spec\.inputs .* has 0 entries, expected at least 1/],
      [{ ...c, inputs: undefined }, /spec\.inputs is nothing, not an array/],
      [
        { ...c, inputs: [[1, 2, 'x', 4]] },
        /spec\.inputs must be \[batch\]\[n_qubits\] = \[B\]\[4\] of finite numbers; spec\.inputs\[0\]\[2\] is "x"/,
      ],
      [
        { ...c, weights: c.weights.slice(0, 1) },
        /spec\.weights must be \[n_layers\]\[n_qubits\]\[3\] = \[2\]\[4\]\[3\] of finite numbers; spec\.weights has 1 entries, expected 2/,
      ],
      [
        { ...c, loss_coefficients: [1, 2] },
        /spec\.loss_coefficients must be \[16\] \(one per output of readout xyzzz on 4 qubits\)/,
      ],
      [{ ...c, readout: 'xy' }, /spec\.readout must be one of xyzzz, xyz, z, got "xy"/],
      [{ ...c, batch: 7 }, /spec\.batch is 7 but spec\.inputs has 4 samples/],
    ];
    cases.forEach(([spec, message], i) => {
      const o = collect();
      expect(
        runQnnEval({ spec: writeSpec(`bad-${i}.json`, spec) }, o.output),
        String(message),
      ).toBe(1);
      expect(o.err.join('\n')).toMatch(message);
      expect(o.err.join('\n')).not.toMatch(/\n\s+at /);
      const j = collect();
      expect(runQnnEval({ spec: writeSpec(`bad-${i}.json`, spec), json: true }, j.output)).toBe(1);
      expect(JSON.parse(j.out.join('\n'))).toMatchObject({ ok: false });
    });
    const missing = collect();
    expect(runQnnEval({ spec: path.join(dir, 'absent.json') }, missing.output)).toBe(1);
    expect(missing.err.join('\n')).toMatch(/Cannot read spec .*absent\.json/);
    const notJson = collect();
    expect(runQnnEval({ spec: writeSpec('oops.json', '{oops') }, notJson.output)).toBe(1);
    expect(notJson.err.join('\n')).toMatch(/is not valid JSON/);
    const none = collect();
    expect(runQnnEval({}, none.output)).toBe(1);
    expect(none.err.join('\n')).toMatch(/--spec <file> is required/);
  });

  it('runs through the CLI entry point: JSON on success, exit 1 and a clear message on error', async () => {
    const c = golden[0];
    const { stdout } = await run(
      'npx',
      ['tsx', 'src/cli/main.ts', 'qnn-eval', '--spec', writeSpec('cli.json', c), '--json'],
      { cwd: repoRoot },
    );
    expectNestedClose(JSON.parse(stdout).outputs, c.outputs, 'cli outputs');
    const err = await run(
      'npx',
      [
        'tsx',
        'src/cli/main.ts',
        'qnn-eval',
        '--spec',
        writeSpec('cli-bad.json', { ...c, weights: [] }),
      ],
      { cwd: repoRoot },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((err as { code: number }).code).toBe(1);
    expect((err as { stderr: string }).stderr).toMatch(/spec\.weights must be \[n_layers\]/);
    expect((err as { stderr: string }).stderr).not.toMatch(/\n\s+at /);
  });
});
