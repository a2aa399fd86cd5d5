import { percentile } from '../nlme/vpc';
import { modelForDraw, type ParameterDraws } from '../nlme/uncertainty';
import type { PopulationModel } from '../pkpd/population';
import {
  attainmentCounts,
  attainmentResult,
  type AttainmentQuestion,
  type AttainmentResult,
  type AttainmentRunOptions,
} from './attainment';
import { sampleVirtualPopulation, type VirtualPopulationSpec } from './virtualPopulation';

/**
 * Target attainment with parameter uncertainty: the answer from the estimates, and a band from
 * replicate populations, each simulated from one draw of the estimates (NLME fits keep such
 * draws from their covariance step). The band is the 5th–95th percentile of the fraction
 * attaining over the replicates; it also carries each replicate's Monte Carlo noise, which
 * stays small next to parameter uncertainty for a few thousand subjects per replicate.
 */
export interface UncertaintyOptions {
  /** Replicate populations, each from one parameter draw (default 50). */
  readonly replicates?: number;
  /** Subjects per replicate (default the population size, at most 2,000). */
  readonly subjectsPerReplicate?: number;
}

export function attainmentWithUncertainty(
  model: PopulationModel,
  draws: ParameterDraws,
  spec: VirtualPopulationSpec,
  q: AttainmentQuestion,
  opts: UncertaintyOptions = {},
  run: AttainmentRunOptions = {},
): AttainmentResult {
  if (draws.draws.length === 0) throw new Error('The fit has no parameter draws.');
  const replicates = Math.max(2, Math.floor(opts.replicates ?? 50));
  const perReplicate = Math.max(
    10,
    Math.floor(opts.subjectsPerReplicate ?? Math.min(spec.size, 2000)),
  );
  const total = spec.size + replicates * perReplicate;
  let done = 0;
  const stage = (n: number): AttainmentRunOptions => {
    const offset = done;
    done += n;
    return {
      shouldStop: run.shouldStop,
      onProgress: (d) => run.onProgress?.(offset + d, total),
    };
  };
  const main = attainmentCounts(sampleVirtualPopulation(model, spec), q, stage(spec.size)).counts;
  const fractions: Float64Array[] = [];
  for (let r = 0; r < replicates; r++) {
    const m = modelForDraw(model, draws.draws[r % draws.draws.length]);
    const pop = sampleVirtualPopulation(m, {
      ...spec,
      size: perReplicate,
      seed: spec.seed + 1 + r,
    });
    const counts = attainmentCounts(pop, q, stage(perReplicate)).counts;
    fractions.push(Float64Array.from(counts, (c) => c / perReplicate));
  }
  const column = new Float64Array(replicates);
  const band = (k: number): [number, number] => {
    for (let r = 0; r < replicates; r++) column[r] = fractions[r][k];
    const sorted = Float64Array.from(column).sort();
    return [percentile(sorted, 0.05), percentile(sorted, 0.95)];
  };
  return attainmentResult(main, spec.size, q, {
    band,
    label: `5th–95th percentile over ${replicates} replicate populations of ${perReplicate.toLocaleString('en-US')} subjects, each from one draw of the fit's estimates (parameter uncertainty)`,
  });
}
