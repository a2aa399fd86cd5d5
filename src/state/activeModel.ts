import { populationPredictor } from '../core/models/populationPredictor';
import type { PkPdPredictor } from '../core/models/types';
import { DEMO_TRIAL_DESIGN } from '../core/trial/demoTrial';
import { TRUE_MODEL } from '../core/trial/trueModel';

/**
 * The demo trial's true model. Its "domain" is the trial's design, so the explorer flags doses,
 * intervals and weights the trial never covered, exactly as it will for fitted models.
 */
const demoTruth: PkPdPredictor = populationPredictor(TRUE_MODEL, {
  id: 'demo-truth',
  label: "Demo trial's true model",
  kind: 'true-model',
  domain: {
    doseRange: [
      Math.min(...DEMO_TRIAL_DESIGN.doseGroups.filter((d) => d > 0)),
      Math.max(...DEMO_TRIAL_DESIGN.doseGroups),
    ],
    intervals: [DEMO_TRIAL_DESIGN.interval],
    bwRange: [DEMO_TRIAL_DESIGN.bwRange[0], DEMO_TRIAL_DESIGN.bwRange[1]],
    comedValues: [0, 1],
  },
});

/** The model the Regimen explorer uses. Later issues add fitted and trained models here. */
export function activePredictor(): PkPdPredictor {
  return demoTruth;
}
