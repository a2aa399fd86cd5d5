import { importNonmem } from '../core/data/importNonmem';
import type { ImportOptions, ImportResult } from '../core/data/types';
import type { ImportRequest, ImportResponse } from './importProtocol';

export interface ImportInWorkerOptions extends ImportOptions {
  /** Aborting terminates the worker and rejects with an AbortError. */
  readonly signal?: AbortSignal;
}

let nextRequestId = 1;

function abortError(): DOMException {
  return new DOMException('The import was cancelled.', 'AbortError');
}

/** The same core on the main thread, still asynchronous so callers see one behaviour. */
function importOnMainThread(text: string, opts: ImportInWorkerOptions): Promise<ImportResult> {
  return Promise.resolve().then(() => {
    if (opts.signal?.aborted) throw abortError();
    return importNonmem(text, { name: opts.name, mapping: opts.mapping, maxBytes: opts.maxBytes });
  });
}

/**
 * Imports a data file off the main thread. Each call gets its own worker, ended when the answer
 * comes (imports are rare and a fresh worker makes cancellation a terminate). Where workers do
 * not exist (Node, old browsers) or the worker fails to start or crashes, the same import runs
 * on the main thread instead, so the caller always gets a result.
 */
export function importInWorker(
  text: string,
  opts: ImportInWorkerOptions = {},
): Promise<ImportResult> {
  if (opts.signal?.aborted) return Promise.reject(abortError());
  if (typeof Worker === 'undefined') return importOnMainThread(text, opts);
  let worker: Worker;
  try {
    worker = new Worker(new URL('./import.worker.ts', import.meta.url), { type: 'module' });
  } catch {
    return importOnMainThread(text, opts);
  }
  const id = nextRequestId++;
  return new Promise<ImportResult>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      worker.terminate();
      opts.signal?.removeEventListener('abort', onAbort);
      return true;
    };
    const fallBack = (): void => {
      if (settle()) importOnMainThread(text, opts).then(resolve, reject);
    };
    const onAbort = (): void => {
      if (settle()) reject(abortError());
    };
    worker.onmessage = (event: MessageEvent<ImportResponse>) => {
      if (event.data.id !== id) return;
      if (event.data.type === 'result') {
        const { result } = event.data;
        if (settle()) resolve(result);
      } else fallBack();
    };
    worker.onerror = (event) => {
      // A worker that cannot load (blocked module, old bundle) is not the file's fault.
      event.preventDefault();
      fallBack();
    };
    worker.onmessageerror = fallBack;
    opts.signal?.addEventListener('abort', onAbort);
    const request: ImportRequest = {
      type: 'import',
      id,
      text,
      name: opts.name,
      mapping: opts.mapping,
      maxBytes: opts.maxBytes,
    };
    try {
      worker.postMessage(request);
    } catch {
      fallBack();
    }
  });
}
