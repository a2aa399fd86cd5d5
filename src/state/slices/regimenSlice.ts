import type { StateCreator } from 'zustand';
import type { Regimen } from '../../core/pkpd/regimen';
import type { Threshold } from '../../core/pkpd/metrics';
import type { WorkbenchState } from '../store';

/** Interval presets offered in the explorer; 'custom' lets the user type hours. */
export type IntervalChoice = '12' | '24' | '168' | 'custom';

export interface Patient {
  /** Body weight, kg. */
  BW: number;
  /** Concomitant medication, 0/1. */
  COMED: 0 | 1;
}

export interface RegimenSlice {
  regimen: Regimen;
  intervalChoice: IntervalChoice;
  patient: Patient;
  threshold: Threshold;
  logScale: boolean;
  setRegimen: (patch: Partial<Regimen>) => void;
  setIntervalChoice: (choice: IntervalChoice) => void;
  setPatient: (patch: Partial<Patient>) => void;
  setThreshold: (patch: Partial<Threshold>) => void;
  setLogScale: (on: boolean) => void;
}

/** The challenge's own question as the default: 21 once-daily doses, biomarker below 3.3 ng/mL. */
export const DEFAULT_REGIMEN: Regimen = {
  dose: 3,
  interval: 24,
  doses: 21,
  loadingDose: 0,
  cmt: 1,
};

export const createRegimenSlice: StateCreator<WorkbenchState, [], [], RegimenSlice> = (set) => ({
  regimen: DEFAULT_REGIMEN,
  intervalChoice: '24',
  patient: { BW: 75, COMED: 0 },
  threshold: { value: 3.3, direction: 'below' },
  logScale: false,
  setRegimen: (patch) => set((s) => ({ regimen: { ...s.regimen, ...patch } })),
  setIntervalChoice: (choice) =>
    set((s) => ({
      intervalChoice: choice,
      regimen: choice === 'custom' ? s.regimen : { ...s.regimen, interval: Number(choice) },
    })),
  setPatient: (patch) => set((s) => ({ patient: { ...s.patient, ...patch } })),
  setThreshold: (patch) => set((s) => ({ threshold: { ...s.threshold, ...patch } })),
  setLogScale: (on) => set({ logScale: on }),
});
