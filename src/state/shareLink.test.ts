import { describe, expect, it } from 'vitest';
import { DEFAULT_POPULATION } from './slices/regimenSlice';
import {
  readShareFragment,
  SHARE_PREFIX,
  SHARED_KEYS,
  shareFragment,
  shareUrl,
  type SharedRegimen,
} from './shareLink';

const shared: SharedRegimen = {
  regimen: { dose: 6.5, interval: 168, doses: 12, loadingDose: 10, cmt: 1 },
  intervalChoice: '168',
  patient: { BW: 82, COMED: 1 },
  threshold: { value: 3.3, direction: 'below' },
  regimenMode: 'population',
  population: { ...DEFAULT_POPULATION, size: 800, comedFraction: 0.25 },
  modelId: 'fit-123',
  modelLabel: 'pk2-oral-idr1 on <script>EstData</script>',
};

/** The JSON inside a fragment, for checks on what a link carries. */
const payload = (fragment: string) =>
  JSON.parse(
    Buffer.from(
      fragment.slice(SHARE_PREFIX.length).replace(/-/g, '+').replace(/_/g, '/'),
      'base64',
    ).toString('utf8'),
  ) as Record<string, unknown>;

describe('shared regimen links', () => {
  it('round-trips every setting exactly', () => {
    const read = readShareFragment(shareFragment(shared));
    expect(read).toEqual({ ok: true, shared });
  });

  it('carries the regimen settings and nothing else (no data set)', () => {
    const fragment = shareFragment(shared);
    expect(Object.keys(payload(fragment)).sort()).toEqual([...SHARED_KEYS].sort());
    // URL-safe: no characters that need escaping in a fragment.
    expect(fragment.slice(SHARE_PREFIX.length)).toMatch(/^[A-Za-z0-9_-]+$/);
    const url = shareUrl(shared, 'http://127.0.0.1:4173/sub/app/?x=1#old');
    expect(url.startsWith('http://127.0.0.1:4173/sub/app/?x=1#regimen=')).toBe(true);
  });

  it('ignores fragments that are not shared regimens', () => {
    expect(readShareFragment('')).toBeNull();
    expect(readShareFragment('#data')).toBeNull();
  });

  it('refuses a damaged or edited link as a whole, saying why', () => {
    const encode = (doc: unknown) =>
      SHARE_PREFIX + Buffer.from(JSON.stringify(doc)).toString('base64url');
    const good = payload(shareFragment(shared));
    const cases: [unknown, RegExp][] = [
      [{ ...good, v: 2 }, /another version/],
      [{ ...good, regimen: { ...(good.regimen as object), dose: -1 } }, /dose/],
      [{ ...good, regimen: { ...(good.regimen as object), dose: 'NaN' } }, /dose/],
      [{ ...good, regimen: { ...(good.regimen as object), interval: 0 } }, /interval/],
      [{ ...good, regimen: { ...(good.regimen as object), doses: 2.5 } }, /number of doses/],
      [{ ...good, regimen: { ...(good.regimen as object), cmt: 7 } }, /route/],
      [{ ...good, patient: { BW: 1e9, COMED: 0 } }, /body weight/],
      [{ ...good, patient: { BW: 70, COMED: 3 } }, /COMED/],
      [{ ...good, threshold: { value: 3, direction: 'sideways' } }, /target side/],
      ['a string', /not a regimen/],
    ];
    for (const [doc, why] of cases) {
      const read = readShareFragment(encode(doc));
      expect(read?.ok).toBe(false);
      if (read && !read.ok) expect(read.message).toMatch(why);
    }
    const cut = shareFragment(shared).slice(0, 40);
    expect(readShareFragment(cut)).toMatchObject({ ok: false, message: /cut short or damaged/ });
    expect(readShareFragment(SHARE_PREFIX + '%%%')).toMatchObject({ ok: false });
  });

  it('makes the population valid and the interval choice agree with the interval', () => {
    const encode = (doc: unknown) =>
      SHARE_PREFIX + Buffer.from(JSON.stringify(doc)).toString('base64url');
    const good = payload(shareFragment(shared));
    const read = readShareFragment(
      encode({
        ...good,
        intervalChoice: '24',
        population: { size: 1e9, bwMin: 120, bwMax: 40, comedFraction: 'x' },
      }),
    );
    expect(read?.ok).toBe(true);
    if (read?.ok) {
      expect(read.shared.intervalChoice).toBe('custom');
      expect(read.shared.population).toMatchObject({
        size: 5000,
        bwMin: 40,
        bwMax: 120,
        comedFraction: DEFAULT_POPULATION.comedFraction,
      });
    }
  });
});
