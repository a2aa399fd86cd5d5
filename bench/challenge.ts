import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importNonmem } from '../src/core/data/importNonmem';
import type { Dataset } from '../src/core/data/types';
import { DEFAULT_MAX_STEPS } from '../src/core/dosing/attainment';
import {
  CHALLENGE_DEFAULTS,
  CHALLENGE_SCENARIOS,
  comedFractionOf,
  runChallenge,
  scenarioPopulation,
  type ChallengeSettings,
} from '../src/core/dosing/challenge';
import { PeriodicResponse } from '../src/core/dosing/periodicResponse';
import { steadyStateProfile } from '../src/core/dosing/steadyStateProfile';
import { sampleVirtualPopulation, type VirtualSubject } from '../src/core/dosing/virtualPopulation';
import { scoringStep } from '../src/core/models/regimenPrediction';
import { fitPopulation } from '../src/core/nlme/fit';
import { buildFitSpec } from '../src/core/nlme/models';
import type { PopulationModel } from '../src/core/pkpd/population';
import type { Metric } from './simulation';

/**
 * The challenge's questions end to end in Node: 3 scenarios × 2 regimens (once daily in
 * 0.5 mg steps, once weekly in 5 mg steps) × 2 targets (90%, 75% of 10,000 virtual subjects
 * keeping the biomarker below 3.3 ng/mL throughout the interval at steady state), for
 * `pk2-oral-idr1` fitted to EstData.csv. The fit is not timed in the figure of merit (it is
 * reported); the target is the whole runChallenge under 10 s.
 *
 * Baseline: the same sampled subjects (their individual parameters are handed over) through
 * an independent NumPy implementation vectorised across subjects
 * (bench/baselines/challenge_numpy.py), timed in the same invocation; both implementations'
 * answers, whole attainment curves and, for some subjects, worst biomarker values are
 * compared. Process CPU times are reported beside the wall-clock times: on a shared machine
 * they are the steadier figures.
 */

const FIT_MODEL = 'pk2-oral-idr1';
const WARM_UP_SUBJECTS = 300;
/**
 * Value check besides the answers: the worst biomarker of the first PROBE_SUBJECTS subjects
 * of each scenario at PROBE_STEPS dose steps (10 mg daily, 100 mg weekly), from both.
 */
const PROBE_STEPS = 20;
const PROBE_SUBJECTS = 200;

const here = path.dirname(fileURLToPath(import.meta.url));

function load(file: string): Dataset {
  const res = importNonmem(fs.readFileSync(file, 'utf8'), { name: path.basename(file) });
  if (!res.ok) throw new Error(`${file} did not load`);
  return res.dataset;
}

/** The individual parameters of one scenario's subjects, as per-parameter arrays. */
function parameterArrays(subjects: readonly VirtualSubject[]) {
  const pk: Record<string, number[]> = { CL: [], V: [], ka: [], F1: [] };
  const pd: Record<string, number[]> = { baseline: [], kout: [], Imax: [], IC50: [], hill: [] };
  const twoCompartment = subjects[0]?.parameters.pk.Q !== undefined;
  if (twoCompartment) {
    pk.Q = [];
    pk.V2 = [];
  }
  for (const s of subjects) {
    const p = s.parameters.pk;
    const d = s.parameters.pd;
    if (p.type !== 'oral1' && p.type !== 'oral2') throw new Error(`PK ${p.type}: oral expected`);
    if ((p.lag1 ?? 0) !== 0) throw new Error('The NumPy baseline has no absorption lag.');
    if (d?.type !== 'indirect-inhibit-production')
      throw new Error(`PD ${d?.type}: the NumPy baseline does indirect response I only.`);
    pk.CL.push(p.CL);
    pk.V.push(p.V);
    pk.ka.push(p.ka as number);
    pk.F1.push(p.F1 ?? 1);
    if (twoCompartment) {
      pk.Q.push(p.Q as number);
      pk.V2.push(p.V2 as number);
    }
    pd.baseline.push(d.baseline);
    pd.kout.push(d.kout);
    pd.Imax.push(d.Imax ?? 1);
    pd.IC50.push(d.IC50 as number);
    pd.hill.push(d.hill ?? 1);
  }
  return { pk, pd };
}

const pct = (f: number | null) => (f === null ? '—' : `${(100 * f).toFixed(2)}%`);

interface NumpyAnswer {
  scenario: string;
  interval: number;
  target: number;
  dose: number | null;
  attainment: number | null;
}

const metric = (name: string, value: number, unit: string): Metric => ({
  bench: 'challenge',
  metric: name,
  value,
  unit,
});

export async function runChallengeBench(): Promise<Metric[]> {
  const ds = load(path.resolve(process.cwd(), '../shared/data/EstData.csv'));
  const fitStarted = performance.now();
  const fit = await fitPopulation(ds, buildFitSpec(FIT_MODEL, ds), { covariance: false });
  const fitSeconds = (performance.now() - fitStarted) / 1000;
  const model = fit.model;
  const settings: ChallengeSettings = { ...CHALLENGE_DEFAULTS, comedFraction: comedFractionOf(ds) };
  return [
    metric('fit_seconds', fitSeconds, fit.converged ? `s (${FIT_MODEL})` : 's (NOT converged)'),
    ...challengeVsNumpy(model, settings),
  ];
}

/** Times runChallenge for a model and the NumPy baseline on the same subjects; compares. */
export function challengeVsNumpy(model: PopulationModel, settings: ChallengeSettings): Metric[] {
  const metrics: Metric[] = [metric('subjects_per_scenario', settings.subjects, 'subjects')];

  // Warm-up so the JIT has compiled the hot loops before timing.
  runChallenge(model, { ...settings, subjects: WARM_UP_SUBJECTS, seed: settings.seed + 1 });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = runChallenge(model, settings);
  const tsSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const tsCpuSeconds = (cpu.user + cpu.system) / 1e6;
  metrics.push(
    metric('ts_seconds', tsSeconds, tsSeconds < 10 ? 's (target < 10 s)' : 's (OVER 10 s)'),
    metric('ts_cpu_seconds', tsCpuSeconds, 's (process CPU time)'),
  );

  // The same populations (same spec and seed → identical subjects) for NumPy. Sampling is
  // part of ts_seconds but not of the baseline's work: its time is reported on its own.
  const s0 = performance.now();
  const populations = CHALLENGE_SCENARIOS.map((sc) => ({
    name: sc.name,
    subjects: sampleVirtualPopulation(model, scenarioPopulation(sc, settings)),
  }));
  const samplingSeconds = (performance.now() - s0) / 1000;
  metrics.push(
    metric('ts_sampling_seconds', samplingSeconds, 's (the sampling alone; part of ts_seconds)'),
  );

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkpd-bench-'));
  const input = path.join(dir, 'challenge.json');
  fs.writeFileSync(
    input,
    JSON.stringify({
      threshold: settings.threshold,
      targets: settings.targets,
      max_steps: DEFAULT_MAX_STEPS,
      probe_steps: PROBE_STEPS,
      probe_subjects: PROBE_SUBJECTS,
      regimens: settings.regimens.map((r) => ({
        interval: r.interval,
        step: r.step,
        scoring_step: scoringStep(r.interval),
      })),
      scenarios: populations.map((p) => ({ name: p.name, ...parameterArrays(p.subjects) })),
    }),
  );
  let stdout: string;
  try {
    stdout = execFileSync('python3', [path.join(here, 'baselines/challenge_numpy.py'), input], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    metrics.push(metric('numpy_unavailable', NaN, String((err as Error).message).slice(0, 200)));
    return metrics;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const py = JSON.parse(stdout) as {
    seconds: number;
    cpu_seconds: number;
    numpy: string;
    answers: NumpyAnswer[];
    counts: { scenario: string; interval: number; counts: number[] }[];
    probe: { scenario: string; interval: number; dose: number; worst: number[] }[];
  };

  let agreeing = 0;
  let maxDiff = 0;
  const disagreements: string[] = [];
  const answerMetrics: Metric[] = [];
  for (const a of result.answers) {
    const label = `${a.scenario}/${a.interval}h/${Math.round(100 * a.target)}%`;
    const b = py.answers.find(
      (x) => x.scenario === a.scenario && x.interval === a.interval && x.target === a.target,
    );
    const same = b !== undefined && b.dose === a.dose;
    if (same) agreeing++;
    else disagreements.push(`${label}: TS ${a.dose ?? '—'} mg, NumPy ${b?.dose ?? '—'} mg`);
    if (b && a.attainment !== null && b.attainment !== null) {
      maxDiff = Math.max(maxDiff, Math.abs(a.attainment - b.attainment));
    }
    answerMetrics.push(
      metric(
        `dose ${label}`,
        a.dose ?? NaN,
        `mg, ${pct(a.attainment)} (NumPy ${b?.dose ?? '—'} mg, ${pct(b?.attainment ?? null)})`,
      ),
    );
  }
  for (const d of disagreements) console.error(`challenge: answers disagree: ${d}`);
  // The whole attainment curves: attaining subjects at every dose of every search.
  let maxCountDiff = 0;
  for (const a of result.answers) {
    const curve = py.counts.find((c) => c.scenario === a.scenario && c.interval === a.interval);
    const counts = a.result.counts;
    if (!curve || curve.counts.length !== counts.length) {
      maxCountDiff = Infinity;
      continue;
    }
    for (let k = 0; k < counts.length; k++) {
      maxCountDiff = Math.max(maxCountDiff, Math.abs(counts[k] - curve.counts[k]));
    }
  }

  let maxRelWorst = 0;
  for (const p of py.probe) {
    const subjects = populations.find((q) => q.name === p.scenario)?.subjects ?? [];
    p.worst.forEach((w, i) => {
      const { pk, pd } = subjects[i].parameters;
      if (!pd) throw new Error('The model has no PD part.');
      const profile = steadyStateProfile(pk, p.interval, scoringStep(p.interval));
      const ts = new PeriodicResponse(pd, profile).worst(p.dose, settings.threshold.direction);
      maxRelWorst = Math.max(maxRelWorst, Math.abs(w - ts) / Math.abs(ts));
    });
  }

  metrics.push(
    metric('numpy_seconds', py.seconds, `s (NumPy ${py.numpy})`),
    metric('numpy_cpu_seconds', py.cpu_seconds, 's (process CPU time)'),
    metric('ratio', py.seconds / tsSeconds, 'x (numpy/ts; > 1: TS faster)'),
    metric('ratio_cpu', py.cpu_seconds / tsCpuSeconds, 'x (numpy/ts CPU time)'),
    metric('answers', result.answers.length, ''),
    metric('answers_agreeing', agreeing, 'same dose from both'),
    metric('max_attainment_diff', maxDiff, 'fraction of subjects'),
    metric(
      'max_count_diff',
      maxCountDiff,
      `subjects, any of ${DEFAULT_MAX_STEPS + 1} doses × ${py.counts.length} searches`,
    ),
    metric(
      'max_rel_diff_worst',
      maxRelWorst,
      `worst biomarker, ${PROBE_SUBJECTS} subjects × 6 at ${PROBE_STEPS} dose steps`,
    ),
    ...answerMetrics,
  );
  return metrics;
}
