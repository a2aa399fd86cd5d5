import { findDose } from '../src/core/dosing/attainment';
import { sampleVirtualPopulation } from '../src/core/dosing/virtualPopulation';
import { TRUE_MODEL } from '../src/core/trial/trueModel';
import type { Metric } from './simulation';

/**
 * One target-attainment curve for a large virtual population: the demo trial's true model
 * (1-compartment oral PK, indirect-response biomarker), 100,000 subjects (BW 50–100 kg, COMED
 * 50%), once daily in 0.5 mg steps, biomarker below a threshold throughout the interval at
 * steady state. Figures: drawing the population, and the dose search at two thresholds (a
 * threshold change is what forces a recomputation in the app; a dose change is a lookup).
 */
export async function runAttainmentBench(subjects = 100_000): Promise<Metric[]> {
  const covariates = {
    BW: { type: 'uniform', min: 50, max: 100 },
    COMED: { type: 'bernoulli', p: 0.5 },
  } as const;
  const question = (value: number) =>
    ({ interval: 24, step: 0.5, target: 0.9, threshold: { value, direction: 'below' } }) as const;
  // Warm-up so the JIT has compiled the hot loops before timing.
  findDose(sampleVirtualPopulation(TRUE_MODEL, { size: 2000, seed: 9, covariates }), question(3.3));
  let t = performance.now();
  const pop = sampleVirtualPopulation(TRUE_MODEL, { size: subjects, seed: 1, covariates });
  const sampling = (performance.now() - t) / 1000;
  const metrics: Metric[] = [
    { bench: 'attainment', metric: 'subjects', value: subjects, unit: 'subjects' },
    { bench: 'attainment', metric: 'sampling_seconds', value: sampling, unit: 's' },
  ];
  for (const threshold of [3.3, 3]) {
    t = performance.now();
    const r = findDose(pop, question(threshold));
    metrics.push({
      bench: 'attainment',
      metric: `search_seconds_${threshold}`,
      value: (performance.now() - t) / 1000,
      unit: `s (answer ${r.dose} mg, ${((r.attainment ?? 0) * 100).toFixed(1)}%)`,
    });
  }
  await Promise.resolve();
  return metrics;
}
