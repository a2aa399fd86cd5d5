import type { FitResult } from '../../core/nlme/types';
import type { SavedFitMeta } from '../../state/fitFile';
import { loadFitResult } from '../../state/fitStorage';
import { dosingModelOptions } from '../../state/slices/dosingSlice';
import { DEMO_TRUTH_ID } from '../../state/slices/savedFitsSlice';
import type { WorkbenchState } from '../../state/store';
import type { DoseReportInput } from './doseReport';
import {
  reportModelFromFit,
  reportModelFromMeta,
  reportModelFromTruth,
  type ReportModel,
} from './reportModel';

/** What the report needs from the store (a narrow view, so it can be built in tests). */
export type DoseReportState = Pick<
  WorkbenchState,
  | 'dosingResults'
  | 'dosingRunInfo'
  | 'savedFits'
  | 'fitResult'
  | 'currentFitId'
  | 'dataset'
  | 'challengeRun'
>;

/** A saved fit's full result: the one open in the Fit panel, else the browser's copy. */
async function fullFit(state: DoseReportState, id: string): Promise<FitResult | undefined> {
  if (state.currentFitId === id && state.fitResult) return state.fitResult;
  try {
    return await loadFitResult(id);
  } catch {
    return undefined;
  }
}

async function reportModel(
  state: DoseReportState,
  id: string,
  readFit: (id: string) => Promise<FitResult | undefined>,
): Promise<ReportModel | undefined> {
  const option = dosingModelOptions(state.savedFits).find((o) => o.id === id);
  if (id === DEMO_TRUTH_ID && option)
    return reportModelFromTruth(id, option.label, option.model, option.domain);
  const meta: SavedFitMeta | undefined = state.savedFits.find((f) => f.id === id);
  if (!meta) return undefined;
  const fit = await readFit(id);
  return fit ? reportModelFromFit(meta, fit) : reportModelFromMeta(meta);
}

/**
 * The report's input from the last find-dose run (null before any answer): each answering
 * model described from its full fit where the browser has it, and the challenge table when
 * it has been run.
 */
export async function doseReportInput(
  state: DoseReportState,
  appVersion: string,
  now: Date = new Date(),
  readFit: (id: string) => Promise<FitResult | undefined> = (id) => fullFit(state, id),
): Promise<DoseReportInput | null> {
  const run = state.dosingRunInfo;
  if (!run || state.dosingResults.length === 0) return null;
  const models = (
    await Promise.all(state.dosingResults.map((r) => reportModel(state, r.modelId, readFit)))
  ).filter((m): m is ReportModel => m !== undefined);
  return {
    appVersion,
    generatedAt: now.toISOString(),
    ...(state.dataset ? { dataName: state.dataset.name } : {}),
    run,
    results: state.dosingResults,
    models,
    ...(state.challengeRun ? { challenge: state.challengeRun } : {}),
  };
}
