import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DormandPrince } from '../src/core/pkpd/ode';
import { sampleCovariates, simulatePopulation } from '../src/core/pkpd/population';
import type { DoseEvent } from '../src/core/pkpd/types';
import { TRUE_MODEL } from '../src/core/trial/trueModel';
import { createRng } from '../src/core/util/rng';

/**
 * Virtual-population throughput: 1-compartment oral PK + indirect-response PD (the demo
 * trial's true model), covariates (BW uniform 50–100 kg, COMED 50%) and between-subject
 * variability sampled per subject, 10 mg once daily for 21 doses, hourly output over 0–504 h.
 * Figure of merit: subject-hours simulated per second.
 *
 * Baseline: the same subjects (their individual parameters are handed over) simulated by
 * NumPy, all subjects at once with fixed-step RK4 (bench/baselines/population_numpy.py).
 * Both engines' curves are compared for the first subjects so the ratio compares like with
 * like.
 */

export interface Metric {
  readonly bench: string;
  readonly metric: string;
  readonly value: number;
  readonly unit: string;
}

export interface SimulationBenchOptions {
  readonly subjects?: number;
  /** RK4 step of the NumPy baseline, h (must divide 1 h). */
  readonly numpyStep?: number;
}

const SEED = 12345;
const DOSE = 10;
const INTERVAL = 24;
const DOSES = 21;
const HOURS = 504;
/** Subjects whose curves both engines return for the agreement check. */
const COMPARED = 50;

const here = path.dirname(fileURLToPath(import.meta.url));

export async function runSimulationBench(opts: SimulationBenchOptions = {}): Promise<Metric[]> {
  const n = opts.subjects ?? 10_000;
  const step = opts.numpyStep ?? 0.1;
  const events: DoseEvent[] = [
    { time: 0, amt: DOSE, cmt: 1, evid: 1, ii: INTERVAL, addl: DOSES - 1 },
  ];
  const times = Float64Array.from({ length: HOURS + 1 }, (_, i) => i);

  // Warm-up so the JIT has compiled the hot loops before timing.
  const warmRng = createRng(1);
  simulatePopulation(
    TRUE_MODEL,
    sampleCovariates(COVARIATES, 200, warmRng),
    events,
    times,
    warmRng,
    {
      residualError: false,
    },
  );

  const solver = new DormandPrince(1);
  const t0 = performance.now();
  const rng = createRng(SEED);
  const covariates = sampleCovariates(COVARIATES, n, rng);
  const subjects = simulatePopulation(TRUE_MODEL, covariates, events, times, rng, {
    residualError: false,
    solver,
  });
  const tsSeconds = (performance.now() - t0) / 1000;
  const subjectHours = n * HOURS;
  const metrics: Metric[] = [
    { bench: 'sim', metric: 'subjects', value: n, unit: 'subjects' },
    { bench: 'sim', metric: 'ts_seconds', value: tsSeconds, unit: 's' },
    {
      bench: 'sim',
      metric: 'ts_throughput',
      value: subjectHours / tsSeconds,
      unit: 'subject-hours/s',
    },
    {
      bench: 'sim',
      metric: 'ts_ode_steps_per_subject',
      value: solver.stats.accepted / n,
      unit: 'steps',
    },
  ];

  // Hand the sampled individual parameters to NumPy.
  const field = (name: 'CL' | 'V' | 'ka' | 'baseline' | 'kout' | 'Imax' | 'IC50') =>
    subjects.map((s) => {
      const p = { ...s.parameters.pk, ...s.parameters.pd } as unknown as Record<string, number>;
      return p[name];
    });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkpd-bench-'));
  const input = path.join(dir, 'population.json');
  fs.writeFileSync(
    input,
    JSON.stringify({
      CL: field('CL'),
      V: field('V'),
      ka: field('ka'),
      baseline: field('baseline'),
      kout: field('kout'),
      Imax: field('Imax'),
      IC50: field('IC50'),
      amt: DOSE,
      interval: INTERVAL,
      doses: DOSES,
      hours: HOURS,
      step,
      keep: COMPARED,
    }),
  );
  let stdout: string;
  try {
    stdout = execFileSync('python3', [path.join(here, 'baselines/population_numpy.py'), input], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (err) {
    metrics.push({
      bench: 'sim',
      metric: 'numpy_unavailable',
      value: NaN,
      unit: String((err as Error).message).slice(0, 200),
    });
    return metrics;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const py = JSON.parse(stdout) as {
    seconds: number;
    concentration: number[][];
    biomarker: number[][];
    numpy: string;
  };
  // Largest relative disagreement over the compared subjects and all hours.
  let maxRelC = 0;
  let maxRelR = 0;
  for (let i = 0; i < Math.min(COMPARED, n); i++) {
    const pred = subjects[i].prediction;
    for (let h = 0; h <= HOURS; h++) {
      const c = pred.concentration[h];
      const r = pred.biomarker![h];
      if (c > 1e-3) maxRelC = Math.max(maxRelC, Math.abs(py.concentration[i][h] - c) / c);
      maxRelR = Math.max(maxRelR, Math.abs(py.biomarker[i][h] - r) / r);
    }
  }
  const numpyThroughput = subjectHours / py.seconds;
  metrics.push(
    { bench: 'sim', metric: 'numpy_seconds', value: py.seconds, unit: 's' },
    { bench: 'sim', metric: 'numpy_throughput', value: numpyThroughput, unit: 'subject-hours/s' },
    { bench: 'sim', metric: 'numpy_rk4_step', value: step, unit: 'h' },
    {
      bench: 'sim',
      metric: 'ratio_ts_over_numpy',
      value: subjectHours / tsSeconds / numpyThroughput,
      unit: 'x',
    },
    { bench: 'sim', metric: 'max_rel_diff_concentration', value: maxRelC, unit: '' },
    { bench: 'sim', metric: 'max_rel_diff_biomarker', value: maxRelR, unit: '' },
  );
  return metrics;
}

const COVARIATES = {
  BW: { type: 'uniform', min: 50, max: 100 },
  COMED: { type: 'bernoulli', p: 0.5 },
} as const;
