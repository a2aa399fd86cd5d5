import { expect, test } from '@playwright/test';
import type { DeviceLostRun, WorkerCrashRun } from './harness/deviceLostHarness';
import { useHarnessPage } from './harness/servePage';
import { LOST_RUN_GRACE_MS } from '../src/workers/trainProtocol';

/**
 * A WebGPU device lost mid-training, and a worker that dies mid-job, end in a clear message
 * and a retry on the next backend, and nothing already computed is lost (issue 8). A harness
 * page (e2e/harness/deviceLost.html) trains through the training worker's job and destroys
 * the WebGPU device after the first epoch (webgpu project only: without WebGPU there is no
 * device to lose); in both projects it runs a job in a worker that dies after its first
 * progress message. The unit tests src/workers/trainRetry.test.ts drive the same paths with
 * stand-ins.
 */

const PORT = 4184;

const harness = useHarnessPage({
  html: 'deviceLost.html',
  port: PORT,
  label: 'device-lost-e2e',
  global: '__deviceLostHarness',
  consoleErrors: false,
});
const pageErrors = harness.errors;

test.describe.configure({ mode: 'serial', timeout: 300_000 });

test('a WebGPU device lost mid-training: the run finishes on the next backend and says why', async () => {
  const backend = await harness.page.evaluate<string>('globalThis.__deviceLostHarness.ready');
  test.skip(
    backend !== 'webgpu',
    `No WebGPU device to lose here (training runs on ${backend}); the worker-crash test covers this project.`,
  );
  const run = await harness.page.evaluate<DeviceLostRun>(
    'globalThis.__deviceLostHarness.loseDevice()',
  );
  expect(run.destroyed).toBe(true);
  expect(run.startedOn).toBe('webgpu');
  expect(run.finishedOn).not.toBe('webgpu');
  expect(['webgl', 'cpu']).toContain(run.finishedOn);

  // One failure: the lost device, with the epoch it had completed.
  expect(run.failures).toHaveLength(1);
  const [lost] = run.failures;
  expect(lost).toMatchObject({ backend: 'webgpu', deviceLost: true });
  expect(lost.cause).toMatch(/destroyed/i);
  expect(lost.history.map((h) => h.epoch)).toContain(1);
  expect(Number.isFinite(lost.history[0].trainLoss)).toBe(true);

  // The reason names the loss, the epoch and the backend that took over.
  const words = run.finishedOn === 'cpu' ? 'CPU' : 'WebGL';
  expect(run.reason).toMatch(
    new RegExp(
      `^The GPU device was lost at epoch \\d+ \\(.*destroyed.*\\); training continued on the ${words} backend`,
      'i',
    ),
  );

  // What the caller saw: the epochs on WebGPU before the loss, then a fresh start and the
  // whole run on the next backend.
  const onGpu = run.progress.filter((p) => p.backend === 'webgpu' && p.phase === 'training');
  expect(onGpu.map((p) => p.epoch)).toContain(1);
  const after = run.progress.filter((p) => p.backend === run.finishedOn);
  expect(after[0]).toMatchObject({ phase: 'starting', epoch: 0 });
  expect(after.at(-1)?.phase).toBe('scoring');
  expect(run.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
  expect(run.epochs).toBe(4);
  const summary = `finished on ${run.finishedOn}; restarted ${Math.round(run.restartAfterMs)} ms after the loss; ${run.reason}`;
  test.info().annotations.push({ type: 'device lost', description: summary });
  console.log(`device lost: ${summary}`);
  // The lost run unwound (its reads rejected) instead of hanging until the grace ran out.
  expect(run.restartAfterMs).toBeLessThan(LOST_RUN_GRACE_MS);
  // Nothing is left behind, by the run that finished or by the lost one (trainNetwork disposes
  // its epoch's loss accumulator also when reading it rejects on the dead device).
  expect(run.finishedRunTensors.after).toBe(run.finishedRunTensors.before);
  expect(run.tensorsAfter - run.tensorsBefore).toBe(0);
  expect(pageErrors).toEqual([]);
});

test('a worker that dies mid-job: the job is sent once more to a fresh worker', async () => {
  const run = await harness.page.evaluate<WorkerCrashRun>(
    'globalThis.__deviceLostHarness.crashWorker()',
  );
  expect(run.result).toBe('answered by the second worker');
  expect(run.progress).toEqual(['first worker started', 'second worker started']);
  expect(run.requests).toHaveLength(2);
  expect(run.requests[1].crash).toMatch(
    /^The test job stopped unexpectedly \(.*out of memory \(simulated\)/,
  );
  expect(pageErrors).toEqual([]);
});
