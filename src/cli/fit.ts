import type { Command } from 'commander';
import { formatProblem } from '../core/data/problems';
import { fitPopulation } from '../core/nlme/fit';
import { buildFitSpec, defaultModelName, describeModel } from '../core/nlme/models';
import fs from 'node:fs';
import { trainingDomainOf } from '../core/models/trainingDomain';
import { covarianceStatusOf, notEstimableOf } from '../core/nlme/results';
import type { FitModelSpec, FitResult } from '../core/nlme/types';
import { fitFileText, fitMeta } from '../state/fitFile';
import { loadDatasetFile } from './loadData';

export interface FitCliOptions {
  readonly columns?: string;
  readonly model?: string;
  /** NAME=VALUE,... parameters held fixed. */
  readonly fix?: string;
  /** Omit the covariance step. */
  readonly noCov?: boolean;
  readonly maxIter?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  /** Write the fit as a workbench fit file (what the app exports, what `optimize` reads). */
  readonly out?: string;
}

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const consoleOutput: CliOutput = {
  out: (text) => console.log(text),
  err: (text) => console.error(text),
};

/** Applies --fix NAME=VALUE pairs to a spec. */
export function applyFixes(spec: FitModelSpec, fix: string | undefined): FitModelSpec {
  if (!fix?.trim()) return spec;
  const pairs = fix
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  let parameters = spec.parameters;
  for (const pair of pairs) {
    const m = /^([A-Za-z0-9]+)=(.+)$/.exec(pair);
    const value = m ? Number(m[2]) : NaN;
    if (!m || !Number.isFinite(value)) {
      throw new Error(`--fix: "${pair}" is not NAME=VALUE with a number (e.g. ka=1.5).`);
    }
    if (!parameters.some((p) => p.name === m[1])) {
      throw new Error(
        `--fix: the model has no parameter ${m[1]} (it has ${parameters.map((p) => p.name).join(', ')}).`,
      );
    }
    parameters = parameters.map((p) =>
      p.name === m[1] ? { ...p, initial: value, fixed: true } : p,
    );
  }
  return { ...spec, parameters };
}

/** The JSON document of `fit --json`. */
export function fitJson(result: FitResult): Record<string, unknown> {
  const notEstimable = notEstimableOf(result);
  const pick = (kind: string) =>
    Object.fromEntries(
      result.estimates
        .filter((r) => r.kind === kind)
        .map((r) => [
          r.name.replace(/^ω /, '').replace(/^σ /, ''),
          {
            estimate: r.estimate,
            rse: r.rse ?? null,
            fixed: r.fixed,
            ...(notEstimable.includes(r.name) ? { notEstimable: true } : {}),
            unit: r.unit,
            ...(r.shrinkage !== undefined ? { shrinkage: r.shrinkage } : {}),
          },
        ]),
    );
  return {
    method: result.method,
    model: result.spec.name,
    converged: result.converged,
    message: result.message,
    notes: result.notes ?? [],
    ofv: result.ofv,
    aic: result.aic,
    bic: result.bic,
    iterations: result.iterations,
    nSubjects: result.nSubjects,
    nObservations: result.nObservations,
    parameters: { ...pick('theta'), ...pick('covariate') },
    omega: { ...pick('omega'), ...pick('correlation') },
    sigma: pick('sigma'),
    covarianceStep: { ...result.covarianceStep, status: covarianceStatusOf(result) },
    notEstimable,
    ...(notEstimable.length > 0 ? { note: notEstimableNote(result, notEstimable) } : {}),
    identifiability: result.identifiability,
    individual: result.subjects.map((s) => ({ id: s.id, ...s.parameters })),
    elapsedMs: result.elapsedMs,
  };
}

/** The top-level note of a fit with parameters the data cannot identify. */
function notEstimableNote(result: FitResult, names: readonly string[]): string {
  const list = names.join(', ');
  const one = names.length === 1;
  return covarianceStatusOf(result) === 'partial'
    ? `Not estimable from these data (flat objective): ${list}; rse is null for ${one ? 'it' : 'them'}. The other standard errors are conditional on ${list} held at ${one ? 'its estimate' : 'their estimates'}.`
    : `Not estimable from these data (flat objective): ${list}; no standard errors were computed.`;
}

function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(3) : v.toPrecision(4);
}

/** The readable report of a fit. */
export function formatFit(result: FitResult): string {
  const lines: string[] = [];
  lines.push(`${describeModel(result.spec.name)} (${result.spec.name}), ${result.method}`);
  lines.push(
    `${result.dataName}: ${result.nSubjects} subjects, ${result.nObservations} observations`,
  );
  lines.push(`${result.converged ? 'Converged' : 'NOT converged'}: ${result.message}`);
  lines.push(
    `OFV ${result.ofv.toFixed(3)}   AIC ${result.aic.toFixed(2)}   BIC ${result.bic.toFixed(2)}   ${result.iterations} iterations, ${(result.elapsedMs / 1000).toFixed(1)} s`,
  );
  lines.push(`Covariance step: ${result.covarianceStep.message}`);
  for (const note of result.notes ?? []) lines.push(`Note: ${note}`);
  lines.push('');
  const w = Math.max(...result.estimates.map((r) => r.name.length));
  lines.push(
    `${'Parameter'.padEnd(w)}  ${'Estimate'.padStart(10)}  ${'Unit'.padEnd(6)}  ${'RSE%'.padStart(6)}  ${'Shrink%'.padStart(7)}  Meaning`,
  );
  const notEstimable = notEstimableOf(result);
  for (const r of result.estimates) {
    const rse = r.fixed
      ? 'fixed'
      : notEstimable.includes(r.name)
        ? 'n.e.'
        : r.rse !== undefined
          ? r.rse.toFixed(1)
          : '-';
    lines.push(
      `${r.name.padEnd(w)}  ${formatNumber(r.estimate).padStart(10)}  ${r.unit.padEnd(6)}  ${rse.padStart(6)}  ${(r.shrinkage !== undefined ? r.shrinkage.toFixed(0) : '').padStart(7)}  ${r.meaning ?? ''}`,
    );
  }
  if (notEstimable.length > 0) {
    lines.push('', `n.e.: ${notEstimableNote(result, notEstimable)}`);
  }
  if (result.identifiability.length > 0) {
    lines.push('', 'Identifiability:');
    for (const i of result.identifiability) lines.push(`  ${i.parameter}: ${i.reason}`);
  }
  return lines.join('\n');
}

/** `fit <file>`: FOCE-I fit of a named model. Returns the exit code. */
export async function runFit(
  file: string,
  opts: FitCliOptions = {},
  output: CliOutput = consoleOutput,
): Promise<number> {
  const fail = (message: string): number => {
    if (opts.json) output.out(JSON.stringify({ ok: false, error: message }, null, 2));
    else output.err(message);
    return 1;
  };
  const loaded = loadDatasetFile(file, opts.columns);
  if (!loaded.ok) {
    if (!opts.json) for (const p of loaded.problems ?? []) output.err(formatProblem(p));
    return fail(loaded.message);
  }
  const ds = loaded.dataset;
  let spec: FitModelSpec;
  try {
    spec = applyFixes(buildFitSpec(opts.model ?? defaultModelName(ds), ds), opts.fix);
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
  const maxIterations = opts.maxIter !== undefined ? Number(opts.maxIter) : undefined;
  if (maxIterations !== undefined && !(Number.isInteger(maxIterations) && maxIterations > 0)) {
    return fail(`--max-iter must be a positive whole number, got ${opts.maxIter}`);
  }
  try {
    const result = await fitPopulation(
      ds,
      spec,
      { covariance: !opts.noCov, ...(maxIterations ? { maxIterations } : {}) },
      {
        onProgress: (p) => {
          if (!opts.quiet && !opts.json)
            output.err(`  ${p.phase} iteration ${p.iteration}: OFV ${p.ofv.toFixed(3)}`);
        },
      },
    );
    if (opts.out) {
      const meta = fitMeta(result, 'cli', undefined, trainingDomainOf(ds));
      fs.writeFileSync(opts.out, fitFileText(meta, result));
      if (!opts.json) output.err(`Fit written to ${opts.out}`);
    }
    output.out(opts.json ? JSON.stringify(fitJson(result), null, 2) : formatFit(result));
    return 0;
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
}

export function registerFit(program: Command): void {
  program
    .command('fit')
    .description('Fit a population PK/PD model by FOCE-I (nonlinear mixed effects)')
    .argument('<file>', 'NONMEM-style CSV')
    .option('--columns <map>', 'column mapping ROLE=NAME,... (see summary)')
    .option(
      '--model <name>',
      'model: pk1-oral, pk2-oral, pk1-iv, pk2-iv, optionally with -imax, -emax, -effect, -idr1…-idr4 (default: pk1-oral-idr1 when the biomarker is observed)',
    )
    .option('--fix <pairs>', 'hold parameters fixed, e.g. ka=1.2,Imax=0.9')
    .option('--no-cov', 'skip the covariance step (no standard errors)')
    .option('--max-iter <n>', 'maximum iterations (default 200)')
    .option('--json', 'one JSON document')
    .option('--quiet', 'no progress lines')
    .option('--out <file>', 'also save the fit as a .fit.json file (for optimize, and the app)')
    .action(async (file: string, o: FitCliOptions & { cov?: boolean }) => {
      process.exitCode = await runFit(file, { ...o, noCov: o.cov === false });
    });
}
