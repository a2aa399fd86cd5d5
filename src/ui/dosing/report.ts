import type { ChallengeAnswer, ScenarioName } from '../../core/dosing/challenge';
import { CHALLENGE_SCENARIOS } from '../../core/dosing/challenge';
import type { ChallengeRun, DosingModelResult } from '../../state/slices/dosingSlice';
import { csvField } from '../components/download';
import { escapeHtml } from '../report/html';

/** The challenge table and the find-dose answers as files: CSV for tables, HTML for a report. */

export function scenarioLabel(name: ScenarioName): string {
  return CHALLENGE_SCENARIOS.find((s) => s.name === name)?.label ?? name;
}

export function intervalLabel(h: number): string {
  return h === 24 ? 'once daily (24 h)' : h === 168 ? 'once weekly (168 h)' : `every ${h} h`;
}

/** '92.1%' (– when unknown). */
export function percent(f: number | null | undefined): string {
  return f === null || f === undefined || !Number.isFinite(f) ? '–' : `${(100 * f).toFixed(1)}%`;
}

export function doseText(d: number | null | undefined): string {
  return d === null || d === undefined || !Number.isFinite(d) ? '–' : `${d}`;
}

/** The dose band as '5.5–6 mg', with '>' when its upper end was not reached. */
export function bandText(band: readonly [number | null, number | null], maxDose?: number): string {
  const [lo, hi] = band;
  if (lo === null) return '–';
  if (hi === null) return `${lo} to >${maxDose ?? '?'} mg`;
  return lo === hi ? `${lo} mg` : `${lo}–${hi} mg`;
}

const CSV_HEADER = [
  'scenario',
  'scenario_label',
  'interval_h',
  'dose_step_mg',
  'target_percent',
  'dose_mg',
  'attainment_percent',
  'band_low_mg',
  'band_high_mg',
  'warnings',
];

function pctNumber(f: number | null): string {
  return f === null || !Number.isFinite(f) ? '' : (100 * f).toFixed(2);
}

/** One row per challenge answer. */
export function challengeCsv(answers: readonly ChallengeAnswer[]): string {
  const rows = answers.map((a) =>
    [
      a.scenario,
      scenarioLabel(a.scenario),
      a.interval,
      a.step,
      Math.round(a.target * 1000) / 10,
      a.dose ?? '',
      pctNumber(a.attainment),
      a.doseBand[0] ?? '',
      a.doseBand[1] ?? '',
      a.warnings.join(' '),
    ]
      .map((v) => csvField(v))
      .join(','),
  );
  return [CSV_HEADER.join(','), ...rows].join('\n') + '\n';
}

/** One row per model of a find-dose run. */
export function answersCsv(results: readonly DosingModelResult[]): string {
  const header = [
    'model',
    'interval_h',
    'dose_step_mg',
    'target_percent',
    'threshold_ng_ml',
    'direction',
    'subjects',
    'dose_mg',
    'attainment_percent',
    'band_low_mg',
    'band_high_mg',
    'warnings',
  ];
  const rows = results.map(({ label, result: r, warnings }) =>
    [
      label,
      r.question.interval,
      r.question.step,
      Math.round(r.question.target * 1000) / 10,
      r.question.threshold.value,
      r.question.threshold.direction,
      r.subjects,
      r.dose ?? '',
      pctNumber(r.attainment),
      r.doseBand[0] ?? '',
      r.doseBand[1] ?? '',
      warnings.join(' '),
    ]
      .map((v) => csvField(v))
      .join(','),
  );
  return [header.join(','), ...rows].join('\n') + '\n';
}

export { escapeHtml };

export interface ReportContext {
  readonly appVersion: string;
  /** Where the model comes from, in words. */
  readonly modelDescription?: string;
  /** The loaded data set's name, if any. */
  readonly dataName?: string;
}

/** A short, printable, self-contained HTML report of the challenge answers. */
export function challengeReportHtml(run: ChallengeRun, ctx: ReportContext): string {
  const { settings, answers } = run.result;
  const side = settings.threshold.direction;
  const rows = answers
    .map(
      (a) =>
        `<tr><td>${escapeHtml(scenarioLabel(a.scenario))}</td><td>${escapeHtml(intervalLabel(a.interval))}</td><td>${Math.round(a.target * 100)}%</td><td class="n">${escapeHtml(doseText(a.dose))}</td><td class="n">${percent(a.attainment)}</td><td>${escapeHtml(bandText(a.doseBand, a.result.maxDose))}</td><td>${a.warnings.length ? escapeHtml(a.warnings.join(' ')) : '–'}</td></tr>`,
    )
    .join('\n');
  const date = new Date(run.date);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Dose answers – ${escapeHtml(run.label)}</title>
<style>
body { font-family: 'DejaVu Sans', system-ui, sans-serif; color: #1b2631; margin: 2rem; max-width: 60rem; }
h1 { font-size: 1.3rem; color: #0b4f6c; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { border-bottom: 1px solid #d5dde4; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #eef2f5; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
.muted { color: #56657a; font-size: 0.85rem; }
</style>
</head>
<body>
<h1>Which dose, for which population: the challenge questions</h1>
<dl>
<dt>Question</dt><dd>The smallest dose (a multiple of the dose step) at which the target fraction of the virtual population keeps the biomarker ${side} ${settings.threshold.value} ng/mL throughout the dosing interval at steady state.</dd>
<dt>Population</dt><dd>${escapeHtml(run.populationText)}. Scenarios: ${CHALLENGE_SCENARIOS.map((s) => escapeHtml(s.label)).join('; ')}.</dd>
<dt>Model</dt><dd>${escapeHtml(run.label)}${ctx.modelDescription ? ` – ${escapeHtml(ctx.modelDescription)}` : ''}</dd>
${ctx.dataName ? `<dt>Data loaded</dt><dd>${escapeHtml(ctx.dataName)}</dd>\n` : ''}<dt>Date</dt><dd>${escapeHtml(date.toISOString().slice(0, 16).replace('T', ' '))} UTC</dd>
<dt>Workbench</dt><dd>PK/PD Dosing Workbench ${escapeHtml(ctx.appVersion)}</dd>
</dl>
<table>
<thead><tr><th>Scenario</th><th>Interval</th><th>Target</th><th>Dose (mg)</th><th>Attainment</th><th>Dose band (95%)</th><th>Warnings</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="muted">Spread between subjects comes from the model's between-subject variability (Ω). The dose band is the Monte Carlo 95% interval for the number of virtual subjects: the doses at which the 95% interval of the attaining fraction reaches the target. Warnings name doses, intervals and body weights outside what the model was fitted on.</p>
</body>
</html>
`;
}
