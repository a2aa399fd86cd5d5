import { describe, expect, it } from 'vitest';
import { handCell } from '../../testing/compareFakes';
import { isCompareCell, isCompareTask, secondsLeft, taskKey } from './cells';

describe('tasks and cells', () => {
  it('names a task by candidate, seed and fold', () => {
    expect(taskKey({ candidateKey: 'neural:cascade:mlp:direct', seed: 101, fold: 2 })).toBe(
      'neural:cascade:mlp:direct|101|2',
    );
  });

  it('accepts a cell and refuses values that are not one', () => {
    const cell = handCell({ candidateKey: 'a', seed: 1, fold: 0 });
    expect(isCompareTask(cell)).toBe(true);
    expect(isCompareCell(cell)).toBe(true);
    expect(isCompareCell({ ...cell, pkRmse: null })).toBe(true);
    for (const broken of [
      null,
      'cell',
      { ...cell, fold: -1 },
      { ...cell, fold: 1.5 },
      { ...cell, candidateKey: 3 },
      { ...cell, pdRmse: '1.2' },
      { ...cell, parameters: -4 },
      { ...cell, trainSeconds: undefined },
    ]) {
      expect(isCompareCell(broken)).toBe(false);
    }
  });
});

describe('time left', () => {
  it('prices each remaining task at its candidate’s mean, or the overall mean', () => {
    const remaining = [
      { candidateKey: 'a', seed: 1, fold: 1 },
      { candidateKey: 'b', seed: 1, fold: 1 },
      { candidateKey: 'c', seed: 1, fold: 1 },
    ];
    expect(secondsLeft(remaining, [])).toBeNull();
    const done = [
      { candidateKey: 'a', seconds: 30 },
      { candidateKey: 'b', seconds: 2 },
      { candidateKey: 'b', seconds: 4 },
    ];
    // a 30 + b 3 + c (unknown) the mean 12.
    expect(secondsLeft(remaining, done)).toBe(45);
  });
});
