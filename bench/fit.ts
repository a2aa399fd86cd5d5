import { readFileSync } from 'node:fs';
import path from 'node:path';
import { importNonmem } from '../src/core/data/importNonmem';
import type { Dataset } from '../src/core/data/types';
import { innerStats } from '../src/core/nlme/foce';
import { fitPopulation } from '../src/core/nlme/fit';
import { buildFitSpec } from '../src/core/nlme/models';
import type { FitOptions } from '../src/core/nlme/types';
import type { Metric } from './simulation';

function load(file: string): Dataset {
  const res = importNonmem(readFileSync(file, 'utf8'), { name: path.basename(file) });
  if (!res.ok) throw new Error(`${file} did not load`);
  return res.dataset;
}

/**
 * FOCE-I fits of the challenge data in Node: the default PK+PD model (staged PK → PD → joint,
 * with the covariance step) and the PK-only model. The target of issue 3 is under 60 s for the
 * default fit on the 2-core development machine. Wall and CPU time are both reported: on a
 * machine shared with other work the wall time grows, the CPU time hardly. The default model is
 * fitted twice, the second time with plain Fisher scoring for the conditional modes (the inner
 * solver of earlier versions) as the baseline of the same run.
 */
export async function runFitBench(): Promise<Metric[]> {
  const file = path.resolve(process.cwd(), '../shared/data/EstData.csv');
  const ds = load(file);
  const metrics: Metric[] = [];
  const runs: { model: string; label: string; opts: FitOptions }[] = [
    { model: 'pk1-oral', label: 'pk1-oral', opts: {} },
    { model: 'pk1-oral-idr1', label: 'pk1-oral-idr1', opts: {} },
    { model: 'pk2-oral-idr1', label: 'pk2-oral-idr1', opts: {} },
    {
      model: 'pk1-oral-idr1',
      label: 'pk1-oral-idr1 (baseline: plain scoring inner solver)',
      opts: { innerSolver: 'scoring' },
    },
  ];
  const cpuOf: Record<string, number> = {};
  for (const { model, label, opts } of runs) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const inner0 = { ...innerStats };
    const result = await fitPopulation(ds, buildFitSpec(model, ds), opts);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    cpuOf[label] = cpuSeconds;
    const solves = innerStats.solves - inner0.solves;
    metrics.push(
      { bench: 'fit', metric: `${label} fit time`, value: seconds, unit: 's' },
      // CPU time (user + system) of this process: what a busy machine does not inflate.
      { bench: 'fit', metric: `${label} CPU time`, value: cpuSeconds, unit: 's' },
      { bench: 'fit', metric: `${label} iterations`, value: result.iterations, unit: '' },
      {
        bench: 'fit',
        metric: `${label} OFV`,
        value: result.ofv,
        unit: result.converged ? 'converged' : 'NOT converged',
      },
      {
        bench: 'fit',
        metric: `${label} inner iterations per conditional mode`,
        value: (innerStats.iterations - inner0.iterations) / solves,
        unit: `(${solves} modes)`,
      },
      {
        bench: 'fit',
        metric: `${label} line-search predictions per conditional mode`,
        value: (innerStats.evaluations - inner0.evaluations) / solves,
        unit: '',
      },
    );
  }
  const base = cpuOf['pk1-oral-idr1 (baseline: plain scoring inner solver)'];
  const now = cpuOf['pk1-oral-idr1'];
  if (base && now) {
    metrics.push({
      bench: 'fit',
      metric: 'pk1-oral-idr1 CPU time, baseline / secant-corrected inner solver',
      value: base / now,
      unit: '×',
    });
  }
  return metrics;
}
