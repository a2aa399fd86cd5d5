import { describe, expect, it } from 'vitest';
import type { Dataset } from '../core/data/types';
import type { CompareTask } from '../core/compare/types';
import { fakeRunner, handPlan } from '../testing/compareFakes';
import { createCompareHandler, runCompareJob } from './compareJobs';
import type { CompareEvent, CompareJob, CompareResponse } from './compareProtocol';

const cpu = async () => ({ name: 'cpu' as const, reason: '' });
const dataset = { name: 'hand', subjects: [] } as unknown as Dataset;
const job = (plan = handPlan()): CompareJob => ({ plan, dataset, tasks: plan.tasks });

describe('runCompareJob', () => {
  it('runs the tasks in order on the CPU, reporting each start and each cell', async () => {
    const events: CompareEvent[] = [];
    const calls: CompareTask[] = [];
    const out = await runCompareJob(
      job(),
      (e) => events.push(e),
      () => false,
      fakeRunner({ calls }),
      cpu,
    );
    expect(out).toEqual({ paused: false, cellsDone: 4, backend: 'cpu' });
    expect(calls).toEqual(handPlan().tasks);
    const kinds = events.filter((e) => e.kind !== 'epoch').map((e) => e.kind);
    expect(kinds).toEqual(['task', 'cell', 'task', 'cell', 'task', 'cell', 'task', 'cell']);
    const cells = events.flatMap((e) => (e.kind === 'cell' ? [e] : []));
    expect(cells.map((c) => c.cell.candidateKey)).toEqual(['a', 'b', 'a', 'b']);
    expect(cells.every((c) => c.seconds >= 0)).toBe(true);
    const first = events.find((e) => e.kind === 'epoch');
    expect(first).toMatchObject({ kind: 'epoch', epoch: 1, maxEpochs: 3, task: calls[0] });
  });

  it('thins epoch reports but never cells', async () => {
    const events: CompareEvent[] = [];
    const plan = handPlan();
    await runCompareJob(
      { ...job(plan), tasks: plan.tasks.slice(0, 1) },
      (e) => events.push(e),
      () => false,
      fakeRunner({ epochs: 200, epochMs: 0 }),
      cpu,
    );
    const epochs = events.filter((e) => e.kind === 'epoch');
    expect(epochs.length).toBeGreaterThanOrEqual(1);
    expect(epochs.length).toBeLessThan(50);
    expect(events.filter((e) => e.kind === 'cell')).toHaveLength(1);
  });

  for (const onStop of ['return', 'throw'] as const) {
    it(`a pause abandons the running task, whose cell is dropped (runner ${onStop}s)`, async () => {
      const events: CompareEvent[] = [];
      let stop = false;
      const out = await runCompareJob(
        job(),
        (e) => {
          events.push(e);
          // Pause during the second task.
          if (e.kind === 'task' && e.index === 1) stop = true;
        },
        () => stop,
        fakeRunner({ onStop }),
        cpu,
      );
      expect(out).toEqual({ paused: true, cellsDone: 1, backend: 'cpu' });
      const cells = events.flatMap((e) => (e.kind === 'cell' ? [e.cell] : []));
      expect(cells.map((c) => c.candidateKey)).toEqual(['a']);
      expect(events.filter((e) => e.kind === 'task')).toHaveLength(2);
    });
  }

  it('a failing task ends the run with an error naming it; the cells before were sent', async () => {
    const events: CompareEvent[] = [];
    await expect(
      runCompareJob(
        job(),
        (e) => events.push(e),
        () => false,
        fakeRunner({ failOn: 'b0' }),
        cpu,
      ),
    ).rejects.toThrow('The comparison stopped at fold 1 of seed 1 of "Model B": the loss is NaN');
    expect(events.filter((e) => e.kind === 'cell')).toHaveLength(1);
  });
});

describe('createCompareHandler', () => {
  it('answers a run with events and done, a pause with paused, a failure with error', async () => {
    const posted: CompareResponse[] = [];
    const handle = createCompareHandler(
      (m) => posted.push(m),
      fakeRunner({ epochs: 5, epochMs: 2 }),
      cpu,
    );
    const plan = handPlan();
    await handle({ type: 'run', id: 7, plan, dataset, tasks: plan.tasks.slice(0, 2) });
    expect(posted.at(-1)).toEqual({
      type: 'done',
      id: 7,
      outcome: { paused: false, cellsDone: 2, backend: 'cpu' },
    });
    expect(posted.every((m) => m.id === 7)).toBe(true);

    posted.length = 0;
    const running = handle({ type: 'run', id: 8, plan, dataset, tasks: plan.tasks });
    await handle({ type: 'pause', id: 8 });
    await running;
    expect(posted.at(-1)).toMatchObject({
      type: 'done',
      id: 8,
      outcome: { paused: true, cellsDone: 0 },
    });

    posted.length = 0;
    const failing = createCompareHandler((m) => posted.push(m), fakeRunner({ failOn: 'a0' }), cpu);
    await failing({ type: 'run', id: 9, plan, dataset, tasks: plan.tasks });
    expect(posted.at(-1)).toMatchObject({ type: 'error', id: 9 });
    expect((posted.at(-1) as { error: string }).error).toMatch(/Model A.*the loss is NaN/);
  });
});
