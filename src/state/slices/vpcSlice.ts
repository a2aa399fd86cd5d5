import type { StateCreator } from 'zustand';
import type { VpcResult } from '../../core/nlme/vpc';
import { isCancelled, vpcInWorker, type VpcProgress } from '../../workers/fitClient';
import type { WorkbenchState } from '../store';

export interface VpcSettings {
  /** Simulated replicates of the data set. */
  readonly replicates: number;
  readonly predictionCorrected: boolean;
}

/** The replicates a user may ask for: fewer gives noisy bands, more takes minutes. */
export const VPC_REPLICATES_RANGE = [20, 1000] as const;

export interface VpcSlice {
  vpcStatus: 'idle' | 'running' | 'done' | 'error' | 'cancelled';
  vpcProgress: VpcProgress | null;
  vpcResult: VpcResult | null;
  /** The saved fit the VPC belongs to. */
  vpcFitId: string | null;
  vpcMessage: string | null;
  /** Date.now() when the running or last VPC started. */
  vpcStartedAt: number | null;
  vpcSettings: VpcSettings;
  setVpcSettings: (patch: Partial<VpcSettings>) => void;
  /** VPC of the current fit against the loaded data set (which must be the fit's). */
  runVpc: () => Promise<void>;
  cancelVpc: () => void;
  /** Forgets the VPC (the current fit changed); a running one is cancelled. */
  clearVpc: () => void;
}

let running: AbortController | null = null;

export const createVpcSlice: StateCreator<WorkbenchState, [], [], VpcSlice> = (set, get) => ({
  vpcStatus: 'idle',
  vpcProgress: null,
  vpcResult: null,
  vpcFitId: null,
  vpcMessage: null,
  vpcStartedAt: null,
  vpcSettings: { replicates: 100, predictionCorrected: false },

  setVpcSettings: (patch) => {
    const next = { ...get().vpcSettings, ...patch };
    const [lo, hi] = VPC_REPLICATES_RANGE;
    const replicates = Math.round(Math.min(hi, Math.max(lo, next.replicates)));
    set({ vpcSettings: { ...next, replicates: Number.isFinite(replicates) ? replicates : 100 } });
  },

  runVpc: async () => {
    const { fitResult, currentFitId, dataset, vpcSettings } = get();
    if (running || !fitResult) return;
    if (!dataset || dataset.name !== fitResult.dataName) {
      set({
        vpcStatus: 'error',
        vpcMessage: `A VPC simulates the data set the model was fitted on (${fitResult.dataName}); load it first.`,
      });
      return;
    }
    const controller = new AbortController();
    running = controller;
    set({
      vpcStatus: 'running',
      vpcProgress: { done: 0, total: vpcSettings.replicates },
      vpcMessage: null,
      vpcFitId: currentFitId,
      vpcStartedAt: Date.now(),
    });
    try {
      const result = await vpcInWorker(
        fitResult.model,
        dataset,
        {
          replicates: vpcSettings.replicates,
          predictionCorrected: vpcSettings.predictionCorrected,
        },
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (running === controller) set({ vpcProgress: p });
          },
        },
      );
      if (running !== controller) return;
      running = null;
      set({
        vpcStatus: 'done',
        vpcResult: result,
        vpcMessage:
          result.skipped > 0
            ? `${result.skipped} simulated subject${result.skipped > 1 ? 's were' : ' was'} left out because the simulation failed${result.firstSkipReason ? ` (${result.firstSkipReason})` : ''}.`
            : null,
      });
    } catch (err) {
      if (running !== controller) return;
      running = null;
      set(
        isCancelled(err)
          ? { vpcStatus: 'cancelled', vpcMessage: 'VPC cancelled.' }
          : {
              vpcStatus: 'error',
              vpcMessage: `The VPC did not finish: ${err instanceof Error ? err.message : String(err)}`,
            },
      );
    }
  },

  cancelVpc: () => running?.abort(),

  clearVpc: () => {
    const controller = running;
    running = null;
    controller?.abort();
    set({
      vpcStatus: 'idle',
      vpcProgress: null,
      vpcResult: null,
      vpcFitId: null,
      vpcMessage: null,
    });
  },
});
