import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { OUTPUTS_PER_WIRE, qnnBackward, type QnnShape } from '../src/core/quantum/fastQnn';
import { createRng } from '../src/core/util/rng';
import { runQnnWebGpuBench } from './qnnWebgpuProbe';
import type { Metric } from './simulation';

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Quantum circuit throughput: circuits per second for forward + gradient (the readouts and the
 * adjoint gradient of L = Σ dy·readouts with respect to every input and weight) of the hybrid
 * layer's circuit, at the sizes, for every path this machine has, and for the seed's
 * way of simulating it (../shared/bench/qnn_torch_baseline.py: PyTorch autograd over a per-gate
 * batched state vector) in the same run, so the ratio compares like with like.
 *
 * Paths: node-cpu (the fused kernel, one thread), node-cpu-workers (the same kernel on one
 * worker thread per core, each taking a share of the batch), chromium-cpu (the fused kernel in
 * a Chromium page: what tfjs's CPU and WebGL backends run), chromium-webgpu (the fused WGSL
 * kernels on tfjs's WebGPU device; SwiftShader on a machine without a GPU), torch-baseline
 * (PyTorch, the better of one thread and one per core). Each row is also a JSON line
 * {"bench":"qnn","path","n_qubits","n_layers","batch","circuits_per_s"}.
 */

export interface QnnBenchRow extends Metric {
  readonly path: string;
  readonly n_qubits: number;
  readonly n_layers: number;
  readonly batch: number;
  readonly circuits_per_s: number;
}

export const QNN_BENCH_SIZES: readonly (readonly [number, number, number])[] = [
  [4, 2, 1024],
  [8, 2, 1024],
  [8, 3, 4096],
  [12, 3, 1024],
];

/** Each JavaScript measurement repeats the batch for at least this long (after a warm-up). */
const MIN_SECONDS = 2;

export function qnnRow(
  pathName: string,
  [n, layers, batch]: readonly [number, number, number],
  circuitsPerSecond: number,
): QnnBenchRow {
  return {
    bench: 'qnn',
    metric: `${pathName} ${n}q×${layers}L×${batch}`,
    value: circuitsPerSecond,
    unit: 'circuits/s',
    path: pathName,
    n_qubits: n,
    n_layers: layers,
    batch,
    circuits_per_s: Math.round(circuitsPerSecond * 10) / 10,
  };
}

function problem(n: number, layers: number, batch: number) {
  const rng = createRng(20261125 + n * 100 + layers);
  return {
    shape: { nQubits: n, nLayers: layers } as QnnShape,
    x: Float64Array.from({ length: batch * n }, () => rng.uniform()),
    w: Float64Array.from({ length: layers * n * 3 }, () => rng.uniform()),
    dy: Float64Array.from({ length: batch * OUTPUTS_PER_WIRE * n }, () => rng.normal()),
  };
}

/** Repeats `run` (one batch) until MIN_SECONDS have passed; circuits per second. */
async function throughput(batch: number, run: () => unknown): Promise<number> {
  await run(); // warm-up: JIT, workspaces, worker start
  let reps = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    await run();
    reps++;
    elapsed = (performance.now() - t0) / 1000;
  } while (elapsed < MIN_SECONDS);
  return (reps * batch) / elapsed;
}

/** A pool of worker threads, each holding its share of one problem. */
class WorkerPool {
  private readonly workers: Worker[];

  constructor(size: number) {
    this.workers = Array.from(
      { length: size },
      () => new Worker(new URL('./qnnWorkerBoot.mjs', import.meta.url)),
    );
  }

  private all(messages: unknown[]): Promise<{ kind: string; dw?: Float64Array }[]> {
    return Promise.all(
      this.workers.map(
        (worker, i) =>
          new Promise<{ kind: string; dw?: Float64Array }>((resolve, reject) => {
            const onError = (err: Error) => {
              worker.off('message', onMessage);
              reject(err);
            };
            const onMessage = (reply: { kind: string; dw?: Float64Array }) => {
              worker.off('error', onError);
              resolve(reply);
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            worker.postMessage(messages[i]);
          }),
      ),
    );
  }

  async setup(p: ReturnType<typeof problem>, batch: number): Promise<void> {
    const share = Math.ceil(batch / this.workers.length);
    await this.all(
      this.workers.map((_, i) => ({
        kind: 'setup',
        shape: p.shape,
        batch,
        first: Math.min(batch, i * share),
        count: Math.max(0, Math.min(share, batch - i * share)),
        x: p.x,
        w: p.w,
        dy: p.dy,
      })),
    );
  }

  /** One batch: every worker's share; the weight gradient summed over the shares. */
  async run(): Promise<Float64Array> {
    const replies = await this.all(this.workers.map(() => ({ kind: 'run' })));
    const dw = new Float64Array(replies[0].dw?.length ?? 0);
    for (const r of replies) r.dw?.forEach((v, k) => (dw[k] += v));
    return dw;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The torch baseline's circuits per second, or the reason it could not run. */
function torchBaseline(
  [n, layers, batch]: readonly [number, number, number],
  threads: number,
): number | string {
  // Repetitions so a run lasts a few seconds at the rates the baseline reaches here.
  const reps = n <= 4 ? 20 : n <= 8 && batch <= 1024 ? 3 : 1;
  const script = path.join(here, '../../shared/bench/qnn_torch_baseline.py');
  let lastError = '';
  // pyenv's python3 may lack torch where Debian's python3-torch is installed.
  for (const python of ['python3', '/usr/bin/python3']) {
    try {
      const out = execFileSync(
        python,
        [script, 'bench', String(n), String(layers), String(batch), String(reps), String(threads)],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      return (JSON.parse(out.trim().split('\n').pop() ?? '{}') as { circuits_per_s: number })
        .circuits_per_s;
    } catch (err) {
      lastError = String((err as Error).message).split('\n')[0];
    }
  }
  return lastError;
}

export interface QnnBenchOptions {
  readonly sizes?: readonly (readonly [number, number, number])[];
  /** Skip the PyTorch baseline (it takes minutes at 12 qubits). */
  readonly withoutTorch?: boolean;
  /** Skip the Chromium paths. */
  readonly withoutBrowser?: boolean;
}

export async function runQnnBench(opts: QnnBenchOptions = {}): Promise<Metric[]> {
  const sizes = opts.sizes ?? QNN_BENCH_SIZES;
  const threads = os.availableParallelism();
  const rows: Metric[] = [];
  const pool = new WorkerPool(threads);
  try {
    for (const size of sizes) {
      const [n, layers, batch] = size;
      const p = problem(n, layers, batch);
      const outputs = new Float64Array(batch * OUTPUTS_PER_WIRE * n);
      let single: Float64Array = new Float64Array(0);
      const cpu = await throughput(batch, () => {
        single = qnnBackward(p.shape, p.x, p.w, p.dy, batch, { outputs }).dw;
      });
      rows.push(qnnRow('node-cpu', size, cpu));
      await pool.setup(p, batch);
      let pooled: Float64Array = new Float64Array(0);
      const workers = await throughput(batch, async () => {
        pooled = await pool.run();
      });
      // The shares must add up to the single-thread gradient (else the figure means nothing).
      const drift = Math.max(...single.map((v, k) => Math.abs(v - pooled[k])));
      if (!(drift < 1e-6 * (1 + Math.max(...single.map(Math.abs)))))
        throw new Error(`qnn bench: the workers' gradient differs from one thread's by ${drift}`);
      rows.push(qnnRow(`node-cpu-workers`, size, workers));
      if (opts.withoutTorch) continue;
      // The baseline's best here: one thread can beat several on a small or loaded machine.
      const torchRuns = [1, ...(threads > 1 ? [threads] : [])].map((t) => torchBaseline(size, t));
      const torchRates = torchRuns.filter((r): r is number => typeof r === 'number');
      const torch = torchRates.length > 0 ? Math.max(...torchRates) : String(torchRuns[0]);
      if (typeof torch === 'string') {
        rows.push({ bench: 'qnn', metric: 'torch_unavailable', value: NaN, unit: torch });
        continue;
      }
      rows.push(qnnRow('torch-baseline', size, torch));
      rows.push({
        bench: 'qnn',
        metric: `speedup_vs_torch ${n}q×${layers}L×${batch}`,
        value: Math.max(cpu, workers) / torch,
        unit: `× (fastest Node CPU path / torch's best of 1 and ${threads} threads)`,
      });
    }
  } finally {
    await pool.close();
  }
  if (!opts.withoutBrowser) {
    const browserRows = await runQnnWebGpuBench(
      sizes.map(([n_qubits, n_layers, batch]) => ({ n_qubits, n_layers, batch })),
      MIN_SECONDS,
    );
    for (const r of browserRows)
      rows.push(qnnRow(r.path, [r.n_qubits, r.n_layers, r.batch], r.circuits_per_s));
  }
  return rows;
}
