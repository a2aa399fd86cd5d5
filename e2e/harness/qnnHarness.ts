import * as tf from '@tensorflow/tfjs';
// Registers tfjs's WebGPU backend; it registers only where navigator.gpu exists.
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { OUTPUTS_PER_WIRE, qnnBackward } from '../../src/core/quantum/fastQnn';
import {
  checkQnnWebGpu,
  isQnnWebGpuAvailable,
  isSoftwareAdapter,
  prepareQnnWebGpu,
  qnnBackwardWebGpu,
  qnnCircuitWebGpu,
  qnnForwardWebGpu,
  type QnnCheck,
  type QnnReferenceCase,
  type QnnWebGpuOptions,
} from '../../src/workers/gpu/qnnWebGpu';

/**
 * The page of the QNN WebGPU kernels' browser test (e2e/qnnWebgpu.spec.ts) and probe
 * (bench/qnnWebgpuProbe.ts): starts tfjs on WebGPU where the browser offers it and exposes the
 * kernels through window.__qnnHarness. Arguments and results cross as JSON.
 */

export interface HarnessStatus {
  /** tfjs runs on its webgpu backend, so the kernels can run. */
  readonly available: boolean;
  readonly backend: string;
  /** The WebGPU adapter is a software one (SwiftShader on the CPU). */
  readonly software: boolean;
  /** Why not, when not. */
  readonly reason: string;
}

/** A reference case, repeated `repeat` times along the batch (its dw scales alike). */
export type HarnessCase = QnnReferenceCase & { readonly repeat?: number };

export interface BenchSize {
  readonly n_qubits: number;
  readonly n_layers: number;
  readonly batch: number;
}

export interface BenchRow extends BenchSize {
  readonly bench: 'qnn';
  readonly path: 'chromium-webgpu' | 'chromium-cpu';
  readonly circuits_per_s: number;
  /** Timed repetitions of forward + backward (each awaited). */
  readonly reps: number;
}

export interface LeakCheck {
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
  readonly gpuBytesBefore: number;
  readonly gpuBytesAfter: number;
}

export interface QnnHarness {
  readonly ready: Promise<HarnessStatus>;
  /** checkQnnWebGpu on the cases (JSON array of HarnessCase), with options (JSON). */
  run(casesJson: string, optsJson?: string): Promise<QnnCheck>;
  /** The same check through qnnCircuitWebGpu and tf.grads (tfjs's autodiff). */
  runAutodiff(casesJson: string): Promise<QnnCheck>;
  /** Tensors and GPU bytes in use before and after forward, backward and autodiff calls. */
  leaks(): Promise<LeakCheck>;
  bench(sizesJson: string, minSeconds?: number): Promise<BenchRow[]>;
  /** The same timing for the fused JavaScript kernel (the CPU and WebGL backends' path). */
  benchCpu(sizesJson: string, minSeconds?: number): Promise<BenchRow[]>;
}

async function start(): Promise<HarnessStatus> {
  const gpu = (navigator as { gpu?: unknown }).gpu;
  const registered = tf.findBackendFactory('webgpu') !== null;
  if (gpu && registered) {
    try {
      if ((await tf.setBackend('webgpu')) && isQnnWebGpuAvailable()) {
        const software = isSoftwareAdapter(tf.backend() as unknown as WebGPUBackend);
        return { available: true, backend: tf.getBackend(), software, reason: '' };
      }
    } catch (err) {
      await tf.setBackend('cpu');
      return { available: false, backend: tf.getBackend(), software: false, reason: String(err) };
    }
  }
  await tf.setBackend('cpu');
  return {
    available: isQnnWebGpuAvailable(),
    backend: tf.getBackend(),
    software: false,
    reason: gpu ? 'tfjs could not start its webgpu backend' : 'this browser offers no WebGPU',
  };
}

function tiled(c: HarnessCase): QnnReferenceCase {
  const r = c.repeat ?? 1;
  if (r === 1) return c;
  const rep = <T>(rows: readonly T[]): T[] => Array.from({ length: r }, () => rows).flat();
  return {
    ...c,
    inputs: rep(c.inputs),
    outputs: rep(c.outputs),
    grad_inputs: rep(c.grad_inputs),
    grad_weights: (c.grad_weights as unknown[]).flat(2).map((v) => (v as number) * r),
  };
}

/** A small seeded generator (the bench's inputs need no quality, only repeatability). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Repeats `once` (one batch) for at least minSeconds after one warm-up call; repetitions and seconds. */
async function timed(once: () => Promise<void>, minSeconds: number) {
  await once();
  let reps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await once();
    reps++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < minSeconds);
  return { reps, elapsed };
}

async function benchCpu(sizesJson: string, minSeconds = 1): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const size of JSON.parse(sizesJson) as BenchSize[]) {
    const { n_qubits: n, n_layers: L, batch: B } = size;
    const rand = lcg(n * 1000 + L * 10 + B);
    const fill = (len: number, lo: number, hi: number) =>
      Float64Array.from({ length: len }, () => lo + (hi - lo) * rand());
    const x = fill(B * n, -2, 2);
    const w = fill(3 * L * n, 0, 2 * Math.PI);
    const dy = fill(B * OUTPUTS_PER_WIRE * n, -1, 1);
    const outputs = new Float64Array(B * OUTPUTS_PER_WIRE * n);
    const shape = { nQubits: n, nLayers: L };
    const { reps, elapsed } = await timed(async () => {
      qnnBackward(shape, x, w, dy, B, { outputs });
    }, minSeconds);
    rows.push({
      bench: 'qnn',
      path: 'chromium-cpu',
      ...size,
      circuits_per_s: Math.round((B * reps) / elapsed),
      reps,
    });
  }
  return rows;
}

const harness: QnnHarness = {
  ready: start(),
  benchCpu,

  async run(casesJson, optsJson) {
    const cases = (JSON.parse(casesJson) as HarnessCase[]).map(tiled);
    const opts = optsJson ? (JSON.parse(optsJson) as QnnWebGpuOptions) : {};
    return checkQnnWebGpu(cases, opts);
  },

  async runAutodiff(casesJson) {
    const cases = JSON.parse(casesJson) as QnnReferenceCase[];
    let out = { maxAbsErrOutputs: 0, maxAbsErrGradInputs: 0, maxAbsErrGradWeights: 0 };
    for (const c of cases) {
      const n = c.n_qubits;
      const L = c.n_layers;
      await prepareQnnWebGpu(n, L);
      const x = tf.tensor2d(c.inputs.flat(), [c.inputs.length, n]);
      const w = tf.tensor((c.weights as unknown[]).flat(2) as number[], [L, n, 3]);
      const coef = tf.tensor2d([...c.loss_coefficients], [1, 4 * n]);
      const y = tf.tidy(() => qnnCircuitWebGpu(x, w, n, L));
      const [dx, dw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
        tf.sum(tf.mul(qnnCircuitWebGpu(xx as tf.Tensor2D, ww, n, L), coef)),
      )([x, w]);
      const [yv, dxv, dwv] = await Promise.all([y.data(), dx.data(), dw.data()]);
      const err = (got: ArrayLike<number>, want: number[]) =>
        want.reduce((m, v, i) => Math.max(m, Math.abs(got[i] - v)), 0);
      out = {
        maxAbsErrOutputs: Math.max(out.maxAbsErrOutputs, err(yv, c.outputs.flat())),
        maxAbsErrGradInputs: Math.max(out.maxAbsErrGradInputs, err(dxv, c.grad_inputs.flat())),
        maxAbsErrGradWeights: Math.max(
          out.maxAbsErrGradWeights,
          err(dwv, (c.grad_weights as unknown[]).flat(2) as number[]),
        ),
      };
      tf.dispose([x, w, coef, y, dx, dw]);
    }
    return out;
  },

  async leaks() {
    const n = 10;
    const L = 2;
    await prepareQnnWebGpu(n, L);
    const gpuBytes = () => (tf.memory() as { numBytesInGPU?: number }).numBytesInGPU ?? 0;
    const tensorsBefore = tf.memory().numTensors;
    const gpuBytesBefore = gpuBytes();
    for (let rep = 0; rep < 3; rep++) {
      const x = tf.randomUniform([5, n], -2, 2, 'float32', rep);
      const w = tf.randomUniform([L, n, 3], 0, 6, 'float32', rep);
      const dy = tf.randomNormal([5, 4 * n], 0, 1, 'float32', rep);
      const y = qnnForwardWebGpu(x as tf.Tensor2D, w, n, L);
      const { dx, dw } = qnnBackwardWebGpu(x as tf.Tensor2D, w, dy as tf.Tensor2D, n, L);
      const g = tf.tidy(() =>
        tf.grads((xx: tf.Tensor, ww: tf.Tensor) =>
          tf.sum(qnnCircuitWebGpu(xx as tf.Tensor2D, ww, n, L)),
        )([x, w]),
      );
      await Promise.all([y.data(), dx.data(), dw.data(), g[0].data(), g[1].data()]);
      tf.dispose([x, w, dy, y, dx, dw, ...g]);
    }
    return {
      tensorsBefore,
      tensorsAfter: tf.memory().numTensors,
      gpuBytesBefore,
      gpuBytesAfter: gpuBytes(),
    };
  },

  async bench(sizesJson, minSeconds = 1) {
    const sizes = JSON.parse(sizesJson) as BenchSize[];
    const rows: BenchRow[] = [];
    for (const size of sizes) {
      const { n_qubits: n, n_layers: L, batch: B } = size;
      await prepareQnnWebGpu(n, L);
      const rand = lcg(n * 1000 + L * 10 + B);
      const fill = (len: number, lo: number, hi: number) =>
        Float32Array.from({ length: len }, () => lo + (hi - lo) * rand());
      const x = tf.tensor2d(fill(B * n, -2, 2), [B, n]);
      const w = tf.tensor(fill(3 * L * n, 0, 2 * Math.PI), [L, n, 3]);
      const dy = tf.tensor2d(fill(B * 4 * n, -1, 1), [B, 4 * n]);
      const once = async () => {
        const y = qnnForwardWebGpu(x, w, n, L);
        const { dx, dw } = qnnBackwardWebGpu(x, w, dy, n, L);
        // The queue runs in order: the last result read back means all are computed.
        await dw.data();
        tf.dispose([y, dx, dw]);
      };
      // The warm-up call compiles, allocates the scratch and fills the buffer pool.
      const { reps, elapsed } = await timed(once, minSeconds);
      tf.dispose([x, w, dy]);
      rows.push({
        bench: 'qnn',
        path: 'chromium-webgpu',
        ...size,
        circuits_per_s: Math.round((B * reps) / elapsed),
        reps,
      });
    }
    return rows;
  },
};

(window as unknown as { __qnnHarness: QnnHarness }).__qnnHarness = harness;
