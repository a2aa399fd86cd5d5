import { typicalParameters, type PopulationModel } from '../pkpd/population';
import { simulatePkPd } from '../pkpd/pd';
import type { PkPdPredictor, TrainingDomain } from './types';

/**
 * A population model (the demo's truth, or an NLME fit) seen through the common predictor
 * interface: predictions are for the typical patient with the given covariates (η = 0).
 */
export function populationPredictor(
  model: PopulationModel,
  meta: { id: string; label: string; kind: PkPdPredictor['kind']; domain?: TrainingDomain },
): PkPdPredictor {
  return {
    ...meta,
    predict: (covariates, events, times) =>
      simulatePkPd(typicalParameters(model, covariates), events, times),
  };
}
