/**
 * The hybrid layer's circuit as a tfjs op with a custom gradient: angles [B, n] and weights
 * [L, n, 3] in, the 4n readouts [B, 4n] out; the gradient (adjoint method) flows to both, so
 * the classical layers before the circuit train too.
 *
 * Each tfjs backend gets a kernel: the fused CPU kernel (fastQnn.ts) serves the CPU backend
 * and WebGL (whose synchronous readback works); WebGPU registers its own fused compute kernel
 * (workers/gpu/qnnWebGpu.ts), which keeps the data on the device. A backend without a kernel
 * is an error, never a silent wrong answer: tfjs's synchronous WebGPU readback can return
 * zeros, so WebGPU never falls back to the CPU kernel here.
 */
import * as tf from '@tensorflow/tfjs';
import { OUTPUTS_PER_WIRE, qnnBackward, qnnForward, type QnnShape } from './fastQnn';

/** One backend's implementation of the circuit's forward pass and gradient. */
export interface QnnKernel {
  /** Readouts [B, 4n] of angles x [B, n] and weights w [L, n, 3]. */
  forward(x: tf.Tensor2D, w: tf.Tensor, shape: QnnShape): tf.Tensor2D;
  /** dL/dx [B, n] and dL/dw [L, n, 3] (summed over B) for dy = dL/d readouts [B, 4n]. */
  backward(
    x: tf.Tensor2D,
    w: tf.Tensor,
    dy: tf.Tensor2D,
    shape: QnnShape,
  ): { dx: tf.Tensor2D; dw: tf.Tensor };
}

/** The fused JavaScript kernel, reading its inputs synchronously (CPU and WebGL backends). */
export const cpuQnnKernel: QnnKernel = {
  forward(x, w, shape) {
    const batch = x.shape[0];
    const out = new Float32Array(batch * OUTPUTS_PER_WIRE * shape.nQubits);
    qnnForward(shape, x.dataSync(), w.dataSync(), batch, out);
    return tf.tensor2d(out, [batch, OUTPUTS_PER_WIRE * shape.nQubits]);
  },
  backward(x, w, dy, shape) {
    const batch = x.shape[0];
    const g = qnnBackward(shape, x.dataSync(), w.dataSync(), dy.dataSync(), batch);
    return {
      dx: tf.tensor2d(Float32Array.from(g.dx), [batch, shape.nQubits]),
      dw: tf.tensor(Float32Array.from(g.dw), w.shape),
    };
  },
};

const kernels = new Map<string, QnnKernel>([
  ['cpu', cpuQnnKernel],
  ['webgl', cpuQnnKernel],
]);

/** Installs a backend's kernel (WebGPU registers its compute kernel this way). */
export function registerQnnKernel(backend: string, kernel: QnnKernel): void {
  kernels.set(backend, kernel);
}

/** Whether the active tfjs backend can run the circuit. */
export function hasQnnKernel(backend: string = tf.getBackend()): boolean {
  return kernels.has(backend);
}

/** The kernel of a backend; an error naming the backend when it has none. */
export function qnnKernelFor(backend: string): QnnKernel {
  const kernel = kernels.get(backend);
  if (!kernel)
    throw new Error(
      `No quantum circuit kernel for the "${backend}" backend (have: ${[...kernels.keys()].join(', ')})`,
    );
  return kernel;
}

/**
 * The circuit op for one shape: f(x [B, n], w [L, n, 3]) → readouts [B, 4n], differentiable
 * in both arguments.
 */
export function quantumCircuitOp(shape: QnnShape): (x: tf.Tensor2D, w: tf.Tensor) => tf.Tensor2D {
  return tf.customGrad((...args) => {
    const [x, w, save] = args as unknown as [tf.Tensor2D, tf.Tensor, tf.GradSaveFunc];
    const kernel = qnnKernelFor(tf.getBackend());
    save([x, w]);
    return {
      value: kernel.forward(x, w, shape),
      gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor];
        const g = qnnKernelFor(tf.getBackend()).backward(sx, sw, dy, shape);
        return [g.dx, g.dw];
      },
    };
  }) as unknown as (x: tf.Tensor2D, w: tf.Tensor) => tf.Tensor2D;
}
