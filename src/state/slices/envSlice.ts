import type { StateCreator } from 'zustand';
import { detectBackend, type BackendInfo } from '../../workers/backend';
import type { WorkbenchState } from '../store';

export interface EnvSlice {
  backend: BackendInfo | null;
  detectBackend: () => Promise<void>;
}

export const createEnvSlice: StateCreator<WorkbenchState, [], [], EnvSlice> = (set) => ({
  backend: null,
  detectBackend: async () => set({ backend: await detectBackend() }),
});
