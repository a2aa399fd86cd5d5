import { importNonmem } from '../core/data/importNonmem';
import type { Dataset } from '../core/data/types';
import type { PopulationModel } from '../core/pkpd/population';
import { generateDemoTrial } from '../core/trial/demoTrial';

/** A demo trial imported as a data set, with the true model it was simulated from. */
export function demoDataset(seed: number): { ds: Dataset; truth: PopulationModel } {
  const trial = generateDemoTrial(seed);
  const res = importNonmem(trial.csv, { name: `demo-${seed}` });
  if (!res.ok) throw new Error('demo trial did not import');
  return { ds: res.dataset, truth: trial.trueModel };
}
