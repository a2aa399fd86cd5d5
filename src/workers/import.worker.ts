import { importNonmem } from '../core/data/importNonmem';
import type { ImportRequest, ImportResponse } from './importProtocol';

// The project's TypeScript lib is DOM, not WebWorker, so the little of the worker scope that is
// used is typed here.
interface ImportWorkerScope {
  onmessage: ((event: MessageEvent<ImportRequest>) => void) | null;
  postMessage(message: ImportResponse): void;
}

const scope = globalThis as unknown as ImportWorkerScope;

scope.onmessage = (event) => {
  const { id, text, name, mapping, maxBytes } = event.data;
  let response: ImportResponse;
  try {
    response = { type: 'result', id, result: importNonmem(text, { name, mapping, maxBytes }) };
  } catch (err) {
    response = { type: 'error', id, error: err instanceof Error ? err.message : String(err) };
  }
  scope.postMessage(response);
};
