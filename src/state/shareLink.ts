import type { Regimen } from '../core/pkpd/regimen';
import type { Threshold } from '../core/pkpd/metrics';
import {
  DOSE_SLIDER,
  sanitizePopulation,
  type IntervalChoice,
  type Patient,
  type PopulationSettings,
  type RegimenMode,
} from './slices/regimenSlice';

/**
 * A regimen shared as a link: the Regimen panel's settings — regimen, target, the explored
 * patient's body weight and COMED, the population settings and the model's id — written into
 * the address's fragment (`#regimen=…`). The fragment never reaches a server, and the link
 * carries no data set: no subject, no observation, no file name. Opening it sets the panel to
 * the same question; a model the recipient does not have is named and the default kept.
 */

export const SHARE_PREFIX = '#regimen=';
const VERSION = 1;

/** What a link holds (every field checked when read back). */
export interface SharedRegimen {
  readonly regimen: Regimen;
  readonly intervalChoice: IntervalChoice;
  readonly patient: Patient;
  readonly threshold: Threshold;
  readonly regimenMode: RegimenMode;
  readonly population: PopulationSettings;
  readonly modelId: string;
  /** The model's name as the sender saw it, to name a model the recipient lacks. */
  readonly modelLabel: string;
}

/** The keys a link's JSON has, and no others (tested: nothing from the data set slips in). */
export const SHARED_KEYS = [
  'v',
  'regimen',
  'intervalChoice',
  'patient',
  'threshold',
  'regimenMode',
  'population',
  'modelId',
  'modelLabel',
] as const;

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder('utf-8', { fatal: true }).decode(
    Uint8Array.from(bin, (c) => c.charCodeAt(0)),
  );
}

/** The fragment that shares `s` ('#regimen=…'). */
export function shareFragment(s: SharedRegimen): string {
  const doc = {
    v: VERSION,
    regimen: {
      dose: s.regimen.dose,
      interval: s.regimen.interval,
      doses: s.regimen.doses,
      loadingDose: s.regimen.loadingDose ?? 0,
      cmt: s.regimen.cmt ?? 1,
    },
    intervalChoice: s.intervalChoice,
    patient: { BW: s.patient.BW, COMED: s.patient.COMED },
    threshold: { value: s.threshold.value, direction: s.threshold.direction },
    regimenMode: s.regimenMode,
    population: { ...s.population },
    modelId: s.modelId,
    modelLabel: s.modelLabel,
  };
  return SHARE_PREFIX + toBase64Url(JSON.stringify(doc));
}

/** The full link: this page's address with the fragment. */
export function shareUrl(s: SharedRegimen, href: string): string {
  const url = new URL(href);
  url.hash = shareFragment(s).slice(1);
  return url.toString();
}

export type SharedRead =
  | { readonly ok: true; readonly shared: SharedRegimen }
  | { readonly ok: false; readonly message: string };

const num = (v: unknown, lo: number, hi: number): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= lo && v <= hi ? v : null;

/**
 * Reads a fragment written by shareFragment. Null when the fragment is not a shared regimen at
 * all; otherwise the settings, or why the link cannot be used (cut short, edited by hand, a
 * value out of range) — never a half-applied link.
 */
export function readShareFragment(hash: string): SharedRead | null {
  if (!hash.startsWith(SHARE_PREFIX)) return null;
  const bad = (why: string): SharedRead => ({
    ok: false,
    message: `This regimen link cannot be used: ${why}. Ask for the link again.`,
  });
  let doc: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(fromBase64Url(hash.slice(SHARE_PREFIX.length)));
    if (typeof parsed !== 'object' || parsed === null) return bad('it is not a regimen');
    doc = parsed as Record<string, unknown>;
  } catch {
    return bad('it is cut short or damaged');
  }
  if (doc.v !== VERSION) return bad(`it was written by another version (${String(doc.v)})`);
  const r = (doc.regimen ?? {}) as Record<string, unknown>;
  const dose = num(r.dose, DOSE_SLIDER.min, DOSE_SLIDER.max);
  const interval = num(r.interval, 1, 2000);
  const doses = num(r.doses, 1, 120);
  const loadingDose = num(r.loadingDose ?? 0, 0, 200);
  const cmt = r.cmt === 2 ? 2 : r.cmt === 1 || r.cmt === undefined ? 1 : null;
  if (dose === null) return bad('the dose is missing or out of range');
  if (interval === null) return bad('the dosing interval is missing or out of range');
  if (doses === null || !Number.isInteger(doses)) return bad('the number of doses is not valid');
  if (loadingDose === null) return bad('the loading dose is out of range');
  if (cmt === null) return bad('the route is not valid');
  const choices: readonly IntervalChoice[] = ['12', '24', '168', 'custom'];
  const intervalChoice = choices.includes(doc.intervalChoice as IntervalChoice)
    ? (doc.intervalChoice as IntervalChoice)
    : 'custom';
  const p = (doc.patient ?? {}) as Record<string, unknown>;
  const BW = num(p.BW, 30, 160);
  if (BW === null) return bad('the body weight is missing or out of range');
  if (p.COMED !== 0 && p.COMED !== 1) return bad('COMED must be 0 or 1');
  const t = (doc.threshold ?? {}) as Record<string, unknown>;
  const value = num(t.value, 0, 1e6);
  if (value === null) return bad('the target threshold is missing or out of range');
  if (t.direction !== 'below' && t.direction !== 'above')
    return bad('the target side is not valid');
  const pop = (doc.population ?? {}) as Record<string, unknown>;
  const population = sanitizePopulation(
    Object.fromEntries(
      Object.entries(pop).filter(([, v]) => typeof v === 'number' && Number.isFinite(v)),
    ) as Partial<PopulationSettings>,
  );
  return {
    ok: true,
    shared: {
      regimen: { dose, interval, doses, loadingDose, cmt },
      intervalChoice:
        intervalChoice !== 'custom' && Number(intervalChoice) !== interval
          ? 'custom'
          : intervalChoice,
      patient: { BW, COMED: p.COMED },
      threshold: { value, direction: t.direction },
      regimenMode: doc.regimenMode === 'population' ? 'population' : 'patient',
      population,
      modelId: typeof doc.modelId === 'string' ? doc.modelId.slice(0, 200) : '',
      modelLabel: typeof doc.modelLabel === 'string' ? doc.modelLabel.slice(0, 200) : '',
    },
  };
}
