/**
 * Small decoders for JSON read from files: each checks a value, records a problem naming its
 * path ('result.subjects[3].eta[0]') when it is wrong, and returns a usable value either way so
 * every problem of a file is found in one pass. JSON writes NaN and ±Infinity as null, so a
 * number may come back as null and is read as NaN.
 */

/** A file with more problems than this lists the first ones and says how many more. */
export const MAX_PROBLEMS = 12;

export class Decoder {
  readonly problems: string[] = [];
  private extra = 0;

  fail(path: string, expected: string, value: unknown): void {
    if (this.problems.length < MAX_PROBLEMS) {
      this.problems.push(`${path}: expected ${expected}, got ${show(value)}`);
    } else this.extra++;
  }

  /** A problem in words of its own. */
  note(message: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(message);
    else this.extra++;
  }

  /**
   * Notes the keys `o` lacks (one problem for all of them) and returns true when none is
   * missing: a file that is something else entirely gets one line, not one per field.
   */
  hasKeys(o: Record<string, unknown>, path: string, keys: readonly string[]): boolean {
    const missing = keys.filter((k) => o[k] === undefined);
    if (missing.length === 0) return true;
    this.note(
      `${path}: ${missing.length === 1 ? 'the field' : 'the fields'} ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing`,
    );
    return false;
  }

  /** The problems, with a last line counting those left out. */
  report(): string[] {
    return this.extra > 0
      ? [...this.problems, `…and ${this.extra} more problem${this.extra > 1 ? 's' : ''}`]
      : [...this.problems];
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  object(v: unknown, path: string): Record<string, unknown> {
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
    this.fail(path, 'an object', v);
    return {};
  }

  string(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    this.fail(path, 'text', v);
    return '';
  }

  optionalString(v: unknown, path: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, path);
  }

  boolean(v: unknown, path: string): boolean {
    if (typeof v === 'boolean') return v;
    this.fail(path, 'true or false', v);
    return false;
  }

  optionalBoolean(v: unknown, path: string): boolean | undefined {
    return v === undefined ? undefined : this.boolean(v, path);
  }

  /** A number; null (JSON's NaN) reads as NaN unless `finite` is asked for. */
  number(v: unknown, path: string, finite = false): number {
    if (typeof v === 'number' && (!finite || Number.isFinite(v))) return v;
    if (v === null && !finite) return NaN;
    this.fail(path, finite ? 'a finite number' : 'a number', v);
    return NaN;
  }

  /** An optional number: absent or null reads as absent. */
  optionalNumber(v: unknown, path: string): number | undefined {
    return v === undefined || v === null ? undefined : this.number(v, path);
  }

  oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
    if (typeof v === 'string' && (options as readonly string[]).includes(v)) return v as T;
    this.fail(path, `one of ${options.join(', ')}`, v);
    return options[0];
  }

  array<T>(v: unknown, path: string, item: (x: unknown, path: string) => T): T[] {
    if (!Array.isArray(v)) {
      this.fail(path, 'a list', v);
      return [];
    }
    return v.map((x, i) => item(x, `${path}[${i}]`));
  }

  numbers(v: unknown, path: string): number[] {
    return this.array(v, path, (x, p) => this.number(x, p));
  }

  /** An object whose values are all numbers (parameter values, covariates). */
  numberRecord(v: unknown, path: string): Record<string, number> {
    const o = this.object(v, path);
    const out: Record<string, number> = {};
    for (const [k, x] of Object.entries(o)) out[k] = this.number(x, `${path}.${k}`);
    return out;
  }
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}
