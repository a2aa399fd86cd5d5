import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectClose, sharedDir } from '../../../testing/close';
import {
  DEFAULT_WORKGROUP_STORAGE_BYTES,
  QNN_MAX_QUBITS,
  qnnBackwardKernel,
  qnnForwardKernel,
  qnnKernelPlan,
  qnnLayouts,
  sinCosF32,
  type QnnLayout,
} from './qnnShader';

/** Tolerances of these tests. */
const TOL = {
  /** The float32 sin/cos against Math.sin/Math.cos over [−100, 100] (absolute). */
  sinCos: 2e-7,
  /** The kernels' algorithm in float64 against the golden file (absolute). */
  golden: 1e-9,
} as const;

interface GoldenCase {
  n_qubits: number;
  n_layers: number;
  batch: number;
  inputs: number[][];
  weights: number[][][];
  loss_coefficients: number[];
  outputs: number[][];
  grad_inputs: number[][];
  grad_weights: number[][][];
}

const golden = JSON.parse(
  fs.readFileSync(path.join(sharedDir, 'golden/qnn-circuit.json'), 'utf8'),
) as { cases: GoldenCase[] };

describe('sinCosF32 (the kernels’ sin/cos)', () => {
  it('is within 2e-7 of Math.sin/Math.cos over [−100, 100]', () => {
    let worst = 0;
    let worstAt = 0;
    const check = (theta: number) => {
      const t = Math.fround(theta);
      const { sin, cos } = sinCosF32(t);
      const err = Math.max(Math.abs(sin - Math.sin(t)), Math.abs(cos - Math.cos(t)));
      if (err > worst) {
        worst = err;
        worstAt = t;
      }
    };
    for (let i = -1_000_000; i <= 1_000_000; i++) check(i * 1e-4);
    // Octant boundaries and their float32 neighbours, where the range reduction switches.
    for (let k = -128; k <= 128; k++) {
      const b = (k * Math.PI) / 4;
      for (const d of [-2e-6, -1e-7, 0, 1e-7, 2e-6]) check(b + d);
    }
    expect(worst, `worst error ${worst} at θ = ${worstAt}`).toBeLessThanOrEqual(TOL.sinCos);
  });

  it('is odd in sin and even in cos, exactly', () => {
    for (const t of [0.1, 1, 2.5, 10, 77.7]) {
      expect(sinCosF32(-t).sin).toBe(-sinCosF32(t).sin);
      expect(sinCosF32(-t).cos).toBe(sinCosF32(t).cos);
    }
  });
});

describe('qnnLayouts (the CNOT rings as a change of basis)', () => {
  const parity = (v: number) => {
    let p = 0;
    for (let x = v; x; x &= x - 1) p ^= 1;
    return p;
  };
  /** Logical basis state of amplitude p: bit n−1−i = parity(rows[i] & p). */
  const logical = (lay: QnnLayout, p: number, n: number) =>
    lay.rows.reduce((k, r, i) => k | (parity(r & p) << (n - 1 - i)), 0);
  /** The CNOT ring on a basis state: CNOT(i, i+1 mod n) for i = 0..n−1, wire 0 the MSB. */
  const ring = (k: number, n: number) => {
    for (let c = 0; c < n; c++) {
      const t = (c + 1) % n;
      if ((k >> (n - 1 - c)) & 1) k ^= 1 << (n - 1 - t);
    }
    return k;
  };

  it('keeps rows and masks inverse to each other, and each low bit in its mask', () => {
    for (const n of [2, 3, 5, 8, 14]) {
      for (const lay of qnnLayouts(n, 4)) {
        for (let i = 0; i < n; i++) {
          expect((lay.masks[i] >> lay.lowBits[i]) & 1).toBe(1);
          for (let j = 0; j < n; j++) expect(parity(lay.rows[i] & lay.masks[j])).toBe(+(i === j));
        }
      }
    }
  });

  it('follows the CNOT ring: layout l+1 of p is the ring applied to layout l of p', () => {
    for (const n of [2, 3, 4, 7]) {
      const lays = qnnLayouts(n, 3);
      expect(lays).toHaveLength(4);
      expect(lays[0].rows).toEqual(Array.from({ length: n }, (_, i) => 1 << (n - 1 - i)));
      for (let l = 0; l < 3; l++) {
        for (let p = 0; p < 2 ** n; p++) {
          expect(logical(lays[l + 1], p, n)).toBe(ring(logical(lays[l], p, n), n));
        }
      }
    }
  });

  it('rejects sizes it has no kernel for', () => {
    expect(() => qnnLayouts(1, 1)).toThrow(/nQubits/);
    expect(() => qnnLayouts(QNN_MAX_QUBITS + 1, 1)).toThrow(/nQubits/);
    expect(() => qnnLayouts(4, 0)).toThrow(/nLayers/);
  });
});

/**
 * The kernels' algorithm, step for step, in float64: product-state first layer, gates in the
 * permuted basis of qnnLayouts, λ = M·ψ gathered per amplitude, and the adjoint sweep with
 * per-wire environments and the analytic derivative of the five rotations. Checks the maths of
 * the WGSL (not its float32 arithmetic, which the browser test checks).
 */
type C = [number, number];
const cmul = (a: C, b: C): C => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
const cj = (a: C): C => [a[0], -a[1]];
const cadd = (a: C, b: C): C => [a[0] + b[0], a[1] + b[1]];
type M2 = [C, C, C, C];
const mm = (p: M2, q: M2): M2 => [
  cadd(cmul(p[0], q[0]), cmul(p[1], q[2])),
  cadd(cmul(p[0], q[1]), cmul(p[1], q[3])),
  cadd(cmul(p[2], q[0]), cmul(p[3], q[2])),
  cadd(cmul(p[2], q[1]), cmul(p[3], q[3])),
];
const dag = (p: M2): M2 => [cj(p[0]), cj(p[2]), cj(p[1]), cj(p[3])];
const half = (t: number): [number, number] => [Math.sin(t / 2), Math.cos(t / 2)];
const ry = ([s, c]: [number, number]): M2 => [
  [c, 0],
  [-s, 0],
  [s, 0],
  [c, 0],
];
const rx = ([s, c]: [number, number]): M2 => [
  [c, 0],
  [0, -s],
  [0, -s],
  [c, 0],
];
const rz = ([s, c]: [number, number]): M2 => [
  [c, -s],
  [0, 0],
  [0, 0],
  [c, s],
];
const parityOf = (v: number) => {
  let p = 0;
  for (let x = v; x; x &= x - 1) p ^= 1;
  return p;
};

function emulate(
  n: number,
  L: number,
  x: readonly number[],
  w: readonly number[],
  dy: readonly number[],
): { y: number[]; dx: number[]; dw: number[] } {
  const lays = qnnLayouts(n, L);
  const N = 2 ** n;
  const U: M2[] = [];
  for (let l = 0; l < L; l++) {
    for (let i = 0; i < n; i++) {
      const g = l * n + i;
      const hx = half(x[i]);
      U.push(
        mm(
          rz(half(w[3 * g + 2])),
          mm(ry(half(w[3 * g + 1])), mm(rz(half(w[3 * g])), mm(rx(hx), ry(hx)))),
        ),
      );
    }
  }
  const pairs = (lay: QnnLayout, i: number) => {
    const out: [number, number][] = [];
    const lb = lay.lowBits[i];
    for (let j = 0; j < N / 2; j++) {
      const p = ((j >> lb) << (lb + 1)) | (j & ((1 << lb) - 1));
      const i0 = parityOf(lay.rows[i] & p) ? p ^ lay.masks[i] : p;
      out.push([i0, i0 ^ lay.masks[i]]);
    }
    return out;
  };
  const psi: C[] = [];
  for (let p = 0; p < N; p++) {
    let a: C = [1, 0];
    for (let i = 0; i < n; i++) a = cmul(a, (p >> (n - 1 - i)) & 1 ? U[i][2] : U[i][0]);
    psi.push(a);
  }
  for (let l = 1; l < L; l++) {
    for (let i = 0; i < n; i++) {
      const u = U[l * n + i];
      for (const [i0, i1] of pairs(lays[l], i)) {
        const a0 = psi[i0];
        const a1 = psi[i1];
        psi[i0] = cadd(cmul(u[0], a0), cmul(u[1], a1));
        psi[i1] = cadd(cmul(u[2], a0), cmul(u[3], a1));
      }
    }
  }
  const out = lays[L];
  const sg = (r: number, p: number) => 1 - 2 * parityOf(r & p);
  const y = new Array<number>(4 * n).fill(0);
  for (let i = 0; i < n; i++) {
    for (const [i0, i1] of pairs(out, i)) {
      const z = cmul(cj(psi[i0]), psi[i1]);
      y[i] += 2 * z[0];
      y[n + i] += 2 * z[1];
    }
    const rr = out.rows[i] ^ out.rows[(i + 1) % n];
    for (let p = 0; p < N; p++) {
      const pr = psi[p][0] ** 2 + psi[p][1] ** 2;
      y[2 * n + i] += sg(out.rows[i], p) * pr;
      y[3 * n + i] += sg(rr, p) * pr;
    }
  }
  const lam: C[] = [];
  for (let p = 0; p < N; p++) {
    let d = 0;
    let l: C = [0, 0];
    for (let i = 0; i < n; i++) {
      d += dy[2 * n + i] * sg(out.rows[i], p);
      d += dy[3 * n + i] * sg(out.rows[i] ^ out.rows[(i + 1) % n], p);
      const odd = parityOf(out.rows[i] & p) === 1;
      l = cadd(l, cmul([dy[i], odd ? dy[n + i] : -dy[n + i]], psi[p ^ out.masks[i]]));
    }
    lam.push(cadd(l, [d * psi[p][0], d * psi[p][1]]));
  }
  const dx = new Array<number>(n).fill(0);
  const dw = new Array<number>(3 * L * n).fill(0);
  for (let l = L - 1; l >= 0; l--) {
    for (let i = 0; i < n; i++) {
      const g = l * n + i;
      const u = U[g];
      const ud = dag(u);
      const K: M2 = [
        [0, 0],
        [0, 0],
        [0, 0],
        [0, 0],
      ];
      for (const [i0, i1] of pairs(lays[l], i)) {
        const b0 = cadd(cmul(ud[0], psi[i0]), cmul(ud[1], psi[i1]));
        const b1 = cadd(cmul(ud[2], psi[i0]), cmul(ud[3], psi[i1]));
        const [l0, l1] = [lam[i0], lam[i1]];
        K[0] = cadd(K[0], cmul(b0, cj(l0)));
        K[1] = cadd(K[1], cmul(b0, cj(l1)));
        K[2] = cadd(K[2], cmul(b1, cj(l0)));
        K[3] = cadd(K[3], cmul(b1, cj(l1)));
        psi[i0] = b0;
        psi[i1] = b1;
        lam[i0] = cadd(cmul(ud[0], l0), cmul(ud[1], l1));
        lam[i1] = cadd(cmul(ud[2], l0), cmul(ud[3], l1));
      }
      const conj = (f: M2, m: M2) => mm(mm(f, m), dag(f));
      const hx = half(x[i]);
      let m = mm(K, u);
      m = conj(ry(hx), m);
      const dRy = m[1][0] - m[2][0];
      m = conj(rx(hx), m);
      const dRx = m[1][1] + m[2][1];
      m = conj(rz(half(w[3 * g])), m);
      dw[3 * g] = m[0][1] - m[3][1];
      m = conj(ry(half(w[3 * g + 1])), m);
      dw[3 * g + 1] = m[1][0] - m[2][0];
      m = conj(rz(half(w[3 * g + 2])), m);
      dw[3 * g + 2] = m[0][1] - m[3][1];
      dx[i] += dRy + dRx;
    }
  }
  return { y, dx, dw };
}

describe('the kernels’ algorithm (float64 emulation) against the golden file', () => {
  for (const c of golden.cases) {
    it(`reproduces outputs and gradients for ${c.n_qubits} qubits, ${c.n_layers} layers`, () => {
      const n = c.n_qubits;
      const L = c.n_layers;
      const w = c.weights.flat(2);
      const gw = new Array<number>(3 * L * n).fill(0);
      c.inputs.forEach((x, b) => {
        const r = emulate(n, L, x, w, c.loss_coefficients);
        r.y.forEach((v, k) =>
          expectClose(v, c.outputs[b][k], {
            abs: TOL.golden,
            context: `output ${k} of sample ${b}`,
          }),
        );
        r.dx.forEach((v, i) =>
          expectClose(v, c.grad_inputs[b][i], {
            abs: TOL.golden,
            context: `dx ${i} of sample ${b}`,
          }),
        );
        r.dw.forEach((v, k) => (gw[k] += v));
      });
      const want = c.grad_weights.flat(2);
      gw.forEach((v, k) => expectClose(v, want[k], { abs: TOL.golden, context: `dw ${k}` }));
    });
  }
});

describe('the generated WGSL', () => {
  it('keeps the state in workgroup memory while it fits 16 KiB, else in scratch storage', () => {
    const place = (kind: 'forward' | 'backward', n: number, L = 3) =>
      qnnKernelPlan(kind, n, L).statePlace;
    for (const n of [2, 4, 8, 9]) expect(place('backward', n)).toBe('workgroup');
    for (const n of [10, 12, 14]) expect(place('backward', n)).toBe('storage');
    for (const n of [2, 8, 10]) expect(place('forward', n)).toBe('workgroup');
    for (const n of [11, 12, 14]) expect(place('forward', n)).toBe('storage');
    // A device with more workgroup memory keeps larger states there.
    expect(qnnKernelPlan('backward', 10, 3, { maxWorkgroupStorageBytes: 32768 }).statePlace).toBe(
      'workgroup',
    );
    expect(() => qnnKernelPlan('backward', 12, 3, { statePlace: 'workgroup' })).toThrow(
      /does not fit/,
    );
  });

  it('stays within the workgroup memory limit and sizes the scratch per workgroup', () => {
    for (const kind of ['forward', 'backward'] as const) {
      for (let n = 2; n <= QNN_MAX_QUBITS; n++) {
        for (const L of [1, 3, 9]) {
          const plan = qnnKernelPlan(kind, n, L);
          expect(plan.workgroupBytes).toBeLessThanOrEqual(DEFAULT_WORKGROUP_STORAGE_BYTES);
          expect(plan.workgroupSize).toBeLessThanOrEqual(64);
          expect(plan.workgroupSize).toBeLessThanOrEqual(2 ** (n - 1));
          const states = kind === 'forward' ? 1 : 2;
          expect(plan.scratchVec2PerWorkgroup).toBe(
            plan.statePlace === 'storage' ? states * 2 ** n : 0,
          );
          if (kind === 'backward') expect(plan.reduceWidth % 2).toBe(0);
        }
      }
    }
  });

  it('declares the entry point, bindings and state the plan names', () => {
    for (const [n, L] of [
      [4, 2],
      [9, 3],
      [12, 3],
    ] as const) {
      for (const k of [qnnForwardKernel(n, L), qnnBackwardKernel(n, L)]) {
        const { code } = k;
        expect(code).toMatch(/@compute @workgroup_size\(T\)\s*\nfn main\(/);
        expect(code).toContain(`const T: u32 = ${k.workgroupSize}u;`);
        for (const b of k.bindings) {
          expect(code).toContain(
            `@group(0) @binding(${b.binding}) var<storage, ${b.access}> ${b.name}:`,
          );
        }
        expect(k.bindings.map((b) => b.binding)).toEqual(k.bindings.map((_, i) => i));
        const storage = k.statePlace === 'storage';
        expect(code.includes('var<workgroup> psi')).toBe(!storage);
        expect(code.includes('storageBarrier();')).toBe(storage);
        expect(k.bindings.some((b) => b.name === 'scratch')).toBe(storage);
        // The layout table holds qnnLayouts, layer by layer.
        const table = [...code.matchAll(/vec4<u32>\(0x(\w+)u, (\d+)u, 0x(\w+)u, 0x(\w+)u\)/g)];
        const want = qnnLayouts(n, L).flatMap((lay) =>
          lay.rows.map((r, i) => [lay.masks[i], lay.lowBits[i], r, r ^ lay.rows[(i + 1) % n]]),
        );
        expect(
          table.map((m) => [parseInt(m[1], 16), +m[2], parseInt(m[3], 16), parseInt(m[4], 16)]),
        ).toEqual(want);
        expect(code).toContain(`var<private> LAY: array<vec4<u32>, ${(L + 1) * n}>`);
        // The builtins' sin/cos are not used: qsincos is.
        expect(code).not.toMatch(/\b(sin|cos)\(/);
      }
    }
    const fwd = qnnForwardKernel(4, 2);
    expect(fwd.bindings.map((b) => b.name)).toEqual(['xs', 'ws', 'ys']);
    const bwd = qnnBackwardKernel(12, 3);
    expect(bwd.bindings.map((b) => b.name)).toEqual(['xs', 'ws', 'dys', 'dxs', 'dws', 'scratch']);
    expect(bwd.code).toContain(`let cnt = min(${bwd.reduceWidth / 2}u, NQ - i0);`);
  });

  it('names each size and layout in its key', () => {
    const keys = new Set(
      [2, 9, 10, 12].flatMap((n) => [qnnForwardKernel(n, 2).key, qnnBackwardKernel(n, 2).key]),
    );
    expect(keys.size).toBe(8);
  });
});
