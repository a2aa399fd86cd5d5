import type { DoseEvent } from '../core/pkpd/types';

/** A dose record (EVID 1) at `time` of `amt` mg into `cmt`, with any extra NONMEM fields. */
export const bolus = (
  time: number,
  amt: number,
  cmt = 1,
  extra: Partial<DoseEvent> = {},
): DoseEvent => ({ time, amt, cmt, evid: 1, ...extra });

/** Times 0, step, 2·step, … up to `to` hours. */
export const grid = (to: number, step: number) =>
  Array.from({ length: Math.floor(to / step) + 1 }, (_, i) => i * step);
