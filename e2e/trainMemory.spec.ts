import { expect, test } from '@playwright/test';
import type { MemoryAfterRun } from './harness/trainMemoryHarness';
import { useHarnessPage } from './harness/servePage';

/**
 * Tensor memory and GPU buffers stay flat across consecutive trainings (issue 8), in a real
 * browser: a harness page (e2e/harness/trainMemory.html) trains 20 small networks in a row
 * through the training worker's job. In the webgpu project they train on WebGPU (SwiftShader
 * on the CPU here) and the WebGPU backend's bytes are checked too; in the no-webgpu project
 * they train on the fallback backend. The Node test src/workers/trainMemory.test.ts does the
 * same on the tfjs CPU backend.
 */

const PORT = 4183;
/** Consecutive trainings, as in the issue. */
const TRAININGS = 20;

const harness = useHarnessPage({
  html: 'trainMemory.html',
  port: PORT,
  label: 'train-memory-e2e',
  global: '__trainMemoryHarness',
});
const pageErrors = harness.errors;

test.describe.configure({ mode: 'serial', timeout: 540_000 });

test(`tensor and GPU memory stay flat across ${TRAININGS} trainings`, async () => {
  const backend = await harness.page.evaluate<string>('globalThis.__trainMemoryHarness.ready');
  if (test.info().project.name === 'webgpu') expect(backend).toBe('webgpu');
  else expect(backend).not.toBe('webgpu');

  const runs = await harness.page.evaluate<MemoryAfterRun[]>(
    `globalThis.__trainMemoryHarness.train(${TRAININGS})`,
  );
  expect(runs).toHaveLength(TRAININGS);
  for (const run of runs) expect(run).toMatchObject({ backend, epochs: 2 });
  // Whatever the first run left (compiled programs' uniforms, a backend's constants), no later
  // run adds to it: not a tensor, not a byte of live GPU memory.
  const flat = (r: MemoryAfterRun) => ({
    numTensors: r.numTensors,
    numDataBuffers: r.numDataBuffers,
    gpuBytes: r.gpuBytes,
  });
  runs.forEach((r, i) => expect(flat(r), `after run ${i + 1}`).toEqual(flat(runs[0])));
  // The WebGPU backend pools freed buffers for reuse; the runs cycle through four networks, so
  // once each has run the pool has what it needs and stops growing.
  const pooled = runs.map((r) => r.gpuBytesAllocated);
  // On WebGPU the runs did use the backend's buffers: the pool is read, not an absent field.
  if (backend === 'webgpu') expect(Math.max(...pooled)).toBeGreaterThan(0);
  expect(Math.max(...pooled.slice(8)), `pooled bytes ${pooled.join(', ')}`).toBeLessThanOrEqual(
    pooled[7],
  );
  expect(pageErrors).toEqual([]);
});
