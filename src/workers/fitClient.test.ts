import { describe, expect, it, vi } from 'vitest';
import { importNonmem } from '../core/data/importNonmem';
import type { Dataset } from '../core/data/types';
import { FitCancelledError } from '../core/nlme/fit';
import { buildFitSpec } from '../core/nlme/models';
import type { FitProgress } from '../core/nlme/types';
import { generateDemoTrial } from '../core/trial/demoTrial';
import { TRUE_MODEL } from '../core/trial/trueModel';
import { fakeFitResult } from '../testing/fakeFit';
import { fitInWorker, isCancelled, vpcInWorker } from './fitClient';

// The fitter is replaced by a quick stand-in with the same contract: progress per iteration,
// `shouldStop` polled between iterations, a FitCancelledError when told to stop, the last
// iterate marked cancelled when told to finish.
vi.mock('../core/nlme/fit', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../core/nlme/fit')>();
  return {
    ...actual,
    fitPopulation: vi.fn(async (ds, spec, _opts, cb) => {
      if (spec.name === 'pk2-iv') throw new Error('PK parameter V2 must be > 0, got -1');
      for (let i = 1; i <= 20; i++) {
        if (cb?.shouldStop?.()) throw new actual.FitCancelledError();
        if (cb?.shouldFinish?.()) {
          const cancelled = { iteration: i - 1, phase: 'estimation' as const };
          return { ...fakeFitResult(spec, ds), converged: false, cancelled };
        }
        cb?.onProgress?.({ iteration: i, ofv: 100 - i, phase: 'estimation', elapsedMs: i });
        await new Promise((r) => setTimeout(r, 2));
      }
      return fakeFitResult(spec, ds);
    }),
  };
});

function demo(): Dataset {
  const r = importNonmem(generateDemoTrial(11).csv, { name: 'demo' });
  if (!r.ok) throw new Error('demo does not import');
  return r.dataset;
}

const dataset = demo();
const spec = buildFitSpec('pk1-oral', dataset);

describe('fit protocol values', () => {
  it('structured-clone unchanged (the data set, the spec and a result hold no functions)', () => {
    expect(structuredClone(dataset)).toEqual(dataset);
    expect(structuredClone(spec)).toEqual(spec);
    const result = fakeFitResult(spec, dataset);
    expect(structuredClone(result)).toEqual(result);
  });
});

describe('fitInWorker without Worker (the main-thread fallback)', () => {
  it('streams progress and resolves with the result', async () => {
    expect(typeof Worker).toBe('undefined');
    const seen: FitProgress[] = [];
    const result = await fitInWorker(dataset, spec, {}, { onProgress: (p) => seen.push(p) });
    expect(result.spec.name).toBe('pk1-oral');
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toMatchObject({ iteration: 1, phase: 'estimation' });
  });

  it('rejects with a cancellation when aborted, and at once when aborted before it starts', async () => {
    const controller = new AbortController();
    const fit = fitInWorker(
      dataset,
      spec,
      {},
      {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      },
    );
    const err = await fit.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isCancelled(err)).toBe(true);
    expect(isCancelled(new FitCancelledError())).toBe(true);
    await expect(fitInWorker(dataset, spec, {}, { signal: controller.signal })).rejects.toThrow(
      /cancelled/,
    );
  });

  it('finishes early with the last iterate when `finish` aborts, instead of rejecting', async () => {
    const finish = new AbortController();
    const result = await fitInWorker(
      dataset,
      spec,
      {},
      // Progress is throttled: the first line (iteration 1) always comes.
      { finish: finish.signal, onProgress: () => finish.abort() },
    );
    expect(result.cancelled).toEqual({ iteration: 1, phase: 'estimation' });
    expect(result.converged).toBe(false);
  });

  it("passes the core's error on, naming the parameter", async () => {
    const bad = { ...spec, name: 'pk2-iv' };
    await expect(fitInWorker(dataset, bad)).rejects.toThrow('V2 must be > 0');
  });
});

describe('vpcInWorker without Worker', () => {
  it('runs the VPC with progress and can be cancelled', async () => {
    const done: number[] = [];
    const vpc = await vpcInWorker(
      TRUE_MODEL,
      dataset,
      { replicates: 3 },
      { onProgress: (p) => done.push(p.done) },
    );
    expect(vpc.replicates).toBe(3);
    expect(vpc.endpoints.map((e) => e.dvid)).toEqual([1, 2]);
    expect(done[done.length - 1]).toBe(3);
    const controller = new AbortController();
    controller.abort();
    await expect(
      vpcInWorker(TRUE_MODEL, dataset, { replicates: 3 }, { signal: controller.signal }),
    ).rejects.toSatisfy(isCancelled);
  });
});
