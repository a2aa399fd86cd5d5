import type { CompareCell, ComparePlan, CompareTask } from '../core/compare/types';
import { DEFAULT_NEURAL_CONFIG } from '../core/neural/types';
import type { CompareTaskRunner } from '../workers/compareJobs';

/**
 * Stand-ins for the comparison's core in tests of the layers above it (worker, client, slice):
 * a hand-made plan and cells, and a task runner that trains for a few short "epochs".
 */

/** A plan by hand: two candidates × one seed × two folds, run seed, fold, candidate. */
export function handPlan(dataFingerprint = 'fp-1'): ComparePlan {
  const candidates = ['a', 'b'].map((k) => ({
    key: k,
    label: `Model ${k.toUpperCase()}`,
    kind: 'neural' as const,
    framework: 'cascade' as const,
    encoder: 'mlp' as const,
    head: 'direct' as const,
    inputs: 'covariates-doses' as const,
    group: 'main' as const,
    config: { ...DEFAULT_NEURAL_CONFIG, maxEpochs: 3 },
  }));
  const tasks: CompareTask[] = [];
  for (const fold of [0, 1])
    for (const c of candidates) tasks.push({ candidateKey: c.key, seed: 1, fold });
  return {
    profile: 'quick',
    dataLabel: 'Hand data',
    dataFingerprint,
    folds: 2,
    seeds: [1],
    candidates,
    tasks,
    threshold: { value: 3.3, direction: 'below' },
  };
}

export function handCell(task: CompareTask, pdRmse = 2): CompareCell {
  return {
    ...task,
    pkRmse: 1,
    pdRmse,
    pkRows: 10,
    pdRows: 12,
    parameters: 100,
    quantumParameters: 0,
    trainSeconds: 0.5,
    predictMsPer1000: 3,
    outcomeCorrect: 4,
    outcomeSubjects: 5,
  };
}

/**
 * A stand-in for runCompareTask: `epochs` epochs of `epochMs` each, reporting each, checking
 * shouldStop after each like the trainer does. When stopped it returns a cell anyway (the
 * worst case: the job must drop it) or throws, as `onStop` says.
 */
export function fakeRunner(
  opts: {
    epochs?: number;
    epochMs?: number;
    failOn?: string;
    onStop?: 'return' | 'throw';
    calls?: CompareTask[];
  } = {},
): CompareTaskRunner {
  const { epochs = 3, epochMs = 1, failOn, onStop = 'return', calls } = opts;
  return (async (_ds, _plan, task, o) => {
    calls?.push(task);
    for (let e = 1; e <= epochs; e++) {
      await new Promise((r) => setTimeout(r, epochMs));
      o?.onEpoch?.({ epoch: e, trainLoss: 1 / e, valLoss: 1 / e, bestEpoch: e });
      if (failOn === `${task.candidateKey}${task.fold}` && e === 2) {
        throw new Error('the loss is NaN');
      }
      if (o?.shouldStop?.()) {
        if (onStop === 'throw') throw new DOMException('stopped', 'AbortError');
        break;
      }
    }
    return handCell(task);
  }) as CompareTaskRunner;
}
