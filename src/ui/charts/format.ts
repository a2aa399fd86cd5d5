/** Numbers as the charts and tables print them: 3–4 significant digits, exponents when tiny or huge. */
export function formatNumber(v: number | undefined, digits = 3): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.001 || a >= 1e6)) return v.toExponential(digits - 1);
  if (a >= 1000) return v.toFixed(0);
  return String(Number(v.toPrecision(digits)));
}

/** An objective function value (OFV, AIC, BIC): two decimals, as NONMEM prints them. */
export function formatObjective(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2);
}

/** The smallest 1, 2 or 5 × 10^k at or above `x` (> 0): a round upper end for an axis. */
export function niceCeil(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return x;
  const p = 10 ** Math.floor(Math.log10(x));
  const m = [1, 2, 5, 10].find((k) => k * p >= x * (1 - 1e-12)) ?? 10;
  return m * p;
}

/** Ticks 1, 2, 5 × 10^k inside [lo, hi] for a log axis (the ends when fewer than two fit). */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > lo)) return [lo, hi].filter((v) => v > 0);
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** k;
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(Number(t.toPrecision(6)));
    }
  }
  // Many decades: keep the powers of ten only.
  const decades = ticks.filter((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9);
  const chosen = ticks.length > 8 ? decades : ticks;
  return chosen.length >= 2 ? chosen : [lo, hi];
}

/** A percentage with one decimal ('–' when unknown). */
export function formatPercent(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? '–' : `${v.toFixed(1)}%`;
}

/** Elapsed or remaining time in words: '45 s', '3 min 20 s'. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${s % 60} s`;
}

/**
 * At most `max` points of a series, evenly spaced by index and always ending with the last (the
 * latest value is the one a live chart must show). A series already short enough comes back whole.
 */
export function thinEvenly<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return points.slice();
  if (max < 1) return [];
  // max − 1 points at a stride of n / (max − 1) > 1 from the start, so the indices rise strictly
  // and stay below the last, which closes the series.
  const step = points.length / (max - 1);
  const out: T[] = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * step)]);
  out.push(points[points.length - 1]);
  return out;
}
