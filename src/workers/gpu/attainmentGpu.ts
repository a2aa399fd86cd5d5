/// <reference types="@webgpu/types" />
import {
  AttainmentCancelledError,
  attainmentCounts,
  maxSteps,
  type AttainmentQuestion,
  type SubjectAttainment,
} from '../../core/dosing/attainment';
import {
  ATTAINMENT_WGSL,
  GPU_WORKGROUP_SIZE,
  gpuUniforms,
  gpuUnsupportedReason,
  packForGpu,
  runsFromGpu,
} from '../../core/dosing/gpuAttainment';
import type { VirtualSubject } from '../../core/dosing/virtualPopulation';

/**
 * Target attainment on WebGPU: one compute dispatch runs every virtual subject's dose
 * bisection (the kernel is in core/dosing/gpuAttainment.ts). The device is requested once per
 * worker. Every run is checked against the CPU on its first subjects; a kernel that disagrees
 * (a driver's arithmetic, a lost device) is not trusted and the CPU answers instead, saying
 * why.
 */

/** Subjects recomputed on the CPU to check each GPU run. */
export const GPU_CHECK_SUBJECTS = 64;
/** Subjects per dispatch: keeps one dispatch well under a browser's GPU watchdog. */
const CHUNK = 16_384;

export interface GpuRunsOutcome {
  readonly runs: SubjectAttainment[];
  readonly backend: 'webgpu';
  /** How the GPU run was checked. */
  readonly note: string;
}

interface GpuState {
  readonly device: GPUDevice;
  readonly pipeline: GPUComputePipeline;
  readonly adapter: string;
  /** A software adapter (SwiftShader): correct, but slower than the CPU path. */
  readonly software: boolean;
}

let gpuState: Promise<GpuState | string> | null = null;

async function initGpu(): Promise<GpuState | string> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return 'this browser does not offer WebGPU';
  const adapter = await gpu.requestAdapter();
  if (!adapter) return 'no WebGPU adapter is available';
  const device = await adapter.requestDevice();
  device.lost.then(() => {
    gpuState = null;
  });
  const module = device.createShaderModule({ code: ATTAINMENT_WGSL });
  const compiled = await module.getCompilationInfo();
  const errors = compiled.messages.filter((m) => m.type === 'error');
  if (errors.length > 0) return `the attainment kernel did not compile: ${errors[0].message}`;
  const pipeline = await device.createComputePipelineAsync({
    layout: 'auto',
    compute: { module, entryPoint: 'main' },
  });
  const info = (
    adapter as {
      info?: { vendor?: string; architecture?: string; description?: string };
      isFallbackAdapter?: boolean;
    }
  ).info;
  const label = [info?.vendor, info?.architecture].filter(Boolean).join(' ');
  const software =
    (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter === true ||
    /swiftshader|software|llvmpipe/i.test(
      [info?.vendor, info?.architecture, info?.description].join(' '),
    );
  return { device, pipeline, adapter: label || 'WebGPU', software };
}

async function dispatch(
  state: GpuState,
  subjects: readonly VirtualSubject[],
  q: AttainmentQuestion,
  maxSteps: number,
): Promise<Int32Array> {
  const { device, pipeline } = state;
  const packed = packForGpu(subjects, q, maxSteps);
  const uniform = device.createBuffer({
    size: 32,
    usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(uniform, 0, gpuUniforms(packed, q));
  const input = device.createBuffer({
    size: packed.data.byteLength,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
  });
  device.queue.writeBuffer(input, 0, packed.data);
  const outBytes = subjects.length * 8;
  const output = device.createBuffer({
    size: outBytes,
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
  });
  const readback = device.createBuffer({
    size: outBytes,
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: uniform } },
        { binding: 1, resource: { buffer: input } },
        { binding: 2, resource: { buffer: output } },
      ],
    });
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(subjects.length / GPU_WORKGROUP_SIZE));
    pass.end();
    encoder.copyBufferToBuffer(output, 0, readback, 0, outBytes);
    device.queue.submit([encoder.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    const result = new Int32Array(readback.getMappedRange().slice(0));
    readback.unmap();
    return result;
  } finally {
    uniform.destroy();
    input.destroy();
    output.destroy();
    readback.destroy();
  }
}

/** Where the dose search should run: WebGPU when it helps (auto), always, or never. */
export type ComputePreference = 'auto' | 'webgpu' | 'cpu';

/**
 * Every subject's attaining doses on WebGPU, checked against the CPU on the first subjects.
 * Returns the reason instead when WebGPU is unavailable, not wanted (auto on a software
 * adapter), or cannot run this model.
 */
export async function attainmentRunsGpu(
  subjects: readonly VirtualSubject[],
  q: AttainmentQuestion,
  preference: ComputePreference,
  opts: { onProgress?: (done: number, total: number) => void; shouldStop?: () => boolean } = {},
): Promise<GpuRunsOutcome | { readonly reason: string }> {
  if (preference === 'cpu') return { reason: 'the CPU was chosen' };
  const unsupported = gpuUnsupportedReason(subjects, q);
  if (unsupported) return { reason: unsupported };
  gpuState ??= initGpu().catch((err: unknown) => `WebGPU failed to start: ${String(err)}`);
  const state = await gpuState;
  if (typeof state === 'string') return { reason: state };
  if (preference === 'auto' && state.software) {
    return {
      reason: `WebGPU here is a software renderer (${state.adapter}), slower than the CPU path; choose WebGPU to use it anyway`,
    };
  }
  // The CPU's answer for the check subjects.
  const check = subjects.slice(0, Math.min(GPU_CHECK_SUBJECTS, subjects.length));
  const cpu = attainmentCounts(check, q);
  const steps = maxSteps(q);
  const runs: SubjectAttainment[] = [];
  for (let start = 0; start < subjects.length; start += CHUNK) {
    if (opts.shouldStop?.()) throw new AttainmentCancelledError();
    const part = subjects.slice(start, start + CHUNK);
    runs.push(...runsFromGpu(await dispatch(state, part, q, steps)));
    opts.onProgress?.(Math.min(subjects.length, start + CHUNK), subjects.length);
  }
  const differing = cpu.perSubject.filter((r, i) => !sameRun(r, runs[i], steps)).length;
  // Single precision may move a subject whose threshold dose sits on a grid point by one step.
  const offByMore = cpu.perSubject.filter((r, i) => !nearRun(r, runs[i])).length;
  if (offByMore > 0 || differing > Math.ceil(0.05 * check.length)) {
    return {
      reason: `WebGPU disagreed with the CPU on ${Math.max(differing, offByMore)} of ${check.length} check subjects`,
    };
  }
  return {
    runs,
    backend: 'webgpu',
    note: `Computed on WebGPU (${state.adapter}${state.software ? ', a software renderer' : ''}); ${check.length - differing} of ${check.length} check subjects identical to the CPU.`,
  };
}

function sameRun(a: SubjectAttainment, b: SubjectAttainment, maxSteps: number): boolean {
  const emptyA = a.from > a.to;
  const emptyB = b.from > b.to;
  if (emptyA || emptyB) return emptyA === emptyB || (a.from > maxSteps && b.from > maxSteps);
  return a.from === b.from && a.to === b.to;
}

function nearRun(a: SubjectAttainment, b: SubjectAttainment): boolean {
  return Math.abs(a.from - b.from) <= 1 && Math.abs(a.to - b.to) <= 1;
}
