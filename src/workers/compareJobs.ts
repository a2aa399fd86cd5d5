import { runCompareTask } from '../core/compare/runTask';
import type { CompareTask } from '../core/compare/types';
import { chooseTrainingBackend, type ChosenBackend } from './neuralBackend';
import {
  COMPARE_PROGRESS_INTERVAL_MS,
  type CompareEvent,
  type CompareJob,
  type CompareRequest,
  type CompareResponse,
  type CompareRunOutcome,
} from './compareProtocol';
import { createStoppableHandler, errorText, isAbortError } from './workerJob';

/**
 * The comparison's run, shared by the worker and the main-thread fallback so both behave alike:
 * the tfjs backend is the CPU, the tasks run one by one, each finished task is reported as its
 * cell at once, and a pause request abandons the running task after its current epoch.
 *
 * Why the CPU: the comparison reports training seconds and prediction time per candidate, and
 * those are only comparable when every candidate runs on the same backend; the CPU is the one
 * backend every browser has, and the one the command line (Node) uses too.
 */

/** Runs one task (the core's runCompareTask; tests pass a stand-in). */
export type CompareTaskRunner = typeof runCompareTask;

/** Switches tfjs to the backend the comparison runs on (tests pass their own). */
export type CompareBackendChooser = () => Promise<ChosenBackend>;

export const chooseCompareBackend: CompareBackendChooser = () => chooseTrainingBackend('cpu');

/** A task in words, for errors: "fold 2 of seed 1 of 'cascade · MLP'". */
function taskWords(job: CompareJob, task: CompareTask): string {
  const label = job.plan.candidates.find((c) => c.key === task.candidateKey)?.label;
  return `fold ${task.fold + 1} of seed ${task.seed} of "${label ?? task.candidateKey}"`;
}

/** Passes epoch events on at most every COMPARE_PROGRESS_INTERVAL_MS (the first always). */
function throttledEpochs(emit: (e: CompareEvent) => void): (e: CompareEvent) => void {
  let last = -Infinity;
  return (e) => {
    const t = Date.now();
    if (t - last < COMPARE_PROGRESS_INTERVAL_MS) return;
    last = t;
    emit(e);
  };
}

/**
 * Runs the job's tasks in order, reporting each start, (thinned) epochs and each cell. Ends
 * with paused: true as soon as `shouldStop` turns true: between tasks, or in a task, which is
 * then abandoned (a task stopped part-way would score a half-trained model, so its cell, if the
 * core returns one, is dropped and the task stays to do). A task that fails ends the run with
 * an error naming the task; the cells before it were reported already.
 */
export async function runCompareJob(
  job: CompareJob,
  emit: (e: CompareEvent) => void,
  shouldStop: () => boolean,
  run: CompareTaskRunner = runCompareTask,
  chooseBackend: CompareBackendChooser = chooseCompareBackend,
): Promise<CompareRunOutcome> {
  const backend = await chooseBackend();
  let cellsDone = 0;
  const outcome = (paused: boolean): CompareRunOutcome => ({
    paused,
    cellsDone,
    backend: backend.name,
  });
  for (const [index, task] of job.tasks.entries()) {
    if (shouldStop()) return outcome(true);
    emit({ kind: 'task', task, index });
    const epochs = throttledEpochs(emit);
    const candidate = job.plan.candidates.find((c) => c.key === task.candidateKey);
    // A network's epoch budget; a fit reports its iterations, which have none.
    const maxEpochs = candidate?.config?.maxEpochs ?? null;
    const started = Date.now();
    let cell;
    try {
      cell = await run(job.dataset, job.plan, task, {
        shouldStop,
        onEpoch: (p) => epochs({ kind: 'epoch', task, epoch: p.epoch, maxEpochs }),
      });
    } catch (err) {
      if (shouldStop() || isAbortError(err)) return outcome(true);
      throw new Error(`The comparison stopped at ${taskWords(job, task)}: ${errorText(err)}`, {
        cause: err,
      });
    }
    if (shouldStop()) return outcome(true);
    cellsDone++;
    emit({ kind: 'cell', cell, seconds: (Date.now() - started) / 1000 });
  }
  return outcome(false);
}

/**
 * The worker's message handler, apart from the worker scope so it can be driven directly (the
 * tests hand it to a stand-in Worker). `post` sends a response back.
 */
export function createCompareHandler(
  post: (message: CompareResponse) => void,
  run: CompareTaskRunner = runCompareTask,
  chooseBackend: CompareBackendChooser = chooseCompareBackend,
): (request: CompareRequest) => Promise<void> {
  return createStoppableHandler<CompareRequest, CompareResponse, CompareRunOutcome>({
    stopType: 'pause',
    post,
    run: (request, shouldPause) =>
      runCompareJob(
        request as CompareJob,
        (event) => post({ type: 'event', id: request.id, event }),
        shouldPause,
        run,
        chooseBackend,
      ),
    done: (id, outcome) => ({ type: 'done', id, outcome }),
  });
}
