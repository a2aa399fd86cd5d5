import { errorText, isCancellation, runAttainmentJob, runBandsJob } from './regimenPopulationJobs';
import type {
  RegimenPopulationRequest,
  RegimenPopulationResponse,
} from './regimenPopulationProtocol';

// The project's TypeScript lib is DOM, not WebWorker, so the little of the worker scope that is
// used is typed here.
interface PopulationWorkerScope {
  onmessage: ((event: MessageEvent<RegimenPopulationRequest>) => void) | null;
  postMessage(message: RegimenPopulationResponse): void;
}

const scope = globalThis as unknown as PopulationWorkerScope;

// Both jobs run synchronously: a cancel message cannot arrive before they end, so the client
// cancels a superseded job by ending the worker; `shouldStop` is there for the fallback.
scope.onmessage = (event) => {
  const request = event.data;
  const { id } = request;
  const progress = (done: number, total: number) =>
    scope.postMessage({ type: 'progress', id, done, total });
  const never = () => false;
  try {
    switch (request.type) {
      case 'bands':
        scope.postMessage({
          type: 'bands-result',
          id,
          result: runBandsJob(
            request.model,
            request.population,
            request.regimen,
            request.points,
            progress,
            never,
          ),
        });
        return;
      case 'attainment':
        scope.postMessage({
          type: 'attainment-result',
          id,
          result: runAttainmentJob(
            request.model,
            request.population,
            request.question,
            progress,
            never,
          ),
        });
        return;
    }
  } catch (err) {
    scope.postMessage(
      isCancellation(err)
        ? { type: 'cancelled', id }
        : { type: 'error', id, error: errorText(err) },
    );
  }
};
