import { createCompareHandler } from './compareJobs';
import type { CompareRequest, CompareResponse } from './compareProtocol';

// The project's TypeScript lib is DOM, not WebWorker, so the little of the worker scope that is
// used is typed here. No WebGPU backend is imported: the comparison runs on the CPU, so that
// its timings compare like with like (see compareJobs.ts).
interface CompareWorkerScope {
  onmessage: ((event: MessageEvent<CompareRequest>) => void) | null;
  postMessage(message: CompareResponse): void;
}

const scope = globalThis as unknown as CompareWorkerScope;
const handle = createCompareHandler((message) => scope.postMessage(message));

// Training yields between epochs, so a pause message is read while a task runs.
scope.onmessage = (event) => {
  void handle(event.data);
};
