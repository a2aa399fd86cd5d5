import type { ColumnMapping, ImportResult } from '../core/data/types';

/**
 * Messages between the main thread and the import worker. `id` pairs a response with its
 * request; `type` discriminates.
 */
export interface ImportRequest {
  readonly type: 'import';
  readonly id: number;
  readonly text: string;
  readonly name?: string;
  readonly mapping?: Partial<ColumnMapping>;
  readonly maxBytes?: number;
}

export type ImportResponse =
  | { readonly type: 'result'; readonly id: number; readonly result: ImportResult }
  /** The worker itself failed (a bug, not a bad file: bad files come back as results). */
  | { readonly type: 'error'; readonly id: number; readonly error: string };
