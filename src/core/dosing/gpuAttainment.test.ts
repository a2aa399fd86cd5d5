import { describe, expect, it } from 'vitest';
import type { PopulationModel } from '../pkpd/population';
import { TRUE_MODEL } from '../trial/trueModel';
import { attainmentCounts, type AttainmentQuestion, type SubjectAttainment } from './attainment';
import {
  ATTAINMENT_WGSL,
  GPU_STRIDE,
  gpuUniforms,
  gpuUnsupportedReason,
  packForGpu,
  type GpuPackedPopulation,
} from './gpuAttainment';
import { sampleVirtualPopulation } from './virtualPopulation';

/**
 * The kernel's arithmetic, line for line, on the packed buffer (the WGSL itself runs only in a
 * browser; the e2e tests run it on SwiftShader). This checks the packing and the algorithm as
 * the kernel has it against the CPU path.
 */
function emulate(p: GpuPackedPopulation, q: AttainmentQuestion, i: number): SubjectAttainment {
  const s = p.data;
  const o = i * GPU_STRIDE;
  const below = q.threshold.direction === 'below';
  const hill = (c: number) =>
    c <= 0 ? 0 : s[o + 16] === 1 ? c / (s[o + 15] + c) : 1 / (1 + (s[o + 15] / c) ** s[o + 16]);
  const production = (c: number) => {
    if (p.pdKind === 2) return s[o + 21] * c;
    if (p.pdKind === 3) return s[o + 21] * (1 - s[o + 14] * hill(c));
    return s[o + 21] * (1 + s[o + 14] * hill(c));
  };
  const readout = (y: number) => (p.pdKind === 2 ? s[o + 13] + s[o + 14] * hill(y) : y);
  const direct = (c: number) =>
    p.pdKind === 0 ? s[o + 13] * (1 - s[o + 14] * hill(c)) : s[o + 13] + s[o + 14] * hill(c);
  const stepPk = (a: number[]) =>
    [0, 1, 2].map((r) => s[o + 3 * r] * a[0] + s[o + 3 * r + 1] * a[1] + s[o + 3 * r + 2] * a[2]);
  const worst = (dose: number) => {
    const scale = dose * s[o + 12];
    let a = [s[o + 9], s[o + 10], s[o + 11]];
    let w = below ? -Infinity : Infinity;
    const keep = (v: number) => (w = below ? Math.max(w, v) : Math.min(w, v));
    if (p.pdKind <= 1) {
      for (let j = 0; j <= p.steps; j++) {
        keep(direct(scale * a[1]));
        a = stepPk(stepPk(a));
      }
      return w;
    }
    const [e, w0, wm, w1] = [s[o + 17], s[o + 18], s[o + 19], s[o + 20]];
    const run = (y0: number, track: boolean) => {
      a = [s[o + 9], s[o + 10], s[o + 11]];
      let p0 = production(scale * a[1]);
      let y = y0;
      if (track) keep(readout(y));
      for (let j = 0; j < p.steps; j++) {
        a = stepPk(a);
        const pm = production(scale * a[1]);
        a = stepPk(a);
        const p1 = production(scale * a[1]);
        y = e * y + w0 * p0 + wm * pm + w1 * p1;
        p0 = p1;
        if (track) keep(readout(y));
      }
      return y;
    };
    run(run(0, false) / s[o + 22], true);
    return w;
  };
  const attains = (k: number) => {
    const v = worst(k * q.step);
    return below ? v < q.threshold.value : v > q.threshold.value;
  };
  const K = p.maxSteps;
  const a0 = attains(0);
  if (a0 === attains(K)) return a0 ? { from: 0, to: K } : { from: K + 1, to: -1 };
  let lo = 0;
  let hi = K;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (attains(mid) === a0) lo = mid;
    else hi = mid;
  }
  return a0 ? { from: 0, to: lo } : { from: hi, to: K };
}

const population = {
  size: 150,
  seed: 9,
  covariates: { BW: { type: 'uniform', min: 50, max: 100 }, COMED: { type: 'bernoulli', p: 0.5 } },
} as const;

const models: [string, PopulationModel, AttainmentQuestion][] = [
  [
    'indirect I, daily',
    TRUE_MODEL,
    {
      interval: 24,
      step: 0.5,
      target: 0.9,
      threshold: { value: 3.3, direction: 'below' },
      maxDose: 60,
    },
  ],
  [
    'indirect I, weekly, above',
    TRUE_MODEL,
    {
      interval: 168,
      step: 5,
      target: 0.9,
      threshold: { value: 5, direction: 'above' },
      maxDose: 400,
    },
  ],
  [
    'effect compartment',
    {
      ...TRUE_MODEL,
      pd: 'effect-compartment',
      theta: { ...TRUE_MODEL.theta, ke0: 0.1, Emax: -3.5, EC50: 1.2, hill: 1.6 },
    },
    {
      interval: 12,
      step: 0.25,
      target: 0.9,
      threshold: { value: 7, direction: 'below' },
      maxDose: 50,
    },
  ],
  [
    'direct Imax',
    { ...TRUE_MODEL, pd: 'direct-imax', theta: { ...TRUE_MODEL.theta, hill: 2 } },
    {
      interval: 24,
      step: 0.5,
      target: 0.9,
      threshold: { value: 3, direction: 'below' },
      maxDose: 80,
    },
  ],
  [
    'indirect III',
    {
      ...TRUE_MODEL,
      pd: 'indirect-stimulate-production',
      theta: { ...TRUE_MODEL.theta, Emax: 2, EC50: 1 },
    },
    {
      interval: 24,
      step: 0.5,
      target: 0.9,
      threshold: { value: 20, direction: 'above' },
      maxDose: 100,
    },
  ],
];

describe('GPU attainment kernel (packing and algorithm)', () => {
  it.each(models)('agrees with the CPU path (%s)', (_, model, q) => {
    const subjects = sampleVirtualPopulation(model, population);
    expect(gpuUnsupportedReason(subjects, q)).toBeNull();
    const cpu = attainmentCounts(subjects, q).perSubject;
    const packed = packForGpu(subjects, q, (q.maxDose as number) / q.step);
    let exact = 0;
    subjects.forEach((_, i) => {
      const g = emulate(packed, q, i);
      // Inputs rounded to single precision may move a threshold dose by one grid step.
      expect(Math.abs(g.from - cpu[i].from)).toBeLessThanOrEqual(1);
      expect(Math.abs(g.to - cpu[i].to)).toBeLessThanOrEqual(1);
      if (g.from === cpu[i].from && g.to === cpu[i].to) exact++;
    });
    expect(exact).toBeGreaterThanOrEqual(subjects.length - 3);
    // Some subjects change their verdict within the dose range (the bisection ran).
    const K = packed.maxSteps;
    expect(cpu.some((r) => r.from <= r.to && (r.from > 0 || r.to < K))).toBe(true);
  });

  it('sends the other models to the CPU and packs the uniforms', () => {
    const idr2: PopulationModel = { ...TRUE_MODEL, pd: 'indirect-inhibit-loss' };
    const q = models[0][2];
    expect(gpuUnsupportedReason(sampleVirtualPopulation(idr2, population), q)).toMatch(/CPU/);
    const lagged: PopulationModel = { ...TRUE_MODEL, theta: { ...TRUE_MODEL.theta, lag1: 0.5 } };
    expect(gpuUnsupportedReason(sampleVirtualPopulation(lagged, population), q)).toMatch(/lag/);
    const packed = packForGpu(sampleVirtualPopulation(TRUE_MODEL, population), q, 120);
    const u = gpuUniforms(packed, q);
    expect(Array.from(new Uint32Array(u, 0, 5))).toEqual([96, 120, 3, 1, 150]);
    expect(new Float32Array(u)[6]).toBeCloseTo(3.3, 5);
    expect(ATTAINMENT_WGSL).toContain(`const STRIDE: u32 = ${GPU_STRIDE}u;`);
  });
});
