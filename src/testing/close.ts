import { expect } from 'vitest';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Named tolerances used across the test suite. */
export const TOL = {
  /** NONMEM prints 5 significant digits. */
  nonmem: 1e-4,
  /** Closed form vs closed form: only rounding differs. */
  exact: 1e-9,
  /** Adaptive ODE solution vs exact solution. */
  ode: 1e-5,
} as const;

/**
 * Asserts |actual - expected| <= abs + rel * |expected| and names the context on failure.
 */
export function expectClose(
  actual: number,
  expected: number,
  opts: { rel?: number; abs?: number; context?: string } = {},
): void {
  const rel = opts.rel ?? 1e-9;
  const abs = opts.abs ?? 0;
  const tol = abs + rel * Math.abs(expected);
  const err = Math.abs(actual - expected);
  if (!(err <= tol)) {
    expect.fail(
      `${opts.context ?? 'value'}: expected ${expected}, got ${actual} (|error| ${err.toExponential(3)} > tolerance ${tol.toExponential(3)})`,
    );
  }
}

/** The repository root, whatever the test file's depth. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared folder beside the checkout (data, golden values, baselines). */
export const sharedDir = path.resolve(repoRoot, '../shared');
