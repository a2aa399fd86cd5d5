import type { DoseEvent, SimulationResult } from '../pkpd/types';
import type { Hours, Kg, Mg } from '../units';

/** The covariates of one patient, by name (BW in kg, COMED 0/1, any other the model uses). */
export type Covariates = Readonly<Record<string, number>>;

/** What a model was fitted or trained on: predictions outside it are extrapolations. */
export interface TrainingDomain {
  readonly doseRange: readonly [Mg, Mg];
  readonly intervals: readonly Hours[];
  readonly bwRange: readonly [Kg, Kg];
  readonly comedValues: readonly number[];
  /** The longest time from a subject's first dose to its last observation, h. */
  readonly maxFollowUp?: Hours;
}

/**
 * One interface for every model — the demo's true model, fitted NLME models, neural and
 * hybrid quantum networks — so the Regimen explorer, comparison and dose search loop over
 * models instead of branching on kinds.
 */
export interface PkPdPredictor {
  readonly id: string;
  readonly label: string;
  readonly kind: 'true-model' | 'mechanistic' | 'neural' | 'quantum';
  /** Typical-patient prediction for these covariates under these dose records. */
  predict(
    covariates: Covariates,
    events: readonly DoseEvent[],
    times: ArrayLike<number>,
  ): SimulationResult;
  readonly domain?: TrainingDomain;
  /**
   * Time after the first dose (h) beyond which the model's time course is not to be trusted: a
   * network that reads the time since the first dose and the doses so far has never seen
   * longer regimens. Steady state is judged within it. Absent: no limit (models with
   * pharmacological structure extrapolate in time by construction).
   */
  readonly horizon?: Hours;
}

/** Why a request lies outside a model's domain, one plain sentence per reason. */
export function extrapolationWarnings(
  domain: TrainingDomain | undefined,
  request: { dose: Mg; interval: Hours; covariates: Covariates },
): string[] {
  if (!domain) return [];
  const out: string[] = [];
  const [dLo, dHi] = domain.doseRange;
  if (request.dose > dHi || (request.dose > 0 && request.dose < dLo)) {
    out.push(`Dose ${request.dose} mg is outside the trained doses (${dLo}–${dHi} mg).`);
  }
  if (!domain.intervals.some((ii) => Math.abs(ii - request.interval) < 1e-9)) {
    out.push(
      `Interval ${request.interval} h was not in the data (${domain.intervals.join(', ')} h).`,
    );
  }
  const bw = request.covariates.BW;
  if (bw !== undefined && (bw < domain.bwRange[0] || bw > domain.bwRange[1])) {
    out.push(`Body weight ${bw} kg is outside ${domain.bwRange[0]}–${domain.bwRange[1]} kg.`);
  }
  const comed = request.covariates.COMED;
  if (comed !== undefined && !domain.comedValues.includes(comed)) {
    out.push(`COMED = ${comed} was not in the data.`);
  }
  return out;
}

/**
 * Extrapolation warnings for an answer given to a population: the dose and interval, at each
 * end of the body-weight range and each COMED value present, each warning once.
 */
export function populationExtrapolationWarnings(
  domain: TrainingDomain | undefined,
  request: {
    dose: Mg;
    interval: Hours;
    bwRange: readonly [Kg, Kg];
    comedValues?: readonly number[];
  },
): string[] {
  const out = new Set<string>();
  for (const bw of request.bwRange) {
    for (const comed of request.comedValues ?? [undefined]) {
      const covariates: Covariates = comed === undefined ? { BW: bw } : { BW: bw, COMED: comed };
      for (const w of extrapolationWarnings(domain, { ...request, covariates })) out.add(w);
    }
  }
  return [...out];
}
