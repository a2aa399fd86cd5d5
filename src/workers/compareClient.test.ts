import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Dataset } from '../core/data/types';
import { handPlan } from '../testing/compareFakes';
import { isCompareCancelled, runCompareInWorker, type CompareEvent } from './compareClient';
import { createCompareHandler } from './compareJobs';
import type { CompareJob, CompareRequest, CompareResponse } from './compareProtocol';

// The core's task runner is replaced by a stand-in that trains a few short "epochs": these
// tests are about the messages, not the models (the core's own tests train real ones). A
// candidate keyed 'fail' fails in its first fold.
vi.mock('../core/compare/runTask', async () => {
  const { fakeRunner } = await import('../testing/compareFakes');
  return { runCompareTask: fakeRunner({ epochs: 4, epochMs: 3, failOn: 'fail0' }) };
});

const plan = handPlan();
const dataset = { name: 'hand', subjects: [] } as unknown as Dataset;
const job: CompareJob = { plan, dataset, tasks: plan.tasks };

/**
 * A stand-in for a module worker: it runs the real handler, and every message crosses by
 * structured cloning, one macrotask later, as between threads. It cannot kill its "thread",
 * so terminate() asks the job it runs to pause and drops everything it says afterwards.
 */
class FakeWorker {
  static last: FakeWorker | null = null;
  onmessage: ((event: MessageEvent<CompareResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  readonly received: CompareRequest['type'][] = [];
  private readonly ids = new Set<number>();
  private readonly handle = createCompareHandler(
    (message) => {
      const copy = structuredClone(message);
      setTimeout(() => {
        if (!this.terminated) this.onmessage?.({ data: copy } as MessageEvent<CompareResponse>);
      }, 0);
    },
    undefined,
    async () => ({ name: 'cpu', reason: '' }),
  );
  constructor() {
    FakeWorker.last = this;
  }
  postMessage(request: CompareRequest): void {
    const copy = structuredClone(request);
    this.received.push(copy.type);
    this.ids.add(copy.id);
    setTimeout(() => {
      if (!this.terminated) void this.handle(copy);
    }, 0);
  }
  terminate(): void {
    this.terminated = true;
    for (const id of this.ids) void this.handle({ type: 'pause', id });
  }
}

/** A worker whose module cannot load: it fails before saying anything. */
class BrokenWorker {
  onmessage: ((event: MessageEvent<CompareResponse>) => void) | null = null;
  onerror: ((event: Partial<ErrorEvent>) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  postMessage(): void {
    setTimeout(() => this.onerror?.({ message: 'module not found', preventDefault: () => {} }), 0);
  }
  terminate(): void {}
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => null,
    (e: unknown) => e,
  );
}

const cellsOf = (events: readonly CompareEvent[]) =>
  events.flatMap((e) => (e.kind === 'cell' ? [e.cell] : []));

describe('runCompareInWorker without Worker (the main-thread fallback, on the CPU)', () => {
  it('streams the tasks, epochs and cells, and resolves when all are done', async () => {
    expect(typeof Worker).toBe('undefined');
    const events: CompareEvent[] = [];
    const out = await runCompareInWorker(job, { onEvent: (e) => events.push(e) }).result;
    expect(out).toEqual({ paused: false, cellsDone: 4, backend: 'cpu' });
    expect(cellsOf(events).map((c) => `${c.candidateKey}${c.fold}`)).toEqual([
      'a0',
      'b0',
      'a1',
      'b1',
    ]);
    expect(events.some((e) => e.kind === 'epoch')).toBe(true);
  });

  it('pause() ends after the current epoch without the running task; abort rejects', async () => {
    const events: CompareEvent[] = [];
    const handle = runCompareInWorker(job, {
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'cell') handle.pause();
      },
    });
    expect(await handle.result).toMatchObject({ paused: true, cellsDone: 1 });
    expect(cellsOf(events)).toHaveLength(1);

    const controller = new AbortController();
    const aborted = runCompareInWorker(job, {
      signal: controller.signal,
      onEvent: () => controller.abort(),
    });
    const err = await rejection(aborted.result);
    expect(isCompareCancelled(err)).toBe(true);
  });
});

describe('runCompareInWorker through a worker', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('posts the cells across structured cloning and ends the worker', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const events: CompareEvent[] = [];
    const out = await runCompareInWorker(job, { onEvent: (e) => events.push(e) }).result;
    expect(out).toEqual({ paused: false, cellsDone: 4, backend: 'cpu' });
    expect(FakeWorker.last?.received).toEqual(['run']);
    expect(FakeWorker.last?.terminated).toBe(true);
    expect(cellsOf(events)).toHaveLength(4);
    expect(cellsOf(events)[0]).toMatchObject({ candidateKey: 'a', fold: 0, seed: 1, pdRmse: 2 });
    // Each cell is announced by its task's start, in the plan's order.
    const order = events.filter((e) => e.kind !== 'epoch').map((e) => e.kind);
    expect(order).toEqual(['task', 'cell', 'task', 'cell', 'task', 'cell', 'task', 'cell']);
  });

  it('pause() posts a pause message; the running task is abandoned, not recorded', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const events: CompareEvent[] = [];
    const handle = runCompareInWorker(job, {
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'task' && e.index === 1) handle.pause();
      },
    });
    const out = await handle.result;
    expect(FakeWorker.last?.received).toEqual(['run', 'pause']);
    expect(out).toMatchObject({ paused: true, cellsDone: 1 });
    expect(cellsOf(events).map((c) => c.candidateKey)).toEqual(['a']);
  });

  it('aborting ends the worker at once and rejects with an AbortError', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const controller = new AbortController();
    const { result } = runCompareInWorker(job, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.kind === 'task') controller.abort();
      },
    });
    const err = await rejection(result);
    expect(isCompareCancelled(err)).toBe(true);
    expect(FakeWorker.last?.terminated).toBe(true);
  });

  it('passes a failing task on as an error naming it', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const bad = { ...job, tasks: [{ candidateKey: 'fail', seed: 1, fold: 0 }] };
    await expect(runCompareInWorker(bad).result).rejects.toThrow(
      /fold 1 of seed 1 of "fail": the loss is NaN/,
    );
  });

  it('a worker that cannot load runs the job in the page instead', async () => {
    vi.stubGlobal('Worker', BrokenWorker);
    const events: CompareEvent[] = [];
    const out = await runCompareInWorker(job, { onEvent: (e) => events.push(e) }).result;
    expect(out.cellsDone).toBe(4);
    expect(cellsOf(events)).toHaveLength(4);
  });
});
