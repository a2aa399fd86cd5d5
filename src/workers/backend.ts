/**
 * The compute backend is chosen in one place. WebGPU needs a secure context and an adapter;
 * when either is missing the workbench says why and falls back to the CPU.
 */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendInfo {
  readonly name: BackendName;
  /** Why this backend and not WebGPU (empty when WebGPU runs). */
  readonly reason: string;
  readonly adapter?: string;
}

interface GpuLike {
  requestAdapter(): Promise<{
    info?: { vendor?: string; architecture?: string; description?: string };
  } | null>;
}

export async function detectBackend(): Promise<BackendInfo> {
  if (typeof globalThis.isSecureContext === 'boolean' && !globalThis.isSecureContext) {
    return { name: 'cpu', reason: 'WebGPU needs a secure context (https or localhost).' };
  }
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { name: 'cpu', reason: 'This browser does not offer WebGPU.' };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter)
      return { name: 'cpu', reason: 'WebGPU is present but no GPU adapter is available.' };
    const info = adapter.info ?? {};
    const label = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
    return { name: 'webgpu', reason: '', adapter: label || 'WebGPU adapter' };
  } catch (err) {
    return { name: 'cpu', reason: `WebGPU adapter request failed: ${String(err)}` };
  }
}
