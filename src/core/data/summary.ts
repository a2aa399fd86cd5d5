import type { Dataset } from './types';

/** Statistics of one covariate over subjects (one value per subject: constant or baseline). */
export interface CovariateStats {
  readonly min: number;
  readonly max: number;
  readonly mean: number;
  readonly median: number;
  /** Number of distinct subject values (2 for a 0/1 flag). */
  readonly distinct: number;
  /** Subjects with a value. */
  readonly subjects: number;
  readonly timeVarying: boolean;
}

export interface DatasetSummary {
  readonly name: string;
  readonly subjects: number;
  /** Data rows, blank lines excluded. */
  readonly records: number;
  /** Dose records (EVID 1 and 4) as written, ADDL not expanded. */
  readonly doseRecords: number;
  /** Doses given once ADDL is expanded (a record with ADDL 6 counts 7). */
  readonly dosesGiven: number;
  /** Observations per endpoint, keyed by DVID. */
  readonly observations: Record<string, number>;
  readonly covariates: string[];
  readonly timeVaryingCovariates: string[];
  /** Subjects per dose group (mg), ascending. */
  readonly doseGroups: { dose: number; subjects: number }[];
  readonly covariateStats: Record<string, CovariateStats>;
  /** First and last TIME over all records, hours. */
  readonly timeRange: { min: number; max: number } | null;
}

/** Counts and covariate statistics of a loaded data set, for the summary panel and the CLI. */
export function summarizeDataset(ds: Dataset): DatasetSummary {
  let doseRecords = 0;
  let dosesGiven = 0;
  const observations: Record<string, number> = {};
  const groups = new Map<number, number>();
  for (const s of ds.subjects) {
    for (const d of s.doses) {
      if (d.evid === 1 || d.evid === 4) {
        doseRecords++;
        dosesGiven += 1 + (d.addl ?? 0);
      }
    }
    for (const o of s.observations) {
      const key = String(o.dvid);
      observations[key] = (observations[key] ?? 0) + 1;
    }
    const g = s.doseGroup ?? 0;
    groups.set(g, (groups.get(g) ?? 0) + 1);
  }

  const covariateStats: Record<string, CovariateStats> = {};
  for (const name of ds.covariateNames) {
    const values = ds.subjects
      .map((s) => s.covariates[name])
      .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (values.length === 0) continue;
    covariateStats[name] = {
      ...describe(values),
      subjects: values.length,
      timeVarying: ds.timeVaryingCovariateNames.includes(name),
    };
  }

  let tMin = Infinity;
  let tMax = -Infinity;
  for (const r of ds.records) {
    if (r.time < tMin) tMin = r.time;
    if (r.time > tMax) tMax = r.time;
  }

  return {
    name: ds.name,
    subjects: ds.subjects.length,
    records: ds.records.length,
    doseRecords,
    dosesGiven,
    observations,
    covariates: [...ds.covariateNames],
    timeVaryingCovariates: [...ds.timeVaryingCovariateNames],
    doseGroups: [...groups]
      .sort((a, b) => a[0] - b[0])
      .map(([dose, subjects]) => ({ dose, subjects })),
    covariateStats,
    timeRange: Number.isFinite(tMin) ? { min: tMin, max: tMax } : null,
  };
}

function describe(
  values: number[],
): Pick<CovariateStats, 'min' | 'max' | 'mean' | 'median' | 'distinct'> {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = Math.floor(n / 2);
  return {
    min: sorted[0],
    max: sorted[n - 1],
    mean: sorted.reduce((a, b) => a + b, 0) / n,
    median: n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    distinct: new Set(sorted).size,
  };
}
