import { createDosingHandler } from './dosingJobs';
import type { DosingRequest, DosingResponse } from './dosingProtocol';

// The project's TypeScript lib is DOM, not WebWorker, so the little of the worker scope that is
// used is typed here.
interface DosingWorkerScope {
  onmessage: ((event: MessageEvent<DosingRequest>) => void) | null;
  postMessage(message: DosingResponse): void;
}

const scope = globalThis as unknown as DosingWorkerScope;
const handle = createDosingHandler((message) => scope.postMessage(message));

scope.onmessage = (event) => {
  void handle(event.data);
};
