import { parentPort, workerData } from 'node:worker_threads';
import { comparePlan } from '../core/compare/profiles';
import { runCompareTask } from '../core/compare/runTask';
import type { CompareProfileName, CompareTask } from '../core/compare/types';
import { loadDatasetFile } from './loadData';

/**
 * One worker thread of `compare --jobs n`: it loads the data and builds the plan as the main
 * thread did (both are deterministic; the fingerprint is checked), then runs each task it is
 * sent and posts back its cell or its error.
 */
export interface CompareWorkerData {
  readonly file: string;
  readonly columns?: string;
  readonly profile: CompareProfileName;
  readonly seeds?: number;
  readonly folds?: number;
  readonly dataFingerprint: string;
}

export type CompareWorkerReply =
  { readonly id: number; readonly cell: unknown } | { readonly id: number; readonly error: string };

const data = workerData as CompareWorkerData;
const loaded = loadDatasetFile(data.file, data.columns);
if (!loaded.ok) throw new Error(loaded.message);
const ds = loaded.dataset;
const plan = comparePlan(ds, {
  profile: data.profile,
  dataLabel: ds.name,
  ...(data.seeds !== undefined ? { seeds: data.seeds } : {}),
  ...(data.folds !== undefined ? { folds: data.folds } : {}),
});
if (plan.dataFingerprint !== data.dataFingerprint) {
  throw new Error('The worker read other data than the main thread (the file changed).');
}

parentPort?.on('message', (m: { readonly id: number; readonly task: CompareTask }) => {
  runCompareTask(ds, plan, m.task).then(
    (cell) => parentPort?.postMessage({ id: m.id, cell } satisfies CompareWorkerReply),
    (err: unknown) =>
      parentPort?.postMessage({
        id: m.id,
        error: err instanceof Error ? err.message : String(err),
      } satisfies CompareWorkerReply),
  );
});
parentPort?.postMessage({ ready: true });
