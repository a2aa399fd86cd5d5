// The WebGPU backend registers itself only where navigator.gpu exists when it is imported, so
// it is imported here, in the worker that trains, and nowhere on the main thread.
import '@tensorflow/tfjs-backend-webgpu';
import { chooseJobBackend, createTrainHandler } from './trainJobs';
// Registers the quantum circuits' WebGPU kernel with the circuit op.
import { prepareQuantumKernels } from './gpu/qnnKernelWebGpu';
import type { TrainRequest, TrainResponse } from './trainProtocol';

// The project's TypeScript lib is DOM, not WebWorker, so the little of the worker scope that is
// used is typed here.
interface TrainWorkerScope {
  onmessage: ((event: MessageEvent<TrainRequest>) => void) | null;
  postMessage(message: TrainResponse): void;
}

const scope = globalThis as unknown as TrainWorkerScope;
const handle = createTrainHandler(
  (message) => scope.postMessage(message),
  chooseJobBackend,
  (backend, job) => prepareQuantumKernels(backend, job.config),
);

// Training yields between epochs, so a stop message is read while it runs.
scope.onmessage = (event) => {
  void handle(event.data);
};
