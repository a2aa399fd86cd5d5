import type { CovariateColumn } from './planColumns';
import type { ReadRecords } from './readRecords';
import type { CovariatePoint, DataProblem, SubjectData } from './types';

export interface BuiltSubjects {
  readonly subjects: SubjectData[];
  /** Covariates (upper-case names) that change within at least one subject. */
  readonly timeVarying: string[];
}

/** First place a covariate changes within a subject, for the warning. */
interface Change {
  readonly id: string;
  readonly line: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Resolves covariates per subject. A covariate is subject-constant when no subject has two
 * different values; otherwise it is time-varying for every subject (change points, carried
 * forward) and `covariates` keeps its baseline. Missing cells are ignored, so a covariate
 * written only on dose records is still constant.
 */
export function buildSubjects(
  read: ReadRecords,
  covariates: readonly CovariateColumn[],
  warnings: DataProblem[],
): BuiltSubjects {
  const { records, covariateValues, subjects } = read;
  const timeVarying: string[] = [];
  const built = [...subjects.values()].map((s) => ({
    id: s.id,
    covariates: {} as Record<string, number>,
    timeVaryingCovariates: {} as Record<string, CovariatePoint[]>,
    doses: s.doses,
    observations: s.observations,
    rows: s.rows,
  }));

  covariates.forEach((cov, k) => {
    const values = covariateValues[k];
    let change: Change | null = null;
    let changingSubjects = 0;
    const withoutValue: string[] = [];
    const series: CovariatePoint[][] = [];
    for (const s of built) {
      const points: CovariatePoint[] = [];
      let changed = false;
      for (const r of s.rows) {
        const v = values[r];
        if (Number.isNaN(v)) continue;
        const last = points.length > 0 ? points[points.length - 1].value : null;
        if (last === v) continue;
        if (last !== null && !changed) {
          changed = true;
          changingSubjects++;
          change ??= { id: s.id, line: records[r].line, from: last, to: v };
        }
        points.push({ time: records[r].time, value: v });
      }
      if (points.length === 0) withoutValue.push(s.id);
      series.push(points);
    }
    const varies = change !== null;
    if (varies) timeVarying.push(cov.name);
    built.forEach((s, i) => {
      const points = series[i];
      if (points.length === 0) return;
      s.covariates[cov.name] = points[0].value;
      if (varies) s.timeVaryingCovariates[cov.name] = points;
    });
    if (change !== null) {
      const c = change;
      warnings.push({
        line: c.line,
        column: cov.column,
        value: String(c.to),
        message: `${cov.column} changes within ${changingSubjects} subject${changingSubjects === 1 ? '' : 's'} (first: ID ${c.id}, from ${c.from} to ${c.to} here); it is kept as a time-varying covariate, with the first value as each subject's baseline.`,
      });
    }
    if (withoutValue.length > 0) {
      const shown = withoutValue.slice(0, 10).join(', ');
      const more = withoutValue.length > 10 ? ` and ${withoutValue.length - 10} more` : '';
      warnings.push({
        line: records[subjects.get(withoutValue[0])?.rows[0] ?? 0]?.line ?? 1,
        column: cov.column,
        message: `${cov.column} has no value for ${withoutValue.length} subject${withoutValue.length === 1 ? '' : 's'} (ID ${shown}${more}).`,
      });
    }
  });

  const result: SubjectData[] = built.map((s) => {
    const maxAmt = s.doses.reduce((m, d) => Math.max(m, d.amt), 0);
    return {
      id: s.id,
      covariates: s.covariates,
      timeVaryingCovariates: s.timeVaryingCovariates,
      doses: s.doses,
      observations: s.observations,
      // DOSE is the group the subject was randomised to; without it, the largest amount given.
      doseGroup: s.covariates.DOSE ?? maxAmt,
    };
  });
  return { subjects: result, timeVarying };
}
