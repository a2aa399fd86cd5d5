import fs from 'node:fs';
import path from 'node:path';
import { generateDemoTrial } from '../core/trial/demoTrial';

/** A command's output, collected line by line (stdout and stderr apart). */
export function collectOutput() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, output: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

/**
 * Writes a demo trial cut to 3 subjects per dose group (12 in all) into `dir` and returns its
 * path: small enough to train or compare in seconds.
 */
export function writeTinyDemoTrial(dir: string): string {
  const file = path.join(dir, 'tiny.csv');
  const lines = generateDemoTrial(3).csv.trim().split('\n');
  const keep = new Set(['1', '2', '3', '13', '14', '15', '25', '26', '27', '37', '38', '39']);
  const rows = lines.slice(1).filter((l) => keep.has(l.split(',')[0]));
  fs.writeFileSync(file, [lines[0], ...rows].join('\n') + '\n');
  return file;
}
