/// <reference types="@webgpu/types" />
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import {
  qnnBackwardKernel,
  qnnForwardKernel,
  type QnnKernel,
  type QnnKernelKind,
} from '../../core/quantum/webgpu/qnnShader';

/**
 * The seed's QNN circuit as tfjs operations on the WebGPU backend: the fused kernels of
 * core/quantum/webgpu/qnnShader.ts run on tfjs's own GPUDevice, read the input tensors' GPU
 * buffers in place and write into buffers that tfjs allocates and frees as usual, so the
 * results are ordinary tensors (tidy, dispose, customGrad all apply) whose values the GPU
 * computes; nothing here waits for the GPU.
 *
 * Why not tfjs's WebGPUProgram: its programs have one output and bind every input read-only,
 * while the backward kernel writes two outputs and, past 9 qubits, a read-write scratch state.
 * So the kernels have their own pipelines, and ordering is kept by hand: tfjs's pending
 * commands (which may write the inputs) are submitted before each dispatch, and everything
 * tfjs encodes afterwards (which may read the outputs, or reuse a freed input's buffer) is
 * submitted after it, on the same queue.
 */

/** Most workgroups of one dispatch: WebGPU's default maxComputeWorkgroupsPerDimension. */
export const MAX_WORKGROUPS_PER_DISPATCH = 65_535;
/**
 * Bytes of scratch state at most (states past workgroup memory, 2ⁿ·8 bytes each, one or two per
 * workgroup): it bounds the workgroups of a dispatch, and each then loops over its samples.
 */
export const SCRATCH_BUDGET_BYTES = 64 * 2 ** 20;

export interface QnnWebGpuOptions {
  /** Caps the workgroups of a dispatch (tests use a small cap to exercise the sample loop). */
  readonly maxWorkgroups?: number;
}

interface CompiledKernel {
  readonly kernel: QnnKernel;
  readonly pipeline: GPUComputePipeline;
}

interface DeviceState {
  readonly kernels: Map<string, CompiledKernel>;
  scratch: GPUBuffer | null;
}

const deviceStates = new WeakMap<GPUDevice, DeviceState>();

/** Whether the active tfjs backend is WebGPU (the only one these kernels run on). */
export function isQnnWebGpuAvailable(): boolean {
  try {
    return tf.getBackend() === 'webgpu';
  } catch {
    return false;
  }
}

function webgpuBackend(what: string): WebGPUBackend {
  const name = tf.getBackend();
  if (name !== 'webgpu') {
    throw new Error(`${what} needs tfjs's webgpu backend, but the active backend is "${name}"`);
  }
  return tf.backend() as unknown as WebGPUBackend;
}

function stateOf(device: GPUDevice): DeviceState {
  let state = deviceStates.get(device);
  if (!state) {
    state = { kernels: new Map(), scratch: null };
    deviceStates.set(device, state);
  }
  return state;
}

/**
 * Threads per workgroup at most: 64 on a GPU; 16 on a software adapter (SwiftShader), where a
 * barrier costs in proportion to the threads it joins (64 threads ran the 8-qubit circuit about
 * 8× slower than 8 or 16 there).
 */
export const MAX_THREADS_GPU = 64;
export const MAX_THREADS_SOFTWARE = 16;

/** What an adapter says of itself (GPUAdapterInfo, or tfjs's copy of it). */
interface AdapterWords {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}

/** Whether the device is a software rasteriser on the CPU (SwiftShader, llvmpipe). */
export function isSoftwareAdapter(backend: WebGPUBackend): boolean {
  // GPUDevice.adapterInfo where the browser has it, else what tfjs kept of the adapter's info.
  const info =
    (backend.device as { adapterInfo?: AdapterWords }).adapterInfo ??
    (backend.adapterInfo as unknown as AdapterWords | undefined);
  const words = [info?.vendor, info?.architecture, info?.description].join(' ');
  return info?.isFallbackAdapter === true || /swiftshader|llvmpipe|software/i.test(words);
}

function generate(backend: WebGPUBackend, kind: QnnKernelKind, n: number, L: number): QnnKernel {
  const { limits } = backend.device;
  const opts = {
    maxWorkgroupStorageBytes: limits.maxComputeWorkgroupStorageSize,
    maxThreads: Math.min(
      isSoftwareAdapter(backend) ? MAX_THREADS_SOFTWARE : MAX_THREADS_GPU,
      2 ** Math.floor(Math.log2(limits.maxComputeInvocationsPerWorkgroup)),
      2 ** Math.floor(Math.log2(limits.maxComputeWorkgroupSizeX)),
    ),
  };
  return kind === 'forward' ? qnnForwardKernel(n, L, opts) : qnnBackwardKernel(n, L, opts);
}

const cacheKey = (kind: QnnKernelKind, n: number, L: number) => `${kind}/${n}/${L}`;

/**
 * Compiles both kernels of an (n, L) circuit ahead of use, reporting a kernel the device
 * rejects (the synchronous operations compile on first use and can only log such an error).
 */
export async function prepareQnnWebGpu(nQubits: number, nLayers: number): Promise<void> {
  const backend = webgpuBackend('prepareQnnWebGpu');
  const { device } = backend;
  const state = stateOf(device);
  for (const kind of ['forward', 'backward'] as const) {
    const key = cacheKey(kind, nQubits, nLayers);
    if (state.kernels.has(key)) continue;
    const kernel = generate(backend, kind, nQubits, nLayers);
    const module = device.createShaderModule({ code: kernel.code, label: kernel.key });
    const info = await module.getCompilationInfo();
    const errors = info.messages.filter((m) => m.type === 'error');
    if (errors.length > 0) {
      const first = errors
        .slice(0, 3)
        .map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`)
        .join('; ');
      throw new Error(`The QNN ${kernel.key} kernel did not compile: ${first}`);
    }
    const pipeline = await device.createComputePipelineAsync({
      label: kernel.key,
      layout: 'auto',
      compute: { module, entryPoint: kernel.entryPoint },
    });
    state.kernels.set(key, { kernel, pipeline });
  }
}

function compiled(
  backend: WebGPUBackend,
  kind: QnnKernelKind,
  n: number,
  L: number,
): CompiledKernel {
  const { device } = backend;
  const state = stateOf(device);
  const key = cacheKey(kind, n, L);
  const hit = state.kernels.get(key);
  if (hit) return hit;
  const kernel = generate(backend, kind, n, L);
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: kernel.code, label: kernel.key });
  const pipeline = device.createComputePipeline({
    label: kernel.key,
    layout: 'auto',
    compute: { module, entryPoint: kernel.entryPoint },
  });
  void device.popErrorScope().then((err) => {
    if (err) {
      state.kernels.delete(key);
      console.error(`The QNN ${kernel.key} kernel did not compile: ${err.message}`);
    }
  });
  const entry = { kernel, pipeline };
  state.kernels.set(key, entry);
  return entry;
}

/** Frees the scratch state buffer of the active WebGPU device (it is kept between calls). */
export function releaseQnnWebGpuScratch(): void {
  if (!isQnnWebGpuAvailable()) return;
  const state = deviceStates.get(webgpuBackend('releaseQnnWebGpuScratch').device);
  state?.scratch?.destroy();
  if (state) state.scratch = null;
}

/** The GPU buffer of a float32 tensor, uploaded if its values were on the CPU. */
function bufferOf(backend: WebGPUBackend, t: tf.Tensor, name: string): GPUBuffer {
  backend.uploadToGPU(t.dataId);
  const resource = backend.tensorMap.get(t.dataId).resource;
  if (!(resource instanceof GPUBuffer)) {
    throw new Error(`QNN WebGPU: tensor ${name} is not held in a GPU buffer`);
  }
  return resource;
}

interface Output {
  readonly info: tf.TensorInfo;
  readonly buffer: GPUBuffer;
}

/** A float32 tensor's storage, allocated by tfjs (which frees it when the tensor goes). */
function newOutput(backend: WebGPUBackend, shape: number[]): Output {
  const info = backend.makeTensorInfo(shape, 'float32');
  backend.uploadToGPU(info.dataId);
  return { info, buffer: backend.tensorMap.get(info.dataId).resource as GPUBuffer };
}

function checkShapes(
  what: string,
  x: tf.Tensor,
  w: tf.Tensor,
  n: number,
  L: number,
  dy?: tf.Tensor,
): void {
  if (x.rank !== 2 || x.shape[1] !== n) {
    throw new Error(`${what}: x must be [batch, ${n}], got [${x.shape.join(', ')}]`);
  }
  if (w.size !== 3 * L * n) {
    throw new Error(
      `${what}: w must hold ${nLayersWords(L)} × ${n} × 3 = ${3 * L * n} weights, got shape [${w.shape.join(', ')}]`,
    );
  }
  if (dy && (dy.rank !== 2 || dy.shape[0] !== x.shape[0] || dy.shape[1] !== 4 * n)) {
    throw new Error(`${what}: dy must be [${x.shape[0]}, ${4 * n}], got [${dy.shape.join(', ')}]`);
  }
}

const nLayersWords = (L: number) => `${L} layer${L === 1 ? '' : 's'}`;

/**
 * Encodes and submits one dispatch of a kernel over a batch. Inputs are float32 tensors;
 * outputs are tfjs-owned buffers.
 */
function dispatch(
  backend: WebGPUBackend,
  entry: CompiledKernel,
  batch: number,
  inputs: readonly GPUBuffer[],
  inputBytes: readonly number[],
  outputs: readonly Output[],
  outputBytes: readonly number[],
  opts: QnnWebGpuOptions,
): void {
  const { device } = backend;
  const { kernel, pipeline } = entry;
  const perWorkgroup = kernel.scratchVec2PerWorkgroup * 8;
  let groups = Math.min(
    batch,
    device.limits.maxComputeWorkgroupsPerDimension,
    MAX_WORKGROUPS_PER_DISPATCH,
    opts.maxWorkgroups ?? Infinity,
  );
  const resources: GPUBindingResource[] = [
    ...inputs.map((buffer, i) => ({ buffer, offset: 0, size: inputBytes[i] })),
    ...outputs.map((o, i) => ({ buffer: o.buffer, offset: 0, size: outputBytes[i] })),
  ];
  if (perWorkgroup > 0) {
    const budget = Math.min(SCRATCH_BUDGET_BYTES, device.limits.maxStorageBufferBindingSize);
    groups = Math.max(1, Math.min(groups, Math.floor(budget / perWorkgroup)));
    const bytes = groups * perWorkgroup;
    const state = stateOf(device);
    if (!state.scratch || state.scratch.size < bytes) {
      // Work already submitted keeps the old buffer alive until it completes.
      state.scratch?.destroy();
      state.scratch = device.createBuffer({
        label: 'qnn-scratch',
        size: bytes,
        usage: GPUBufferUsage.STORAGE,
      });
    }
    resources.push({ buffer: state.scratch, offset: 0, size: bytes });
  }
  // tfjs's own pending commands go first: they may write the inputs.
  backend.ensureCommandEncoderReady();
  backend.endComputePassEncoder();
  backend.submitQueue();
  const bindGroup = device.createBindGroup({
    label: kernel.key,
    layout: pipeline.getBindGroupLayout(0),
    entries: resources.map((resource, binding) => ({ binding, resource })),
  });
  const encoder = device.createCommandEncoder({ label: kernel.key });
  const pass = encoder.beginComputePass({ label: kernel.key });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  // One workgroup per sample; with fewer workgroups than samples each loops over its share.
  pass.dispatchWorkgroups(groups);
  pass.end();
  device.queue.submit([encoder.finish()]);
}

/** Runs fn on float32 versions of the tensors (casting copies are disposed afterwards). */
function withFloat32<T>(tensors: tf.Tensor[], fn: (ts: tf.Tensor[]) => T): T {
  const cast = tensors.map((t) => (t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
  try {
    return fn(cast);
  } finally {
    cast.forEach((t, i) => {
      if (t !== tensors[i]) t.dispose();
    });
  }
}

/** The circuit's readout [B, 4n] for inputs x [B, n] and weights w (L·n·3 values, any shape). */
export function qnnForwardWebGpu(
  x: tf.Tensor2D,
  w: tf.Tensor,
  nQubits: number,
  nLayers: number,
  opts: QnnWebGpuOptions = {},
): tf.Tensor2D {
  checkShapes('qnnForwardWebGpu', x, w, nQubits, nLayers);
  const backend = webgpuBackend('qnnForwardWebGpu');
  const batch = x.shape[0];
  if (batch === 0) return tf.zeros([0, 4 * nQubits]);
  const entry = compiled(backend, 'forward', nQubits, nLayers);
  return withFloat32([x, w], ([xf, wf]) => {
    const out = newOutput(backend, [batch, 4 * nQubits]);
    try {
      dispatch(
        backend,
        entry,
        batch,
        [bufferOf(backend, xf, 'x'), bufferOf(backend, wf, 'w')],
        [xf.size * 4, wf.size * 4],
        [out],
        [batch * 4 * nQubits * 4],
        opts,
      );
    } catch (err) {
      backend.disposeData(out.info.dataId);
      throw err;
    }
    return tf.engine().makeTensorFromTensorInfo(out.info, backend) as tf.Tensor2D;
  });
}

/**
 * Gradients of Σ dy·readout with respect to x ([B, n]) and w (shaped like w, summed over the
 * batch), by the adjoint method; dy is [B, 4n].
 */
export function qnnBackwardWebGpu(
  x: tf.Tensor2D,
  w: tf.Tensor,
  dy: tf.Tensor2D,
  nQubits: number,
  nLayers: number,
  opts: QnnWebGpuOptions = {},
): { dx: tf.Tensor2D; dw: tf.Tensor } {
  checkShapes('qnnBackwardWebGpu', x, w, nQubits, nLayers, dy);
  const backend = webgpuBackend('qnnBackwardWebGpu');
  const batch = x.shape[0];
  if (batch === 0) return { dx: tf.zeros([0, nQubits]), dw: tf.zerosLike(w) };
  const entry = compiled(backend, 'backward', nQubits, nLayers);
  const nw = 3 * nLayers * nQubits;
  return withFloat32([x, w, dy], ([xf, wf, dyf]) => {
    const dx = newOutput(backend, [batch, nQubits]);
    const dwPerSample = newOutput(backend, [batch, nw]);
    try {
      dispatch(
        backend,
        entry,
        batch,
        [bufferOf(backend, xf, 'x'), bufferOf(backend, wf, 'w'), bufferOf(backend, dyf, 'dy')],
        [xf.size * 4, wf.size * 4, dyf.size * 4],
        [dx, dwPerSample],
        [batch * nQubits * 4, batch * nw * 4],
        opts,
      );
    } catch (err) {
      backend.disposeData(dx.info.dataId);
      backend.disposeData(dwPerSample.info.dataId);
      throw err;
    }
    const perSample = tf.engine().makeTensorFromTensorInfo(dwPerSample.info, backend);
    const dw = tf.tidy(() => tf.sum(perSample, 0).reshape(w.shape));
    perSample.dispose();
    return { dx: tf.engine().makeTensorFromTensorInfo(dx.info, backend) as tf.Tensor2D, dw };
  });
}

/**
 * The circuit as a differentiable tfjs op on the WebGPU backend: readout [B, 4n] of x [B, n]
 * and w, with gradients for both from the backward kernel.
 */
export function qnnCircuitWebGpu(
  x: tf.Tensor2D,
  w: tf.Tensor,
  nQubits: number,
  nLayers: number,
): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
    save([xi, wi]);
    return {
      value: qnnForwardWebGpu(xi, wi, nQubits, nLayers),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const { dx, dw } = qnnBackwardWebGpu(
          saved[0] as tf.Tensor2D,
          saved[1],
          dy as tf.Tensor2D,
          nQubits,
          nLayers,
        );
        return [dx, dw];
      },
    };
  });
  return op(x, w) as tf.Tensor2D;
}

/** One case in the golden file's shape (../shared/golden/qnn-circuit.json). */
export interface QnnReferenceCase {
  readonly n_qubits: number;
  readonly n_layers: number;
  readonly inputs: readonly (readonly number[])[];
  /** [L][n][3] or flat. */
  readonly weights: readonly unknown[];
  readonly loss_coefficients: readonly number[];
  readonly outputs: readonly (readonly number[])[];
  readonly grad_inputs: readonly (readonly number[])[];
  /** d(Σ outputs·coefficients)/dw summed over the batch: [L][n][3] or flat. */
  readonly grad_weights: readonly unknown[];
}

export interface QnnCheck {
  readonly maxAbsErrOutputs: number;
  readonly maxAbsErrGradInputs: number;
  readonly maxAbsErrGradWeights: number;
}

function maxAbsDiff(got: ArrayLike<number>, want: readonly number[], what: string): number {
  if (got.length !== want.length) {
    throw new Error(`${what}: ${got.length} values computed, ${want.length} expected`);
  }
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    // NaN never compares greater: count it as infinitely wrong.
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  return worst;
}

/**
 * Runs reference cases through both kernels (loss = Σ outputs·loss_coefficients, so dy is the
 * coefficients on every sample) and returns the largest absolute errors over all cases.
 */
export async function checkQnnWebGpu(
  cases: readonly QnnReferenceCase[],
  opts: QnnWebGpuOptions = {},
): Promise<QnnCheck> {
  let maxAbsErrOutputs = 0;
  let maxAbsErrGradInputs = 0;
  let maxAbsErrGradWeights = 0;
  for (const c of cases) {
    const n = c.n_qubits;
    const L = c.n_layers;
    await prepareQnnWebGpu(n, L);
    const batch = c.inputs.length;
    const result = tf.tidy(() => {
      const x = tf.tensor2d(c.inputs.flat(), [batch, n]);
      const w = tf.tensor((c.weights as unknown[]).flat(2) as number[], [L, n, 3]);
      const dy = tf.tile(tf.tensor2d([...c.loss_coefficients], [1, 4 * n]), [batch, 1]);
      const y = qnnForwardWebGpu(x, w, n, L, opts);
      const { dx, dw } = qnnBackwardWebGpu(x, w, dy as tf.Tensor2D, n, L, opts);
      return { y, dx, dw };
    });
    try {
      const [y, dx, dw] = await Promise.all([result.y.data(), result.dx.data(), result.dw.data()]);
      const where = `${n} qubits, ${L} layers`;
      maxAbsErrOutputs = Math.max(
        maxAbsErrOutputs,
        maxAbsDiff(y, c.outputs.flat(), `outputs (${where})`),
      );
      maxAbsErrGradInputs = Math.max(
        maxAbsErrGradInputs,
        maxAbsDiff(dx, c.grad_inputs.flat(), `grad_inputs (${where})`),
      );
      maxAbsErrGradWeights = Math.max(
        maxAbsErrGradWeights,
        maxAbsDiff(
          dw,
          (c.grad_weights as unknown[]).flat(2) as number[],
          `grad_weights (${where})`,
        ),
      );
    } finally {
      tf.dispose([result.y, result.dx, result.dw]);
    }
  }
  return { maxAbsErrOutputs, maxAbsErrGradInputs, maxAbsErrGradWeights };
}
