import type { Dataset } from '../../core/data/types';
import { doseGroupColours, PREDICTION_COLOUR } from '../charts/palette';

export interface SubjectGroup {
  key: number;
  name: string;
  colour: string;
}

/**
 * Each fitted subject's dose group, coloured as everywhere else in the app; one group for all
 * when the fit's data set is not loaded (the dose groups are then unknown).
 */
export function subjectGroups(
  dataset: Dataset | null,
  subjectIds: readonly string[],
): { groupOf: (id: string) => SubjectGroup; groups: SubjectGroup[] } {
  const all: SubjectGroup = { key: -1, name: 'All subjects', colour: PREDICTION_COLOUR };
  if (!dataset) return { groupOf: () => all, groups: [all] };
  const doseGroup = new Map(dataset.subjects.map((s) => [s.id, s.doseGroup ?? 0]));
  // Colours from every group of the data set, as in the Data panel, so a group keeps its colour
  // even when the fit leaves some out (placebo subjects have no concentrations).
  const colours = doseGroupColours([...doseGroup.values()]);
  const present = new Set(subjectIds.map((id) => doseGroup.get(id) ?? 0));
  const byKey = new Map<number, SubjectGroup>(
    [...colours]
      .filter(([g]) => present.has(g))
      .map(([g, colour]) => [g, { key: g, name: g === 0 ? 'Placebo' : `${g} mg`, colour }]),
  );
  return {
    groupOf: (id) => byKey.get(doseGroup.get(id) ?? 0) ?? all,
    groups: [...byKey.values()],
  };
}
