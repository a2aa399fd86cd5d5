import type { Dataset, SubjectData } from '../data/types';
import type { Covariates, PkPdPredictor } from '../models/types';
import type { SimulationResult } from '../pkpd/types';
import { BASELINE_FEATURE, PD_DVID, PK_DVID, preDoseBiomarker } from './features';

/**
 * A model's predictions for the subjects of a data set, for observed-against-predicted plots.
 * No tfjs here: the Curves panel imports this without pulling the network code into the page's
 * first bundle (the predictor itself is loaded on demand).
 */

/** One endpoint's observations of a data set with a neural model's predictions. */
export interface SubjectPredictionRows {
  /** Index of the row's subject in the data set. */
  readonly subject: number[];
  readonly time: number[];
  readonly observed: number[];
  readonly predicted: number[];
}

/** A subject's covariates as a prediction takes them, with its pre-dose biomarker. */
export function subjectCovariates(s: SubjectData): Covariates {
  const baseline = preDoseBiomarker(s);
  return baseline ? { ...s.covariates, [BASELINE_FEATURE]: baseline.value } : { ...s.covariates };
}

/**
 * Every PK and PD observation of `ds` with the model's prediction for that subject (its own
 * doses and covariates), for observed-against-predicted plots. A subject the model cannot
 * predict (a non-finite value) is left out and counted.
 */
export function datasetPredictions(
  predictor: Pick<PkPdPredictor, 'predict'>,
  ds: Dataset,
): { pk: SubjectPredictionRows; pd: SubjectPredictionRows; failed: number } {
  const empty = (): SubjectPredictionRows => ({
    subject: [],
    time: [],
    observed: [],
    predicted: [],
  });
  const out = { pk: empty(), pd: empty(), failed: 0 };
  ds.subjects.forEach((s, i) => {
    const obs = s.observations.filter((o) => o.dvid === PK_DVID || o.dvid === PD_DVID);
    if (obs.length === 0) return;
    let sim: SimulationResult;
    try {
      sim = predictor.predict(
        subjectCovariates(s),
        s.doses,
        obs.map((o) => o.time),
      );
    } catch {
      out.failed++;
      return;
    }
    obs.forEach((o, j) => {
      const rows = o.dvid === PK_DVID ? out.pk : out.pd;
      const value = o.dvid === PK_DVID ? sim.concentration[j] : sim.biomarker?.[j];
      if (value === undefined) return;
      rows.subject.push(i);
      rows.time.push(o.time);
      rows.observed.push(o.dv);
      rows.predicted.push(value);
    });
  });
  return out;
}
