import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importNonmem } from '../src/core/data/importNonmem';
import type { Dataset } from '../src/core/data/types';
import { fitPopulation } from '../src/core/nlme/fit';
import { buildFitSpec } from '../src/core/nlme/models';
import type { Metric } from './simulation';

function load(file: string): Dataset {
  const res = importNonmem(readFileSync(file, 'utf8'), { name: path.basename(file) });
  if (!res.ok) throw new Error(`${file} did not load`);
  return res.dataset;
}

/**
 * FOCE-I fits of the challenge data in Node: the default PK+PD model (staged PK → PD → joint,
 * with the covariance step) and the PK-only model. The target of issue 3 is under 60 s for the
 * default fit on the 2-core development machine.
 */
export async function runFitBench(): Promise<Metric[]> {
  const file = path.resolve(process.cwd(), '../shared/data/EstData.csv');
  const ds = load(file);
  const metrics: Metric[] = [];
  for (const model of ['pk1-oral', 'pk1-oral-idr1', 'pk2-oral-idr1']) {
    const t0 = performance.now();
    const result = await fitPopulation(ds, buildFitSpec(model, ds));
    const seconds = (performance.now() - t0) / 1000;
    metrics.push(
      { bench: 'fit', metric: `${model} fit time`, value: seconds, unit: 's' },
      { bench: 'fit', metric: `${model} iterations`, value: result.iterations, unit: '' },
      {
        bench: 'fit',
        metric: `${model} OFV`,
        value: result.ofv,
        unit: result.converged ? 'converged' : 'NOT converged',
      },
    );
  }
  return metrics;
}
