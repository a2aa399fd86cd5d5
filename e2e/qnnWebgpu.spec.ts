import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { HarnessCase, HarnessStatus, LeakCheck } from './harness/qnnHarness';
import type { QnnCheck } from '../src/workers/gpu/qnnWebGpu';
import { sharedDir } from './helpers';
import { useHarnessPage } from './harness/servePage';

/**
 * The QNN circuit's fused WebGPU kernels (src/workers/gpu/qnnWebGpu.ts) in a real browser. There
 * is no app page for raw modules, so a small harness page (e2e/harness/qnn.html) is built with
 * Vite and served on 127.0.0.1 (a secure context, so WebGPU can be offered) on its own port. In
 * the webgpu project (SwiftShader on the CPU here) the kernels are checked against the golden
 * file and a float64 simulation; in the no-webgpu project only that they say they cannot run.
 */

const PORT = 4181;

/** Tolerances (absolute): the kernels compute in float32. */
const TOL = {
  outputs: 1e-4,
  gradients: 1e-4,
} as const;

interface GoldenCase extends HarnessCase {
  readonly batch: number;
}
const golden = JSON.parse(
  readFileSync(path.join(sharedDir, 'golden/qnn-circuit.json'), 'utf8'),
) as { cases: GoldenCase[] };

const harness = useHarnessPage({
  html: 'qnn.html',
  port: PORT,
  label: 'qnn-webgpu-e2e',
  global: '__qnnHarness',
});
const pageErrors = harness.errors;

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test.afterEach(() => {
  expect(pageErrors, 'errors on the harness page').toEqual([]);
});

const status = () => harness.page.evaluate<HarnessStatus>('globalThis.__qnnHarness.ready');

/** harness.run(cases, opts): the kernels' largest absolute errors over the cases. */
function run(cases: readonly HarnessCase[], opts: object = {}): Promise<QnnCheck> {
  const args = [JSON.stringify(cases), JSON.stringify(opts)].map((a) => JSON.stringify(a));
  return harness.page.evaluate<QnnCheck>(`globalThis.__qnnHarness.run(${args.join(', ')})`);
}

function expectWithin(check: QnnCheck, tol: { outputs: number; gradients: number }, what: string) {
  expect(check.maxAbsErrOutputs, `${what}: outputs`).toBeLessThanOrEqual(tol.outputs);
  expect(check.maxAbsErrGradInputs, `${what}: dL/dx`).toBeLessThanOrEqual(tol.gradients);
  expect(check.maxAbsErrGradWeights, `${what}: dL/dw`).toBeLessThanOrEqual(tol.gradients);
}

test('says whether the kernels can run: only on tfjs’s webgpu backend', async () => {
  const s = await status();
  if (test.info().project.name === 'webgpu') {
    expect(s, s.reason).toMatchObject({ available: true, backend: 'webgpu' });
  } else {
    expect(s.available).toBe(false);
    expect(s.backend).not.toBe('webgpu');
    expect(s.reason).toMatch(/WebGPU|webgpu/);
  }
});

test.describe('on WebGPU', () => {
  test.beforeEach(() => {
    test.skip(test.info().project.name !== 'webgpu', 'needs WebGPU');
  });

  test('reproduces the golden outputs and gradients (2–10 qubits)', async () => {
    const check = await run(golden.cases);
    expectWithin(check, TOL, 'golden cases');
    // A few workgroups looping over the samples give the same answers.
    expectWithin(await run(golden.cases, { maxWorkgroups: 1 }), TOL, 'one workgroup');
    expectWithin(await run(golden.cases, { maxWorkgroups: 3 }), TOL, 'three workgroups');
  });

  test('differentiates through tfjs: customGrad op under tf.grads', async () => {
    const check = await harness.page.evaluate<QnnCheck>(
      `globalThis.__qnnHarness.runAutodiff(${JSON.stringify(JSON.stringify(golden.cases.slice(0, 3)))})`,
    );
    expectWithin(check, TOL, 'tf.grads');
  });

  test('agrees with a float64 simulation at 12 qubits (state in storage)', async () => {
    const c = twelveQubitCase();
    expectWithin(await run([c]), TOL, '12 qubits');
  });

  test('runs a batch past the 65,535 workgroups of one dispatch', async () => {
    // Golden case 0 (3 samples) repeated: 70,002 samples; dw sums over all of them.
    const repeat = 23_334;
    const check = await run([{ ...golden.cases[0], repeat }]);
    expect(check.maxAbsErrOutputs).toBeLessThanOrEqual(TOL.outputs);
    expect(check.maxAbsErrGradInputs).toBeLessThanOrEqual(TOL.gradients);
    // float32 sums of 70,002 per-sample gradients: compare relative to the batch.
    expect(check.maxAbsErrGradWeights / repeat).toBeLessThanOrEqual(TOL.gradients);
  });

  test('leaks no tensors and no GPU memory', async () => {
    const leaks = await harness.page.evaluate<LeakCheck>('globalThis.__qnnHarness.leaks()');
    expect(leaks.tensorsAfter).toBe(leaks.tensorsBefore);
    expect(leaks.gpuBytesAfter).toBe(leaks.gpuBytesBefore);
  });
});

/**
 * A 12-qubit, 3-layer case in the golden file's shape, with its reference values from a plain
 * per-gate float64 simulation (outputs) and central finite differences of it (gradients).
 */
function twelveQubitCase(): HarnessCase {
  const n = 12;
  const L = 3;
  const batch = 2;
  let seed = 20260512;
  const rand = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const inputs = Array.from({ length: batch }, () =>
    Array.from({ length: n }, () => rand() * 4 - 2),
  );
  const weights = Array.from({ length: 3 * L * n }, () => rand() * 2 * Math.PI);
  const coef = Array.from({ length: 4 * n }, () => rand() * 2 - 1);
  const loss = (x: number[], w: number[]) =>
    simulate(n, L, x, w).reduce((s, v, k) => s + v * coef[k], 0);
  const h = 1e-5;
  const gradInputs = inputs.map((x) =>
    x.map((_, i) => {
      const up = x.slice();
      const down = x.slice();
      up[i] += h;
      down[i] -= h;
      return (loss(up, weights) - loss(down, weights)) / (2 * h);
    }),
  );
  const gradWeights = weights.map((_, j) => {
    const up = weights.slice();
    const down = weights.slice();
    up[j] += h;
    down[j] -= h;
    return inputs.reduce((s, x) => s + (loss(x, up) - loss(x, down)) / (2 * h), 0);
  });
  return {
    n_qubits: n,
    n_layers: L,
    inputs,
    weights,
    loss_coefficients: coef,
    outputs: inputs.map((x) => simulate(n, L, x, weights)),
    grad_inputs: gradInputs,
    grad_weights: gradWeights,
  };
}

/**
 * The circuit gate by gate on a float64 state vector (wire 0 the most significant bit): RY(x_i),
 * RX(x_i), RZ(w0), RY(w1), RZ(w2) on each wire, CNOT(i, i+1 mod n); readout X, Y, Z, ZZ.
 */
function simulate(n: number, L: number, x: readonly number[], w: readonly number[]): number[] {
  const N = 2 ** n;
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  re[0] = 1;
  const bitOf = (wire: number) => 1 << (n - 1 - wire);
  /** Applies [[a, b], [c, d]] (complex, as [re, im] pairs) to one wire. */
  const apply = (wire: number, m: readonly number[]) => {
    const [ar, ai, br, bi, cr, ci, dr, di] = m;
    const bit = bitOf(wire);
    for (let k = 0; k < N; k++) {
      if (k & bit) continue;
      const k1 = k | bit;
      const [r0, i0, r1, i1] = [re[k], im[k], re[k1], im[k1]];
      re[k] = ar * r0 - ai * i0 + br * r1 - bi * i1;
      im[k] = ar * i0 + ai * r0 + br * i1 + bi * r1;
      re[k1] = cr * r0 - ci * i0 + dr * r1 - di * i1;
      im[k1] = cr * i0 + ci * r0 + dr * i1 + di * r1;
    }
  };
  const rx = (t: number) => {
    const [c, s] = [Math.cos(t / 2), Math.sin(t / 2)];
    return [c, 0, 0, -s, 0, -s, c, 0];
  };
  const ry = (t: number) => {
    const [c, s] = [Math.cos(t / 2), Math.sin(t / 2)];
    return [c, 0, -s, 0, s, 0, c, 0];
  };
  const rz = (t: number) => {
    const [c, s] = [Math.cos(t / 2), Math.sin(t / 2)];
    return [c, -s, 0, 0, 0, 0, c, s];
  };
  for (let l = 0; l < L; l++) {
    for (let i = 0; i < n; i++) apply(i, ry(x[i]));
    for (let i = 0; i < n; i++) apply(i, rx(x[i]));
    for (let i = 0; i < n; i++) {
      const g = 3 * (l * n + i);
      apply(i, rz(w[g]));
      apply(i, ry(w[g + 1]));
      apply(i, rz(w[g + 2]));
    }
    for (let i = 0; i < n; i++) {
      const [cb, tb] = [bitOf(i), bitOf((i + 1) % n)];
      for (let k = 0; k < N; k++) {
        if (k & cb && !(k & tb)) {
          const k1 = k | tb;
          [re[k], re[k1]] = [re[k1], re[k]];
          [im[k], im[k1]] = [im[k1], im[k]];
        }
      }
    }
  }
  const out = new Array<number>(4 * n).fill(0);
  for (let i = 0; i < n; i++) {
    const bit = bitOf(i);
    const next = bitOf((i + 1) % n);
    for (let k = 0; k < N; k++) {
      const p = re[k] ** 2 + im[k] ** 2;
      out[2 * n + i] += k & bit ? -p : p;
      out[3 * n + i] += !(k & bit) === !(k & next) ? p : -p;
      if (k & bit) continue;
      const k1 = k | bit;
      // conj(a_k)·a_k1: X = 2 Re, Y = 2 Im.
      out[i] += 2 * (re[k] * re[k1] + im[k] * im[k1]);
      out[n + i] += 2 * (re[k] * im[k1] - im[k] * re[k1]);
    }
  }
  return out;
}
