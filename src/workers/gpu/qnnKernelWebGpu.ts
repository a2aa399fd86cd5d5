import { QUANTUM_ENCODERS, type NeuralConfig } from '../../core/neural/types';
import { registerQnnKernel, type QnnKernel } from '../../core/quantum/qnnOp';
import { prepareQnnWebGpu, qnnBackwardWebGpu, qnnForwardWebGpu } from './qnnWebGpu';

/**
 * The hybrid layers' circuits on tfjs's WebGPU backend: the fused compute kernels of
 * qnnWebGpu.ts as the circuit op's WebGPU kernel (core/quantum/qnnOp.ts). Importing this
 * module registers it; the training worker imports it.
 */
export const webGpuQnnKernel: QnnKernel = {
  forward: (x, w, shape) => qnnForwardWebGpu(x, w, shape.nQubits, shape.nLayers),
  backward: (x, w, dy, shape) => qnnBackwardWebGpu(x, w, dy, shape.nQubits, shape.nLayers),
};

registerQnnKernel('webgpu', webGpuQnnKernel);

/**
 * Compiles the circuit kernels a training run on `backend` will use before it starts, so that
 * a kernel the device rejects fails the run at once (and the run falls back to the CPU with
 * the reason) instead of failing inside an epoch.
 */
export async function prepareQuantumKernels(backend: string, config: NeuralConfig): Promise<void> {
  if (backend !== 'webgpu' || !QUANTUM_ENCODERS.includes(config.encoder)) return;
  await prepareQnnWebGpu(config.qubits, config.qlayers);
}
