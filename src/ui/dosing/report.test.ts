import { describe, expect, it } from 'vitest';
import { CHALLENGE_DEFAULTS, runChallenge } from '../../core/dosing/challenge';
import { TRUE_MODEL } from '../../core/trial/trueModel';
import type { ChallengeRun } from '../../state/slices/dosingSlice';
import { bandText, challengeCsv, challengeReportHtml, escapeHtml } from './report';

const result = runChallenge(
  TRUE_MODEL,
  { ...CHALLENGE_DEFAULTS, subjects: 60 },
  { domain: { doseRange: [1, 10], intervals: [24], bwRange: [50, 100], comedValues: [0, 1] } },
);
const run: ChallengeRun = {
  modelId: 'demo-truth',
  label: "Demo trial's <true> model",
  result,
  populationText: '60 virtual subjects per scenario (seed 1)',
  date: '2026-11-24T10:30:00.000Z',
};

describe('challenge exports', () => {
  it('writes one CSV row per answer, quoting fields with commas', () => {
    const lines = challengeCsv(result.answers).trim().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe(
      'scenario,scenario_label,interval_h,dose_step_mg,target_percent,dose_mg,attainment_percent,band_low_mg,band_high_mg,warnings',
    );
    expect(lines[1]).toMatch(/^base,"Like the trial: BW 50–100 kg, COMED allowed",24,0\.5,90,\d/);
    expect(lines.some((l) => l.includes('Interval 168 h was not in the data'))).toBe(true);
  });

  it('writes a self-contained HTML report with the question, model, table, date and version', () => {
    const html = challengeReportHtml(run, { appVersion: '0.1.0', dataName: 'Demo trial' });
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('Demo trial&#39;s &lt;true&gt; model');
    expect(html).toContain('below 3.3 ng/mL');
    expect(html).toContain('2026-11-24 10:30 UTC');
    expect(html).toContain('PK/PD Dosing Workbench 0.1.0');
    expect(html.match(/<tr>/g)).toHaveLength(13);
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it('prints bands and escapes HTML', () => {
    expect(bandText([5.5, 6])).toBe('5.5–6 mg');
    expect(bandText([4, 4])).toBe('4 mg');
    expect(bandText([900, null], 1000)).toBe('900 to >1000 mg');
    expect(bandText([null, null])).toBe('–');
    expect(escapeHtml('<a href="x">&</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;');
  });
});
