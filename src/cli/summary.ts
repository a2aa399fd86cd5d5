import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parseColumnsOption } from '../core/data/columns';
import { importNonmem } from '../core/data/importNonmem';
import { formatProblem } from '../core/data/problems';
import { summarizeDataset, type DatasetSummary } from '../core/data/summary';
import { DEFAULT_MAX_BYTES, type ColumnMapping } from '../core/data/types';

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

  let mapping: Partial<ColumnMapping> = {};
  try {
    mapping = parseColumnsOption(opts.columns ?? '');
  } catch (err) {
    return failWith(`--columns: ${err instanceof Error ? err.message : String(err)}`);
  }

  let text: string;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return failWith(`${file} is not a file.`);
    // Refuse before reading: the core would refuse anyway, but only after the memory is spent.
    if (stat.size > DEFAULT_MAX_BYTES) {
      return failWith(
        `${file} is ${(stat.size / 1024 / 1024).toFixed(1)} MB; the limit is ${DEFAULT_MAX_BYTES / 1024 / 1024} MB.`,
      );
    }
    text = decode(fs.readFileSync(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return failWith(`No such file: ${file}`);
    return failWith(`Cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }

  const result = importNonmem(text, { name: path.basename(file), mapping });
  if (!result.ok) {
    if (opts.json) {
      output.out(JSON.stringify({ ok: false, problems: result.problems }, null, 2));
    } else {
      const n = result.problems.length;
      output.err(`${file} was not loaded: ${n} problem${n === 1 ? '' : 's'}.`);
      for (const p of result.problems) output.err(formatProblem(p));
    }
    return 1;
  }

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

/** UTF-8 unless the file says UTF-16 LE with its byte-order mark (Excel's "Unicode text"). */
function decode(bytes: Buffer): string {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) {
    return bytes.subarray(2).toString('utf16le');
  }
  return bytes.toString('utf8');
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
