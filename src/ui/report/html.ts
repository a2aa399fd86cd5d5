/**
 * HTML built from templates in which every interpolated value is escaped unless it is already
 * markup built here: a data set's name, a column name or a fit's label can never become a tag
 * or an attribute in a report.
 */

/** Markup produced by `markup` (or trusted constant markup passed through `raw`). */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** What a report prints for a missing or non-finite value. */
export const MISSING = '–';

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Markup the caller vouches for (constants written in this code base, never user text). */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

export type HtmlValue =
  SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(v: HtmlValue): string {
  if (v instanceof SafeHtml) return v.value;
  if (v === null || v === undefined || v === false || v === true) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : MISSING;
  if (typeof v === 'string') return escapeHtml(v);
  return v.map(render).join('');
}

/** A template whose interpolations are escaped (strings), joined (arrays) or kept (SafeHtml). */
export function markup(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}
