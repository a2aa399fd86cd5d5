/**
 * One way to run a job in its own module worker, shared by every client (fits and VPCs, dose
 * searches, population bands). The worker is ended when the answer comes. Where workers do not
 * exist (Node, old browsers) or the worker fails to load, the same core runs on the main
 * thread, so the caller always gets an answer; a worker that dies after it started is reported,
 * not re-run on the main thread (a long job there would freeze the page). A job that says how
 * (retryAfterCrash) is sent once more, to a fresh worker, before it is reported.
 */

/** Every worker message carries the request's id; these two types end a job. */
export type WorkerReply =
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly error: string }
  | { readonly type: string; readonly id: number };

export interface WorkerJobOptions<P> {
  /** Progress, as often as the worker posts it. */
  readonly onProgress?: (progress: P) => void;
  /** Aborting stops the job; the promise rejects with an AbortError at once. */
  readonly signal?: AbortSignal;
}

export interface WorkerJobPlan<Req, Res extends WorkerReply, T, P> {
  /** The job in words, for errors ("the fit was cancelled"). */
  readonly what: string;
  /**
   * Starts the worker: `new Worker(new URL('./x.worker.ts', import.meta.url), { type:
   * 'module' })` written out at the call site, where the bundler finds the worker.
   */
  readonly createWorker: () => Worker;
  readonly request: (id: number) => Req;
  /** The message asking the worker to stop, when it reads messages while it works. */
  readonly cancel?: (id: number) => Req;
  /** How long (ms) a worker told to stop gets before it is ended (default 0: at once). */
  readonly cancelGraceMs?: number;
  /**
   * Asking the job to finish early with what it has, for jobs that can (a training run keeps
   * its best epoch so far): when `signal` aborts, `request` is posted to the worker, or on the
   * main thread the job's shouldStop turns true. The promise then resolves as usual; aborting
   * the options' signal is what cancels.
   */
  readonly finishEarly?: {
    readonly signal: AbortSignal;
    readonly request: (id: number) => Req;
  };
  /**
   * The request that sends the job once more, to a fresh worker, when its worker dies after
   * it started (an uncaught error, a worker the browser ended for memory): `crash` says what
   * happened, in words for the user. Once only; without it such a death fails the job.
   */
  readonly retryAfterCrash?: (id: number, crash: string) => Req;
  /** The answer in a message: a result, progress, or nothing for this job. */
  readonly read: (msg: Res) => { readonly result: T } | { readonly progress: P } | null;
  /** The same job on the main thread. */
  readonly onMainThread: (onProgress: (p: P) => void, shouldStop: () => boolean) => T | Promise<T>;
  /** True for the error a job throws when it was told to stop. */
  readonly isCancellation: (err: unknown) => boolean;
}

/** An error's message for a worker's reply (anything thrown, in plain words). */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function cancelledError(what: string): DOMException {
  return new DOMException(`The ${what} was cancelled.`, 'AbortError');
}

/** True for the AbortError of a cancelled job (cancelledError, or an aborted fetch or stream). */
export function isAbortError(err: unknown): boolean {
  return (err instanceof Error || err instanceof DOMException) && err.name === 'AbortError';
}

let nextRequestId = 1;

export function runWorkerJob<Req, Res extends WorkerReply, T, P>(
  plan: WorkerJobPlan<Req, Res, T, P>,
  opts: WorkerJobOptions<P> = {},
): Promise<T> {
  const { signal } = opts;
  const onProgress = (p: P) => opts.onProgress?.(p);
  if (signal?.aborted) return Promise.reject(cancelledError(plan.what));
  const onMainThread = (): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(cancelledError(plan.what));
      signal?.addEventListener('abort', onAbort, { once: true });
      // A macrotask first, so an abort that follows this call at once is seen before the work.
      setTimeout(() => {
        if (signal?.aborted) return;
        Promise.resolve()
          .then(() =>
            plan.onMainThread(
              onProgress,
              () => (signal?.aborted ?? false) || (plan.finishEarly?.signal.aborted ?? false),
            ),
          )
          .then(resolve, (err: unknown) =>
            reject(plan.isCancellation(err) ? cancelledError(plan.what) : err),
          )
          .finally(() => signal?.removeEventListener('abort', onAbort));
      }, 0);
    });
  if (typeof Worker === 'undefined') return onMainThread();
  return inWorker(plan, opts, plan.request, onMainThread, plan.retryAfterCrash !== undefined);
}

/** The job in one worker (a fresh one for a retry); on the main thread if it cannot load. */
function inWorker<Req, Res extends WorkerReply, T, P>(
  plan: WorkerJobPlan<Req, Res, T, P>,
  opts: WorkerJobOptions<P>,
  request: (id: number) => Req,
  onMainThread: () => Promise<T>,
  mayRetry: boolean,
): Promise<T> {
  const { signal } = opts;
  const onProgress = (p: P) => opts.onProgress?.(p);
  let worker: Worker;
  try {
    worker = plan.createWorker();
  } catch {
    return onMainThread();
  }
  const id = nextRequestId++;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let heard = false;
    const settle = (terminateAfterMs = 0): boolean => {
      if (settled) return false;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      plan.finishEarly?.signal.removeEventListener('abort', onFinishEarly);
      if (terminateAfterMs > 0) setTimeout(() => worker.terminate(), terminateAfterMs);
      else worker.terminate();
      return true;
    };
    const fail = (error: Error): void => {
      if (settle()) reject(error);
    };
    function onAbort(): void {
      if (plan.cancel) {
        try {
          worker.postMessage(plan.cancel(id));
        } catch {
          // The worker is gone already; ending it below is all that is left.
        }
      }
      if (settle(plan.cancel ? (plan.cancelGraceMs ?? 0) : 0)) reject(cancelledError(plan.what));
    }
    function onFinishEarly(): void {
      if (settled || !plan.finishEarly) return;
      try {
        worker.postMessage(plan.finishEarly.request(id));
      } catch {
        // The worker is gone already; its error or answer settles the job.
      }
    }
    worker.onmessage = (event: MessageEvent<Res>) => {
      const msg = event.data;
      if (msg.id !== id) return;
      heard = true;
      if (msg.type === 'cancelled') return fail(cancelledError(plan.what));
      if (msg.type === 'error' && 'error' in msg) return fail(new Error(msg.error));
      const answer = plan.read(msg);
      if (!answer) return;
      if ('result' in answer) {
        if (settle()) resolve(answer.result);
      } else if (!settled) onProgress(answer.progress);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      // A worker that cannot load (blocked module, old bundle) is not the job's fault.
      if (!heard) {
        if (settle()) onMainThread().then(resolve, reject);
        return;
      }
      const crash = `The ${plan.what} stopped unexpectedly (${event.message || 'the worker died'})`;
      const retry = plan.retryAfterCrash;
      if (mayRetry && retry && !signal?.aborted) {
        if (settle()) {
          inWorker(plan, opts, (next) => retry(next, crash), onMainThread, false).then(
            resolve,
            reject,
          );
        }
      } else fail(new Error(`${crash}.`));
    };
    worker.onmessageerror = () =>
      fail(new Error(`The ${plan.what}'s answer could not be read (message error).`));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      worker.postMessage(request(id));
    } catch (err) {
      // A value that does not clone is a bug in the caller; say so rather than hide it.
      fail(new Error(`Could not send the ${plan.what} to its worker: ${String(err)}`));
    }
    if (plan.finishEarly && !settled) {
      if (plan.finishEarly.signal.aborted) onFinishEarly();
      else plan.finishEarly.signal.addEventListener('abort', onFinishEarly, { once: true });
    }
  });
}

/**
 * A worker's message handler for a job that can be asked to stop while it runs (a training
 * run, a comparison sweep): a message of type `stopType` marks its id, the job reads that
 * through `shouldStop` (the worker yields between epochs, so the message is read), and the job
 * ends in the message `done` makes, in `{type: 'cancelled'}` when it stopped by throwing an
 * AbortError, or in `{type: 'error'}` with the reason.
 */
export function createStoppableHandler<
  Req extends { readonly type: string; readonly id: number },
  Res,
  Outcome,
>(opts: {
  readonly stopType: Req['type'];
  readonly post: (message: Res) => void;
  readonly run: (request: Req, shouldStop: () => boolean) => Promise<Outcome>;
  readonly done: (id: number, outcome: Outcome) => Res;
}): (request: Req) => Promise<void> {
  const stopped = new Set<number>();
  return async (request) => {
    const { id } = request;
    if (request.type === opts.stopType) {
      stopped.add(id);
      return;
    }
    try {
      opts.post(opts.done(id, await opts.run(request, () => stopped.has(id))));
    } catch (err) {
      opts.post(
        (isAbortError(err)
          ? { type: 'cancelled', id }
          : { type: 'error', id, error: errorText(err) }) as Res,
      );
    } finally {
      stopped.delete(id);
    }
  };
}
