import type { Hours, Kg, Mg } from '../units';
import { simulatePkPd } from '../pkpd/pd';
import {
  addResidualError,
  individualParameters,
  sampleEta,
  type PopulationModel,
} from '../pkpd/population';
import type { DoseEvent } from '../pkpd/types';
import { createRng } from '../util/rng';
import { TRUE_MODEL } from './trueModel';

/**
 * The app's embedded demo trial: a placebo-controlled phase-1 study simulated from
 * `TRUE_MODEL`, written in the challenge data set's layout (EstData.csv) so the importer, the
 * fits and the dose search see the same kind of file a user would load.
 */

/** The seed of the trial shipped with the app. */
export const DEMO_TRIAL_SEED = 20250;

/** Design of the demo trial, mirroring the challenge data set. */
export const DEMO_TRIAL_DESIGN = {
  /** Dose groups in mg once daily (0 = placebo), 12 subjects each, IDs assigned in this order. */
  doseGroups: [0, 1, 3, 10] as readonly Mg[],
  subjectsPerGroup: 12,
  /** Daily doses at 0, 24, …, 480 h. */
  doses: 21,
  interval: 24 as Hours,
  /** Sampling times, h. PD is sampled at all of them (incl. pre-dose at 0 h); PK at all but 0 h. */
  sampleTimes: [
    0, 1, 2, 4, 8, 12, 24, 36, 48, 72, 168, 336, 480, 481, 482, 484, 488, 492, 504, 552, 600, 672,
    840, 1008, 1176,
  ] as readonly Hours[],
  /** Body weight uniform on [50, 100] kg, rounded to whole kg as in the source file. */
  bwRange: [50, 100] as readonly [Kg, Kg],
  /** Probability that a subject takes the concomitant medication. */
  comedProbability: 0.5,
} as const;

/** The CSV header, exactly as in EstData.csv. */
export const TRIAL_COLUMNS = [
  'ID',
  'BW',
  'COMED',
  'DOSE',
  'TIME',
  'DV',
  'EVID',
  'MDV',
  'AMT',
  'CMT',
  'DVID',
] as const;

/**
 * Observed values are floored here so that no DV is ≤ 0: 1e-4 mg/L (far below the smallest
 * concentration the design produces, ≈ 0.005 mg/L at 1176 h after 1 mg) and 0.01 ng/mL for
 * the biomarker. With 15% proportional error on concentrations the floor practically never
 * binds; it guards the additive part of the biomarker error.
 */
const CONCENTRATION_FLOOR = 1e-4;
const BIOMARKER_FLOOR = 0.01;

/** A number as the CSV prints it: six significant digits, no trailing zeros. */
function fmt(x: number): string {
  return String(Number(x.toPrecision(6)));
}

export interface DemoTrial {
  /** The trial in EstData.csv's layout, '\n' line endings, with a header row. */
  readonly csv: string;
  /** The population model the data were simulated from. */
  readonly trueModel: PopulationModel;
  /** What the data were generated from, in plain language. */
  readonly description: string;
}

/**
 * Simulates the demo trial for `seed`. Deterministic: the same seed gives the same CSV byte for
 * byte. Subject i draws its covariates, random effects and residual errors from its own fork of
 * the seeded generator.
 */
export function generateDemoTrial(seed: number): DemoTrial {
  const d = DEMO_TRIAL_DESIGN;
  const rng = createRng(seed);
  const model = TRUE_MODEL;
  const lines: string[] = [TRIAL_COLUMNS.join(',')];
  const doseTimes = Array.from({ length: d.doses }, (_, k) => k * d.interval);
  const times = d.sampleTimes;
  let id = 0;
  for (const dose of d.doseGroups) {
    for (let s = 0; s < d.subjectsPerGroup; s++) {
      id++;
      const r = rng.fork();
      const bw = Math.round(d.bwRange[0] + (d.bwRange[1] - d.bwRange[0]) * r.uniform());
      const comed = r.uniform() < d.comedProbability ? 1 : 0;
      const eta = sampleEta(model, r);
      const params = individualParameters(model, { BW: bw, COMED: comed }, eta);
      const events: DoseEvent[] =
        dose > 0
          ? [{ time: 0, amt: dose, cmt: 1, evid: 1, ii: d.interval, addl: d.doses - 1 }]
          : [];
      const sim = simulatePkPd(params, events, times);
      const prefix = `${id},${bw},${comed},${dose}`;
      // Records in time order; at a shared time the dose comes first, then PK, then PD.
      const allTimes = [...new Set([...(dose > 0 ? doseTimes : []), ...times])].sort(
        (a, b) => a - b,
      );
      for (const t of allTimes) {
        if (dose > 0 && doseTimes.includes(t)) lines.push(`${prefix},${t},0,1,1,${dose},1,0`);
        const k = times.indexOf(t);
        if (k < 0) continue;
        if (dose > 0 && t > 0) {
          const c = addResidualError(sim.concentration[k], model.residualError.concentration!, r);
          lines.push(`${prefix},${t},${fmt(Math.max(CONCENTRATION_FLOOR, c))},0,0,0,2,1`);
        }
        const b = addResidualError(sim.biomarker![k], model.residualError.biomarker!, r);
        lines.push(`${prefix},${t},${fmt(Math.max(BIOMARKER_FLOOR, b))},0,0,0,3,2`);
      }
    }
  }
  const n = d.doseGroups.length * d.subjectsPerGroup;
  const description =
    `Simulated demo trial (seed ${seed}), not real patients: ${n} subjects, ` +
    `${d.subjectsPerGroup} each on placebo, ${d.doseGroups.slice(1).join(', ')} mg once daily for ` +
    `${d.doses} days, sampled to ${times[times.length - 1]} h. Body weight uniform ` +
    `${d.bwRange[0]}–${d.bwRange[1]} kg, COMED with probability ${d.comedProbability}. ` +
    `Generated from a known population model: one-compartment oral PK (CL ${model.theta.CL} L/h, ` +
    `V ${model.theta.V} L at 70 kg, ka ${model.theta.ka} /h, CL ∝ BW^0.75, V ∝ BW), ` +
    `indirect-response inhibition of biomarker production (baseline ${model.theta.baseline} ng/mL, ` +
    `25% lower with COMED, kout ${model.theta.kout} /h, Imax ${model.theta.Imax}, ` +
    `IC50 ${model.theta.IC50} mg/L), log-normal between-subject variability, 15% proportional ` +
    `error on concentrations and 0.2 ng/mL + 8% on the biomarker.`;
  return { csv: lines.join('\n') + '\n', trueModel: model, description };
}
