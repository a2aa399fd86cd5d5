import { errorText, isCancellation, runFitJob, runVpcJob } from './fitJobs';
import type { FitRequest, FitResponse } from './fitProtocol';

// The project's TypeScript lib is DOM, not WebWorker, so the little of the worker scope that is
// used is typed here.
interface FitWorkerScope {
  onmessage: ((event: MessageEvent<FitRequest>) => void) | null;
  postMessage(message: FitResponse): void;
}

const scope = globalThis as unknown as FitWorkerScope;
/** Jobs asked to stop; a fit polls this between iterations, a VPC between replicates. */
const cancelled = new Set<number>();
/** Fits asked to stop and answer with their last iterate. */
const finishing = new Set<number>();

function finish(id: number, err: unknown): void {
  scope.postMessage(
    isCancellation(err) || cancelled.has(id)
      ? { type: 'cancelled', id }
      : { type: 'error', id, error: errorText(err) },
  );
  forget(id);
}

function forget(id: number): void {
  cancelled.delete(id);
  finishing.delete(id);
}

scope.onmessage = (event) => {
  const request = event.data;
  const { id } = request;
  const shouldStop = () => cancelled.has(id);
  switch (request.type) {
    case 'cancel':
      cancelled.add(id);
      return;
    case 'finish':
      finishing.add(id);
      return;
    case 'fit':
      runFitJob(
        request.dataset,
        request.spec,
        request.options,
        (progress) => scope.postMessage({ type: 'fit-progress', id, progress }),
        shouldStop,
        () => finishing.has(id),
      ).then(
        (result) => {
          forget(id);
          scope.postMessage({ type: 'fit-result', id, result });
        },
        (err) => finish(id, err),
      );
      return;
    case 'vpc':
      // The VPC yields between replicates, so a cancel message is read while it runs.
      runVpcJob(
        request.model,
        request.dataset,
        request.options,
        (done, total) => scope.postMessage({ type: 'vpc-progress', id, done, total }),
        shouldStop,
      ).then(
        (result) => {
          forget(id);
          scope.postMessage({ type: 'vpc-result', id, result });
        },
        (err) => finish(id, err),
      );
      return;
  }
};
