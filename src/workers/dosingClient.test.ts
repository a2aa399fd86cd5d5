import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AttainmentQuestion } from '../core/dosing/attainment';
import { CHALLENGE_DEFAULTS } from '../core/dosing/challenge';
import type { VirtualPopulationSpec } from '../core/dosing/virtualPopulation';
import type { PopulationModel } from '../core/pkpd/population';
import { TRUE_MODEL } from '../core/trial/trueModel';
import { attainmentInWorker, challengeInWorker, isDosingCancelled } from './dosingClient';
import { createDosingHandler } from './dosingJobs';
import type { DosingProgress, DosingRequest, DosingResponse } from './dosingProtocol';

const population: VirtualPopulationSpec = {
  size: 300,
  seed: 7,
  covariates: {
    BW: { type: 'uniform', min: 50, max: 100 },
    COMED: { type: 'bernoulli', p: 0.5 },
  },
};
const question: AttainmentQuestion = {
  interval: 24,
  step: 0.5,
  target: 0.9,
  threshold: { value: 3.3, direction: 'below' },
};
const pkOnly: PopulationModel = { ...TRUE_MODEL, pd: undefined };

/**
 * A stand-in for a module worker: it runs the real handler, and every message crosses by
 * structured cloning, one macrotask later, as between threads.
 */
class FakeWorker {
  static created = 0;
  onmessage: ((event: MessageEvent<DosingResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  private readonly handle = createDosingHandler((message) => {
    const copy = structuredClone(message);
    setTimeout(() => {
      if (!this.terminated) this.onmessage?.({ data: copy } as MessageEvent<DosingResponse>);
    }, 0);
  });
  constructor() {
    FakeWorker.created++;
  }
  postMessage(request: DosingRequest): void {
    const copy = structuredClone(request);
    setTimeout(() => {
      if (!this.terminated) this.handle(copy);
    }, 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('dosing jobs without Worker (the main-thread fallback)', () => {
  it('finds a dose, streams progress, and the result survives structured cloning', async () => {
    expect(typeof Worker).toBe('undefined');
    const seen: DosingProgress[] = [];
    const result = await attainmentInWorker(TRUE_MODEL, population, question, {
      onProgress: (p) => seen.push(p),
    });
    expect(result.subjects).toBe(300);
    expect(result.dose).not.toBeNull();
    expect(result.dose! % 0.5).toBe(0);
    expect(result.attainment).toBeGreaterThanOrEqual(0.9);
    expect(result.summary).toMatch(/mg once daily keeps the biomarker below 3.3 ng\/mL/);
    expect(seen[0]).toMatchObject({ phase: 'sampling', done: 0, total: 300 });
    expect(seen.at(-1)).toMatchObject({ phase: 'searching', done: 300, total: 300 });
    const copy = structuredClone(result);
    expect(copy.counts).toBeInstanceOf(Int32Array);
    expect(copy).toEqual(result);
  });

  it('rejects with a cancellation when aborted, and at once when aborted before it starts', async () => {
    const controller = new AbortController();
    const err = await attainmentInWorker(TRUE_MODEL, { ...population, size: 2000 }, question, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'searching') controller.abort();
      },
    }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDosingCancelled(err)).toBe(true);
    await expect(
      attainmentInWorker(TRUE_MODEL, population, question, { signal: controller.signal }),
    ).rejects.toThrow(/cancelled/);
  });

  it('says why a model without a biomarker cannot answer', async () => {
    await expect(attainmentInWorker(pkOnly, population, question)).rejects.toThrow(
      /no biomarker \(PD\) part/,
    );
    await expect(
      challengeInWorker(pkOnly, { ...CHALLENGE_DEFAULTS, subjects: 50 }),
    ).rejects.toThrow(/no biomarker/);
  });

  it('answers the challenge: 3 scenarios × 2 regimens × 2 targets, with warnings', async () => {
    const seen: DosingProgress[] = [];
    const result = await challengeInWorker(
      TRUE_MODEL,
      { ...CHALLENGE_DEFAULTS, subjects: 100 },
      { doseRange: [1, 10], intervals: [24], bwRange: [50, 100], comedValues: [0, 1] },
      { onProgress: (p) => seen.push(p) },
    );
    expect(result.answers).toHaveLength(12);
    expect(result.answers.every((a) => a.dose !== null && a.dose > 0)).toBe(true);
    // Weekly doses were never in the data; 140 kg is outside 50–100 kg.
    const weekly = result.answers.find((a) => a.interval === 168)!;
    expect(weekly.warnings.join(' ')).toMatch(/Interval 168 h was not in the data/);
    const heavy = result.answers.find((a) => a.scenario === 'bw70-140')!;
    expect(heavy.warnings.join(' ')).toMatch(/Body weight 140 kg/);
    expect(seen.at(-1)!.done).toBe(seen.at(-1)!.total);
  });
});

describe('dosing jobs through a worker', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('posts progress and the result across structured cloning', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    const before = FakeWorker.created;
    const seen: DosingProgress[] = [];
    const result = await attainmentInWorker(TRUE_MODEL, population, question, {
      onProgress: (p) => seen.push(p),
    });
    expect(FakeWorker.created).toBe(before + 1);
    expect(result.counts).toBeInstanceOf(Int32Array);
    expect(result.counts.length).toBeGreaterThan(100);
    expect(seen.length).toBeGreaterThan(0);
    const direct = await (async () => {
      vi.unstubAllGlobals();
      return attainmentInWorker(TRUE_MODEL, population, question);
    })();
    // The same seed gives the same subjects, in a worker or not.
    expect(result.dose).toBe(direct.dose);
    expect(Array.from(result.counts)).toEqual(Array.from(direct.counts));
  });

  it('passes errors on and ends the worker when cancelled', async () => {
    vi.stubGlobal('Worker', FakeWorker);
    await expect(attainmentInWorker(pkOnly, population, question)).rejects.toThrow(/no biomarker/);
    const controller = new AbortController();
    const run = challengeInWorker(TRUE_MODEL, { ...CHALLENGE_DEFAULTS, subjects: 50 }, undefined, {
      signal: controller.signal,
    });
    controller.abort();
    const err = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isDosingCancelled(err)).toBe(true);
  });
});
