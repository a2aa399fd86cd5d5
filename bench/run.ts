import { runChallengeBench } from './challenge';
import { runAttainmentBench } from './attainment';
import { runFitBench } from './fit';
import { runFirstScreenBench } from './firstScreen';
import { runQnnBench } from './qnn';
import { runNeuralBench } from './neural';
import { runNeuralBrowserBench, type NeuralBrowserBenchOptions } from './neuralBrowser';
import type { TrainingBackend } from '../src/workers/neuralBackend';
import type { EncoderName } from '../src/core/neural/types';
import { runSimulationBench, type Metric } from './simulation';

/**
 * `npm run bench [-- <name>] [-- --json]`: runs the benchmarks (all, or the one named) and
 * prints their figures, as a table or as one JSON object per line with --json. Results are
 * written down by hand in BENCHMARKS.md with the machine they ran on.
 */
const BENCHES: Record<string, { describe: string; run: () => Promise<Metric[]> }> = {
  sim: {
    describe:
      'virtual population, 1-cmt oral PK + indirect response, 10,000 subjects × 504 h, vs NumPy RK4',
    run: () => runSimulationBench(),
  },
  attainment: {
    describe:
      'target attainment for 100,000 virtual subjects (demo true model, once daily, two thresholds)',
    run: () => runAttainmentBench(),
  },
  neural: {
    describe:
      'neural training in Node: seconds per epoch and to early stopping per encoder (cascade, EstData fold 1)',
    run: () => runNeuralBench(),
  },
  'neural-browser': {
    describe:
      'neural training in headless Chromium (webgpu, webgl, cpu as offered): the neural bench per backend, GPU runs capped at 60 epochs',
    // BENCH_BACKENDS=webgpu,cpu and BENCH_ENCODERS=mlp,resmlp narrow the run.
    run: () => runNeuralBrowserBench(neuralBrowserSelection()),
  },
  qnn: {
    describe:
      'quantum circuit forward + adjoint gradient, circuits/s at (qubits, layers, batch) = (4,2,1024), (8,2,1024), (8,3,4096), (12,3,1024), per path, vs the seed-style PyTorch baseline in the same run',
    // BENCH_QNN_TORCH=0 skips the PyTorch baseline (minutes at 12 qubits), BENCH_QNN_BROWSER=0
    // the Chromium paths.
    run: () =>
      runQnnBench({
        withoutTorch: process.env.BENCH_QNN_TORCH === '0',
        withoutBrowser: process.env.BENCH_QNN_BROWSER === '0',
      }),
  },
  fit: {
    describe:
      'FOCE-I fits of EstData.csv: pk1-oral, the default pk1-oral-idr1 and pk2-oral-idr1 (with covariance), and the default again with the plain scoring inner solver as baseline',
    run: () => runFitBench(),
  },
  challenge: {
    describe:
      'the challenge questions (3 scenarios × 2 regimens × 2 targets, 10,000 subjects each) for pk2-oral-idr1 fitted to EstData.csv, vs NumPy',
    run: () => runChallengeBench(),
  },
  'first-screen': {
    describe:
      'first screen of the built site in headless Chromium: JS/CSS bytes (gzip), paint times, no tfjs (npm run build first)',
    run: () => runFirstScreenBench(),
  },
};

/** The backends and encoders the environment asks for (all when unset). */
function neuralBrowserSelection(): NeuralBrowserBenchOptions {
  const list = (name: string) =>
    process.env[name]
      ?.split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  const backends = list('BENCH_BACKENDS') as TrainingBackend[] | undefined;
  const encoders = list('BENCH_ENCODERS') as EncoderName[] | undefined;
  return { ...(backends ? { backends } : {}), ...(encoders ? { encoders } : {}) };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('--'));
  for (const name of names) {
    if (!(name in BENCHES))
      throw new Error(`Unknown bench "${name}"; known: ${Object.keys(BENCHES).join(', ')}`);
  }
  const selected = names.length > 0 ? names : Object.keys(BENCHES);
  for (const name of selected) {
    if (!json) console.log(`# ${name}: ${BENCHES[name].describe}`);
    const metrics = await BENCHES[name].run();
    const width = Math.max(28, ...metrics.map((m) => m.metric.length));
    for (const m of metrics) {
      if (json) console.log(JSON.stringify(m));
      else console.log(`${m.metric.padEnd(width)} ${formatValue(m.value).padStart(14)} ${m.unit}`);
    }
  }
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString('en-US');
  return v.toPrecision(4);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
