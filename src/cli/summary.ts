import type { Command } from 'commander';
import { formatProblem } from '../core/data/problems';
import { summarizeDataset, type DatasetSummary } from '../core/data/summary';
import type { ColumnMapping } from '../core/data/types';
import { loadDatasetFile } from './loadData';

export interface SummaryOptions {
  /** ROLE=NAME,... as given on the command line. */
  readonly columns?: string;
  readonly json?: boolean;
}

/** Where the command writes; tests pass collectors, the CLI the console. */
export interface SummaryOutput {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: SummaryOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/** Notes listed in the readable summary before "and N more". */
const SHOWN_WARNINGS = 20;

/**
 * Imports `file` and prints its summary (readable, or one JSON document with --json).
 * Returns the exit code: 0 when the file loaded, 1 when it did not or could not be read.
 */
export function runSummary(
  file: string,
  opts: SummaryOptions = {},
  output: SummaryOutput = consoleOutput,
): number {
  const failWith = (message: string): number => {
    if (opts.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
    else output.err(message);
    return 1;
  };

  const loaded = loadDatasetFile(file, opts.columns);
  if (!loaded.ok) {
    if (!loaded.problems) return failWith(loaded.message);
    if (opts.json) {
      output.out(JSON.stringify({ ok: false, problems: loaded.problems }, null, 2));
    } else {
      output.err(loaded.message);
      for (const p of loaded.problems) output.err(formatProblem(p));
    }
    return 1;
  }
  const result = { dataset: loaded.dataset, warnings: loaded.warnings };

  const summary = summarizeDataset(result.dataset);
  if (opts.json) {
    output.out(
      JSON.stringify(
        { ok: true, ...summary, mapping: result.dataset.mapping, warnings: result.warnings },
        null,
        2,
      ),
    );
    return 0;
  }
  output.out(formatSummary(summary, result.dataset.mapping));
  if (result.warnings.length > 0) {
    output.out(`\nNotes (${result.warnings.length}):`);
    for (const w of result.warnings.slice(0, SHOWN_WARNINGS)) output.out(`  ${formatProblem(w)}`);
    if (result.warnings.length > SHOWN_WARNINGS) {
      output.out(`  …and ${result.warnings.length - SHOWN_WARNINGS} more.`);
    }
  }
  return 0;
}

function round(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4).replace(/\.?0+$/, '');
}

/** The readable form of a summary. */
export function formatSummary(s: DatasetSummary, mapping: Partial<ColumnMapping>): string {
  const lines: string[] = [];
  lines.push(`${s.name}: ${s.subjects} subjects, ${s.records} records`);
  lines.push(
    `Dose records: ${s.doseRecords}` +
      (s.dosesGiven !== s.doseRecords ? ` (${s.dosesGiven} doses with ADDL expanded)` : ''),
  );
  const obs = Object.entries(s.observations)
    .map(([dvid, n]) => `DVID ${dvid}: ${n}`)
    .join(', ');
  lines.push(`Observations: ${obs || 'none'}`);
  if (s.timeRange) lines.push(`Time: ${round(s.timeRange.min)} to ${round(s.timeRange.max)} h`);
  lines.push(
    `Dose groups: ${s.doseGroups.map((g) => `${g.dose === 0 ? 'placebo' : `${round(g.dose)} mg`} (${g.subjects})`).join(', ')}`,
  );
  lines.push(s.covariates.length === 0 ? 'Covariates: none' : 'Covariates:');
  const width = Math.max(0, ...s.covariates.map((c) => c.length));
  for (const name of s.covariates) {
    const st = s.covariateStats[name];
    if (!st) {
      lines.push(`  ${name.padEnd(width)}  no values`);
      continue;
    }
    lines.push(
      `  ${name.padEnd(width)}  ${st.timeVarying ? 'time-varying (baseline)' : 'constant'}, ` +
        `min ${round(st.min)}, median ${round(st.median)}, mean ${round(st.mean)}, max ${round(st.max)}, ` +
        `${st.distinct} distinct over ${st.subjects} subjects`,
    );
  }
  lines.push(
    `Columns: ${Object.entries(mapping)
      .map(([role, column]) => (role === column ? role : `${role}=${column}`))
      .join(', ')}`,
  );
  return lines.join('\n');
}

export function registerSummary(program: Command): void {
  program
    .command('summary')
    .description(
      'Import a NONMEM-style data file and summarise it (subjects, doses, observations, covariates)',
    )
    .argument('<file>', 'CSV, tab-, semicolon- or space-separated file with a header row')
    .option('--columns <mapping>', 'map roles to columns, e.g. DV=Y,BW=WT0')
    .option('--json', 'print one JSON document')
    .action((file: string, opts: SummaryOptions) => {
      const code = runSummary(file, opts);
      if (code !== 0) process.exitCode = code;
    });
}
