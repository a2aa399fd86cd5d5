/**
 * Okabe–Ito colour-blind-safe palette, used for dose groups everywhere so a group keeps its
 * colour across panels.
 */
export const OKABE_ITO = [
  '#000000',
  '#E69F00',
  '#56B4E9',
  '#009E73',
  '#D55E00',
  '#0072B2',
  '#CC79A7',
  '#F0E442',
];

/** Stable colour for a dose group: groups sorted ascending take the palette in order. */
export function doseGroupColours(groups: readonly number[]): Map<number, string> {
  const sorted = [...new Set(groups)].sort((a, b) => a - b);
  return new Map(sorted.map((g, i) => [g, OKABE_ITO[i % OKABE_ITO.length]]));
}

export const THRESHOLD_COLOUR = '#B42318';
export const PREDICTION_COLOUR = '#0072B2';
