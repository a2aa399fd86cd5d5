import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DEMO_TRIAL_DESIGN, DEMO_TRIAL_SEED, generateDemoTrial } from '../core/trial/demoTrial';

/** `trial --seed <n> --out <file.csv>`: writes a simulated demo trial in EstData.csv's layout. */

export interface TrialOptions {
  readonly seed?: string;
  readonly out: string;
  readonly json?: boolean;
}

export function runTrial(opts: TrialOptions, out: (text: string) => void = console.log): void {
  const seed = opts.seed === undefined ? DEMO_TRIAL_SEED : Number(opts.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`--seed must be an integer between 0 and 4294967295, got ${opts.seed}`);
  }
  const trial = generateDemoTrial(seed);
  fs.mkdirSync(path.dirname(path.resolve(opts.out)), { recursive: true });
  fs.writeFileSync(opts.out, trial.csv);
  const subjects = DEMO_TRIAL_DESIGN.doseGroups.length * DEMO_TRIAL_DESIGN.subjectsPerGroup;
  if (opts.json) {
    out(
      JSON.stringify({
        seed,
        out: opts.out,
        subjects,
        trueModel: trial.trueModel,
        description: trial.description,
      }),
    );
  } else {
    const rows = trial.csv.trimEnd().split('\n').length - 1;
    out(`Wrote ${subjects} subjects (${rows} records) to ${opts.out}.\n${trial.description}`);
  }
}

export function registerTrial(program: Command): void {
  program
    .command('trial')
    .description(
      'Write a simulated demo trial (48 subjects, EstData.csv layout) from the known true model',
    )
    .option('--seed <n>', `random seed (default ${DEMO_TRIAL_SEED}, the app's demo trial)`)
    .requiredOption('--out <file>', 'CSV file to write')
    .option('--json', 'also print {"seed", "out", "subjects", "trueModel"} as JSON')
    .action((opts: TrialOptions) => runTrial(opts));
}
