import type { Dataset } from '../core/data/types';
import type { CompareCell, ComparePlan, CompareTask } from '../core/compare/types';

/**
 * Messages between the main thread and the comparison worker (one worker per run of a sweep).
 * The worker runs the tasks it is given one after another with the core's runCompareTask, on
 * the tfjs CPU backend, and streams each finished cell as it comes: a half-done sweep is the
 * plan plus the cells received, so nothing finished is lost when the run is paused, cancelled
 * or the page closes.
 */

/** A run: the sweep's plan, the data it was planned on, and the tasks still to do, in order. */
export interface CompareJob {
  readonly plan: ComparePlan;
  readonly dataset: Dataset;
  readonly tasks: readonly CompareTask[];
}

/** What a run reports while it works. Cells are never thinned; epochs are (see below). */
export type CompareEvent =
  /** A task starts (`index` counts the job's tasks from 0). */
  | { readonly kind: 'task'; readonly task: CompareTask; readonly index: number }
  /**
   * The running task finished an epoch (a network, with its epoch budget) or an outer iteration
   * (the mechanistic fit, whose maxEpochs is null).
   */
  | {
      readonly kind: 'epoch';
      readonly task: CompareTask;
      readonly epoch: number;
      readonly maxEpochs: number | null;
    }
  /** A task finished: its cell, and the wall-clock seconds the task took (training and scoring). */
  | { readonly kind: 'cell'; readonly cell: CompareCell; readonly seconds: number };

/** How a run ended when it was not cancelled and did not fail. */
export interface CompareRunOutcome {
  /** True when a pause request ended it before its tasks were all done. */
  readonly paused: boolean;
  /** Cells posted by this run. */
  readonly cellsDone: number;
  /** The tfjs backend the tasks ran on, and why (always the CPU: see compareJobs.ts). */
  readonly backend: string;
}

export type CompareRequest =
  | ({ readonly type: 'run'; readonly id: number } & CompareJob)
  /** Finish the current epoch, abandon the running task (no cell) and answer 'done'. */
  | { readonly type: 'pause'; readonly id: number };

export type CompareResponse =
  | { readonly type: 'event'; readonly id: number; readonly event: CompareEvent }
  | { readonly type: 'done'; readonly id: number; readonly outcome: CompareRunOutcome }
  | { readonly type: 'cancelled'; readonly id: number }
  /** A task failed; `error` names the task and says why in the core's words. */
  | { readonly type: 'error'; readonly id: number; readonly error: string };

/**
 * Epoch events are posted at most this often (ms). Task starts and cells always go through:
 * the progress bar counts cells, and an epoch event is only the fine print of the running task.
 */
export const COMPARE_PROGRESS_INTERVAL_MS = 250;
