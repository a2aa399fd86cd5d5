import fs from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../../testing/close';

/** The challenge data set; read in place, never copied into the project. */
export const estDataPath = path.join(sharedDir, 'data/EstData.csv');

export function readEstData(): string {
  return fs.readFileSync(estDataPath, 'utf8');
}

/** What EstData.csv holds (checked by hand against the file; see docs/DOMAIN.md). */
export const EST_DATA_COUNTS = {
  subjects: 48,
  doseRecords: 756,
  observations: { '1': 864, '2': 1200 },
  records: 2820,
} as const;

/** Splits a simple CSV text (no quotes) into header and rows, for building test variants. */
export function splitCsv(text: string): { header: string[]; rows: string[][] } {
  const lines = text.trim().split(/\r?\n/);
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

export function joinCsv(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  sep = ',',
): string {
  return [header.join(sep), ...rows.map((r) => r.join(sep))].join('\n') + '\n';
}

/** Lines joined by \n: the first is the header. */
export function csv(...lines: string[]): string {
  return lines.join('\n') + '\n';
}
