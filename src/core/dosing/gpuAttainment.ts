import { scoringStep } from '../models/regimenPrediction';
import { etdWeights } from '../nlme/fastPredict';
import { resolveDose, isInfusion } from '../pkpd/doseEvents';
import { AMOUNT_SLOTS, linearPkSystem, propagateAmounts } from '../pkpd/linearSystem';
import { steadyStateAmounts } from '../pkpd/steadyState';
import type { PdParameters } from '../pkpd/types';
import type { AttainmentQuestion, SubjectAttainment } from './attainment';
import { scoringSteps } from './steadyStateProfile';
import type { VirtualSubject } from './virtualPopulation';

/**
 * Target attainment on the GPU: one thread per virtual subject runs the same computation as
 * subjectAttainment (attainment.ts) in single precision — the per-mg steady-state PK stepped
 * with e^{K·dt}, the periodic PD state from the interval's affine map, the worst biomarker over
 * the scoring grid, bisection over the dose grid. This module packs the subjects and holds the
 * WGSL source; the worker layer owns the device (src/workers/gpu).
 *
 * Everything that needs exp() is computed here in double precision (the step matrix, the
 * exponential-integrator weights, Φ = e^{−q·τ}): WGSL's exp is not accurate enough for slow
 * turnover rates. The kernel only multiplies, adds, divides and takes pow() for Hill
 * coefficients other than 1.
 */

/** PD models the kernel runs (constant loss rate); the others stay on the CPU. */
export const GPU_PD_KINDS = {
  'direct-imax': 0,
  'direct-emax': 1,
  'effect-compartment': 2,
  'indirect-inhibit-production': 3,
  'indirect-stimulate-production': 4,
} as const satisfies Partial<Record<PdParameters['type'], number>>;

/** Floats per subject in the packed buffer. */
export const GPU_STRIDE = 24;
export const GPU_WORKGROUP_SIZE = 64;

export interface GpuPackedPopulation {
  readonly data: Float32Array<ArrayBuffer>;
  readonly subjects: number;
  /** Scoring steps over the interval (the PK is stepped at half this step). */
  readonly steps: number;
  /** Dose grid size: doses k·step for k = 0 … maxSteps. */
  readonly maxSteps: number;
  readonly pdKind: number;
}

/** Why these subjects cannot go to the GPU, or null when they can. */
export function gpuUnsupportedReason(
  subjects: readonly VirtualSubject[],
  q: AttainmentQuestion,
): string | null {
  if (subjects.length === 0) return 'no subjects';
  const pd = subjects[0].parameters.pd;
  if (!pd) return 'the model has no biomarker';
  if (!(pd.type in GPU_PD_KINDS)) return `the ${pd.type} PD model runs on the CPU`;
  for (const s of subjects) {
    const pk = s.parameters.pk;
    const dose = resolveDose(pk, { time: 0, amt: 1, cmt: q.cmt ?? 1, evid: 1 });
    if (dose.lag > 0 || isInfusion(dose)) return 'lag times and infusions run on the CPU';
    if (s.parameters.pd?.type !== pd.type) return 'subjects differ in PD model';
  }
  return null;
}

const unit = [0, 1, 2].map((i) =>
  Float64Array.from({ length: AMOUNT_SLOTS }, (_, j) => +(i === j)),
);

/** Packs the subjects for the kernel (call gpuUnsupportedReason first). */
export function packForGpu(
  subjects: readonly VirtualSubject[],
  q: AttainmentQuestion,
  maxSteps: number,
): GpuPackedPopulation {
  const reason = gpuUnsupportedReason(subjects, q);
  if (reason) throw new Error(`Cannot run on the GPU: ${reason}`);
  const steps = scoringSteps(q.interval, scoringStep(q.interval));
  const h = q.interval / steps;
  const dt = h / 2;
  const data = new Float32Array(subjects.length * GPU_STRIDE);
  const col = new Float64Array(AMOUNT_SLOTS);
  const a = new Float64Array(AMOUNT_SLOTS);
  const w = new Float64Array(4);
  const pdType = subjects[0].parameters.pd?.type as keyof typeof GPU_PD_KINDS;
  subjects.forEach((s, i) => {
    const o = i * GPU_STRIDE;
    const pk = s.parameters.pk;
    const pd = s.parameters.pd as PdParameters;
    const sys = linearPkSystem(pk);
    for (let c = 0; c < AMOUNT_SLOTS; c++) {
      propagateAmounts(sys, unit[c], 0, 0, dt, col);
      for (let r = 0; r < AMOUNT_SLOTS; r++) data[o + r * 3 + c] = col[r];
    }
    const dose = resolveDose(pk, { time: 0, amt: 1, cmt: q.cmt ?? 1, evid: 1 });
    steadyStateAmounts(sys, dose, q.interval, 0, a);
    data[o + 9] = a[0];
    data[o + 10] = a[1];
    data[o + 11] = a[2];
    data[o + 12] = 1 / sys.V;
    data[o + 13] = pd.baseline;
    let drug = 0;
    let c50 = 1;
    let rate = 0;
    switch (pd.type) {
      case 'direct-imax':
        drug = pd.Imax;
        c50 = pd.IC50;
        break;
      case 'direct-emax':
      case 'effect-compartment':
        drug = pd.Emax;
        c50 = pd.EC50;
        rate = pd.type === 'effect-compartment' ? pd.ke0 : 0;
        break;
      case 'indirect-inhibit-production':
        drug = pd.Imax ?? 1;
        c50 = pd.IC50 as number;
        rate = pd.kout;
        break;
      default:
        drug = pd.Emax as number;
        c50 = pd.EC50 as number;
        rate = pd.kout;
    }
    data[o + 14] = drug;
    data[o + 15] = c50;
    data[o + 16] = pd.hill ?? 1;
    etdWeights(rate, h, w, 0);
    data[o + 17] = w[0];
    data[o + 18] = w[1];
    data[o + 19] = w[2];
    data[o + 20] = w[3];
    // Production rate per unit of p's drug-free value: kin = kout·baseline; ke0 for Ce′ = ke0·C.
    data[o + 21] = pd.type === 'effect-compartment' ? rate : rate * pd.baseline;
    // 1 − Φ, Φ = e^{−q·τ}, in double precision (Φ is close to 1 for slow turnover).
    data[o + 22] = -Math.expm1(-rate * q.interval);
  });
  return { data, subjects: subjects.length, steps, maxSteps, pdKind: GPU_PD_KINDS[pdType] };
}

/** Uniform block: steps, maxSteps, pdKind, below (u32); count (u32); dose step, threshold (f32). */
export function gpuUniforms(p: GpuPackedPopulation, q: AttainmentQuestion): ArrayBuffer {
  const buf = new ArrayBuffer(32);
  const u = new Uint32Array(buf);
  const f = new Float32Array(buf);
  u[0] = p.steps;
  u[1] = p.maxSteps;
  u[2] = p.pdKind;
  u[3] = q.threshold.direction === 'below' ? 1 : 0;
  u[4] = p.subjects;
  f[5] = q.step;
  f[6] = q.threshold.value;
  return buf;
}

/** Runs from the kernel's output pairs (from, to per subject). */
export function runsFromGpu(out: Int32Array): SubjectAttainment[] {
  const runs: SubjectAttainment[] = [];
  for (let i = 0; i < out.length; i += 2) runs.push({ from: out[i], to: out[i + 1] });
  return runs;
}

export const ATTAINMENT_WGSL = /* wgsl */ `
struct Params {
  steps: u32,
  maxSteps: u32,
  pdKind: u32,
  below: u32,
  count: u32,
  doseStep: f32,
  threshold: f32,
  pad: f32,
};

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> subjects: array<f32>;
@group(0) @binding(2) var<storage, read_write> runs: array<vec2<i32>>;

const STRIDE: u32 = ${GPU_STRIDE}u;

fn hillFraction(c: f32, c50: f32, hill: f32) -> f32 {
  if (c <= 0.0) { return 0.0; }
  if (hill == 1.0) { return c / (c50 + c); }
  return 1.0 / (1.0 + pow(c50 / c, hill));
}

// Production term p(C) of the linear-response models (loss q constant).
fn production(kind: u32, c: f32, o: u32) -> f32 {
  let h = hillFraction(c, subjects[o + 15u], subjects[o + 16u]);
  let kin = subjects[o + 21u];
  if (kind == 2u) { return kin * c; }
  if (kind == 3u) { return kin * (1.0 - subjects[o + 14u] * h); }
  return kin * (1.0 + subjects[o + 14u] * h);
}

fn readout(kind: u32, y: f32, o: u32) -> f32 {
  if (kind == 2u) {
    return subjects[o + 13u] + subjects[o + 14u] * hillFraction(y, subjects[o + 15u], subjects[o + 16u]);
  }
  return y;
}

fn directEffect(kind: u32, c: f32, o: u32) -> f32 {
  let h = hillFraction(c, subjects[o + 15u], subjects[o + 16u]);
  if (kind == 0u) { return subjects[o + 13u] * (1.0 - subjects[o + 14u] * h); }
  return subjects[o + 13u] + subjects[o + 14u] * h;
}

fn stepPk(a: vec3<f32>, o: u32) -> vec3<f32> {
  return vec3<f32>(
    subjects[o + 0u] * a.x + subjects[o + 1u] * a.y + subjects[o + 2u] * a.z,
    subjects[o + 3u] * a.x + subjects[o + 4u] * a.y + subjects[o + 5u] * a.z,
    subjects[o + 6u] * a.x + subjects[o + 7u] * a.y + subjects[o + 8u] * a.z);
}

// The worst biomarker over the interval at steady state under this dose: max for 'below',
// min for 'above'.
fn worst(dose: f32, o: u32) -> f32 {
  let kind = params.pdKind;
  let below = params.below == 1u;
  let scale = dose * subjects[o + 12u];
  var a = vec3<f32>(subjects[o + 9u], subjects[o + 10u], subjects[o + 11u]);
  var w = select(3.4e38, -3.4e38, below);
  if (kind <= 1u) {
    for (var j = 0u; j <= params.steps; j++) {
      let v = directEffect(kind, scale * a.y, o);
      w = select(min(w, v), max(w, v), below);
      a = stepPk(stepPk(a, o), o);
    }
    return w;
  }
  let e = subjects[o + 17u];
  let w0 = subjects[o + 18u];
  let wm = subjects[o + 19u];
  let w1 = subjects[o + 20u];
  // Pass 1: ψ = y(τ) from y(0) = 0; Φ = e^{−qτ} (1 − Φ packed).
  var p0 = production(kind, scale * a.y, o);
  var psi = 0.0;
  for (var j = 0u; j < params.steps; j++) {
    a = stepPk(a, o);
    let pm = production(kind, scale * a.y, o);
    a = stepPk(a, o);
    let p1 = production(kind, scale * a.y, o);
    psi = e * psi + w0 * p0 + wm * pm + w1 * p1;
    p0 = p1;
  }
  // Pass 2: from the periodic state, the biomarker at every grid point.
  var y = psi / subjects[o + 22u];
  a = vec3<f32>(subjects[o + 9u], subjects[o + 10u], subjects[o + 11u]);
  p0 = production(kind, scale * a.y, o);
  var v = readout(kind, y, o);
  w = select(min(w, v), max(w, v), below);
  for (var j = 0u; j < params.steps; j++) {
    a = stepPk(a, o);
    let pm = production(kind, scale * a.y, o);
    a = stepPk(a, o);
    let p1 = production(kind, scale * a.y, o);
    y = e * y + w0 * p0 + wm * pm + w1 * p1;
    p0 = p1;
    v = readout(kind, y, o);
    w = select(min(w, v), max(w, v), below);
  }
  return w;
}

fn attains(k: u32, o: u32) -> bool {
  let v = worst(f32(k) * params.doseStep, o);
  if (params.below == 1u) { return v < params.threshold; }
  return v > params.threshold;
}

@compute @workgroup_size(${GPU_WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= params.count) { return; }
  let o = i * STRIDE;
  let K = params.maxSteps;
  let a0 = attains(0u, o);
  let aK = attains(K, o);
  if (a0 == aK) {
    if (a0) { runs[i] = vec2<i32>(0, i32(K)); } else { runs[i] = vec2<i32>(i32(K) + 1, -1); }
    return;
  }
  var lo = 0u;
  var hi = K;
  loop {
    if (hi - lo <= 1u) { break; }
    let mid = (lo + hi) / 2u;
    if (attains(mid, o) == a0) { lo = mid; } else { hi = mid; }
  }
  if (a0) { runs[i] = vec2<i32>(0, i32(lo)); } else { runs[i] = vec2<i32>(i32(hi), i32(K)); }
}
`;
