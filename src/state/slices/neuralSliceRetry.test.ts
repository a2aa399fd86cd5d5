import { describe, expect, it, vi } from 'vitest';
import { create } from 'zustand';
import type { TrainJobOutcome, TrainProgress } from '../../workers/trainClient';
import { demoDataset } from '../../testing/demo';
import type { WorkbenchState } from '../store';
import { createNeuralSlice, failureNote } from './neuralSlice';

/**
 * The Neural models panel's account of a training run whose backend failed and that finished
 * on another (a lost GPU device, a worker that died): the reason is shown, the chart follows
 * the run that finished. The worker is a stand-in that plays back a run.
 */

const LOST =
  'The GPU device was lost at epoch 3 (destroyed: Device was destroyed.); training continued on the CPU backend, from epoch 1 (2 epochs had been trained on WebGPU).';

const progress = (
  backend: string,
  phase: TrainProgress['phase'],
  epoch: number,
  backendReason = '',
): TrainProgress => ({
  phase,
  backend,
  backendReason,
  epoch,
  maxEpochs: 3,
  trainLoss: epoch > 0 ? 1 / epoch : NaN,
  valLoss: epoch > 0 ? 2 / epoch : NaN,
  bestEpoch: epoch,
});

const played: TrainProgress[] = [
  progress('webgpu', 'starting', 0),
  progress('webgpu', 'training', 1),
  progress('webgpu', 'training', 2),
  progress('cpu', 'starting', 0, LOST),
  progress('cpu', 'training', 1, LOST),
  progress('cpu', 'training', 2, LOST),
  progress('cpu', 'training', 3, LOST),
  progress('cpu', 'scoring', 3, LOST),
];

const history = [1, 2, 3].map((e) => ({
  epoch: e,
  trainLoss: 1 / e,
  valLoss: 2 / e,
  bestEpoch: e,
}));
const outcome = {
  record: {
    id: 'neural-test-1',
    label: 'test',
    createdAt: '2026-01-01T00:00:00.000Z',
    config: {},
    training: { backend: 'cpu', epochs: 3, bestEpoch: 3, history },
  },
  stoppedEarly: false,
  failures: [
    { backend: 'webgpu', deviceLost: true, cause: 'destroyed', history: history.slice(0, 2) },
  ],
} as unknown as TrainJobOutcome;

const seenHistories: number[][] = [];

vi.mock('../../workers/trainClient', () => ({
  trainInWorker: (_job: unknown, opts: { onProgress?: (p: TrainProgress) => void }) => ({
    stop: () => {},
    result: (async () => {
      for (const p of played) {
        await Promise.resolve();
        opts.onProgress?.(p);
      }
      return outcome;
    })(),
  }),
}));

vi.mock('../neuralStorage', () => ({
  neuralModelMeta: (r: { id: string; label: string }) => ({ id: r.id, label: r.label }),
  saveNeuralModel: async () => {},
}));

describe('a training run that moved to another backend', () => {
  it('shows why, keeps the chart on the run that finished, and keeps the model', async () => {
    const store = create<WorkbenchState>()(
      (set, get, api) =>
        ({
          ...createNeuralSlice(set, get, api),
          dataset: demoDataset(3).ds,
          source: { kind: 'demo' },
          neuralModelsStatus: 'unavailable',
        }) as unknown as WorkbenchState,
    );
    store.subscribe((s) => seenHistories.push(s.neuralHistory.map((h) => h.epoch)));
    await store.getState().trainNeural();
    const s = store.getState();
    expect(s.neuralStatus).toBe('done');
    expect(s.neuralMessage).toBe(LOST);
    expect(s.currentNeuralId).toBe('neural-test-1');
    expect(s.neuralHistory.map((h) => h.epoch)).toEqual([1, 2, 3]);
    // The lost run's epochs were shown while it ran, then the chart started again.
    expect(seenHistories).toContainEqual([1, 2]);
    expect(seenHistories).toContainEqual([]);
  });

  it('words the failures when no reason came with the last progress', () => {
    expect(failureNote([], null)).toBe('');
    expect(
      failureNote(
        [{ backend: 'worker', deviceLost: false, cause: 'the worker died', history: [] }],
        null,
      ),
    ).toBe('Training moved to another backend after the worker died.');
    expect(failureNote(outcome.failures, played[7])).toBe(LOST);
  });
});
