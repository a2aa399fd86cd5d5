import type { AttainmentPoint } from '../../core/dosing/attainment';
import { CHALLENGE_SCENARIOS } from '../../core/dosing/challenge';
import type { TrainingDomain } from '../../core/models/types';
import type {
  ChallengeRun,
  DosingModelResult,
  DosingRunInfo,
} from '../../state/slices/dosingSlice';
import { formatNumber } from '../charts/format';
import { markup, MISSING, raw, type SafeHtml } from '../report/html';
import { bandText, doseText, intervalLabel, percent, scenarioLabel } from './report';
import type { ReportModel, ReportParameter } from './reportModel';
import { HIGH_RSE, HIGH_SHRINKAGE } from './reportModel';
import { attainmentPlotSvg } from './reportPlot';
import { REPORT_CSS } from './reportStyles';

/**
 * The dosing report: one self-contained HTML document (inline CSS, the plot as inline SVG, no
 * script, nothing fetched) for a find-dose answer — the question, the population, each model
 * with its diagnostics, the answer with its uncertainty, the attainment-vs-dose plot, the
 * limits of the answer (extrapolation beyond the studied doses, the model's assumptions), the
 * challenge table when it was run, the date and the workbench version. Every text that comes
 * from the user or the data is escaped (see report/html.ts); a missing number prints as '–'.
 */

export interface DoseReportInput {
  readonly appVersion: string;
  /** When the report was written, ISO 8601. */
  readonly generatedAt: string;
  /** The loaded data set's name, if any. */
  readonly dataName?: string;
  readonly run: DosingRunInfo;
  readonly results: readonly DosingModelResult[];
  /** What to say about each model that answered (matched by modelId). */
  readonly models: readonly ReportModel[];
  /** The challenge table, when it has been run. */
  readonly challenge?: ChallengeRun;
}

/** '2026-11-24 10:30 UTC' ('–' for a date that does not parse). */
export function utcText(iso: string): string {
  const d = new Date(iso);
  return Number.isFinite(d.getTime())
    ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
    : MISSING;
}

/** '6.5 mg' ('–' when unknown). */
function mg(d: number | null | undefined): string {
  const t = doseText(d);
  return t === MISSING ? MISSING : `${t} mg`;
}

/** A number from a model or a fit, 4 significant digits ('–' when missing). */
function num(v: number | undefined): string {
  return formatNumber(v, 4);
}

function pct1(v: number | undefined): string {
  return v === undefined || !Number.isFinite(v) ? MISSING : `${v.toFixed(1)}%`;
}

/** Where an answer lies relative to the doses the model's data covered. */
export type DoseStanding = 'inside' | 'below' | 'above' | 'no-answer' | 'unknown';

export function doseStanding(
  dose: number | null,
  domain: TrainingDomain | undefined,
): DoseStanding {
  if (dose === null || !Number.isFinite(dose)) return 'no-answer';
  if (!domain) return 'unknown';
  const [lo, hi] = domain.doseRange;
  if (dose > hi + 1e-9) return 'above';
  // A dose of 0 (placebo attains) is no extrapolation of the drug's effect.
  if (dose > 0 && dose < lo - 1e-9) return 'below';
  return 'inside';
}

/** The plotted point at the answer: the attainment and its band there. */
function pointAt(
  curve: readonly AttainmentPoint[],
  dose: number | null,
): AttainmentPoint | undefined {
  if (dose === null) return undefined;
  return curve.find((p) => Math.abs(p.dose - dose) < 1e-9);
}

function intervalText(lo: number | undefined, hi: number | undefined): string {
  return lo === undefined || hi === undefined || !Number.isFinite(lo) || !Number.isFinite(hi)
    ? MISSING
    : `${percent(lo)}–${percent(hi)}`;
}

function domainText(d: TrainingDomain | undefined): SafeHtml {
  if (!d) return markup`not recorded with this model`;
  const intervals = d.intervals.map((h) => formatNumber(h)).join(', ');
  return markup`doses ${formatNumber(d.doseRange[0])}–${formatNumber(d.doseRange[1])} mg; interval${d.intervals.length === 1 ? '' : 's'} ${intervals} h; body weight ${formatNumber(d.bwRange[0])}–${formatNumber(d.bwRange[1])} kg; COMED ${d.comedValues.join(', ')}`;
}

function questionSection(input: DoseReportInput): SafeHtml {
  const q = input.run.question;
  const maxDose = input.results[0]?.result.maxDose ?? q.maxDose;
  const route = q.cmt === 2 ? 'intravenous bolus' : 'oral';
  const side = q.threshold.direction;
  const threshold = formatNumber(q.threshold.value, 4);
  return markup`<section>
<h2>1. The question</h2>
<p>Which is the smallest dose, in steps of ${doseText(q.step)} mg given ${intervalLabel(q.interval)}, at which ${formatNumber(100 * q.target, 4)}% of the virtual population keeps the biomarker ${side} ${threshold} ng/mL throughout the dosing interval at steady state?</p>
<dl>
<dt>Regimen</dt><dd>${intervalLabel(q.interval)}, ${route}, repeated until steady state</dd>
<dt>Dose step</dt><dd>${mg(q.step)} (doses searched: 0 to ${mg(maxDose)})</dd>
<dt>Target</dt><dd>${formatNumber(100 * q.target, 4)}% of the population</dd>
<dt>Threshold</dt><dd>biomarker ${side} ${threshold} ng/mL at every time of the interval (its ${side === 'below' ? 'maximum' : 'minimum'} over one interval at steady state)</dd>
<dt>Asked</dt><dd>${utcText(input.run.date)}</dd>
</dl>
</section>`;
}

function populationSection(input: DoseReportInput): SafeHtml {
  const p = input.run.population;
  const rows = p
    ? markup`<dt>Virtual subjects</dt><dd>${Number.isFinite(p.size) ? p.size.toLocaleString('en-US') : MISSING} per model</dd>
<dt>Seed</dt><dd>${Number.isFinite(p.seed) ? String(p.seed) : MISSING} (the same seed gives the same population)</dd>
<dt>Body weight</dt><dd>${p.bodyWeight.replace(/^body weight /, '')}</dd>
<dt>COMED</dt><dd>${p.comed.replace(/^COMED /, '')}</dd>`
    : markup`<dt>Population</dt><dd>${input.run.populationText}</dd>`;
  return markup`<section>
<h2>2. The population</h2>
<dl>
${rows}
<dt>Variability</dt><dd>each subject’s parameters drawn from the model’s between-subject variability (Ω) around its typical values for the subject’s covariates; no residual (measurement) error</dd>
<dt>Data loaded</dt><dd>${input.dataName ?? 'none'}</dd>
</dl>
</section>`;
}

function answerSection(input: DoseReportInput): SafeHtml {
  const q = input.run.question;
  const boxes = input.results.map(
    (r) => markup`<div class="r-answer" data-model="${r.modelId}">
<p><span class="r-model">${r.label}</span></p>
<p><span class="r-dose">${r.result.dose === null ? 'no dose found' : `${mg(r.result.dose)} ${intervalLabel(q.interval)}`}</span></p>
<p>${r.result.summary}</p>
</div>`,
  );
  const rows = input.results.map((r) => {
    const at = pointAt(r.result.curve, r.result.dose);
    return markup`<tr><th scope="row">${r.label}</th><td class="r-num">${mg(r.result.dose)}</td><td class="r-num">${percent(r.result.attainment)}</td><td class="r-num">${intervalText(at?.lo, at?.hi)}</td><td class="r-num">${bandText(r.result.doseBand, r.result.maxDose)}</td><td class="r-num">${percent(r.result.attainmentAtMax)} at ${mg(r.result.maxDose)}</td></tr>`;
  });
  const bands = input.results.map(
    (r) =>
      markup`<li><strong>${r.label}</strong>: ${r.result.band}.${r.result.compute ? markup` ${r.result.compute.note}` : null}</li>`,
  );
  return markup`<section>
<h2>3. The answer</h2>
${boxes}
<table>
<thead><tr><th scope="col">Model</th><th scope="col" class="r-num">Dose</th><th scope="col" class="r-num">Attainment</th><th scope="col" class="r-num">Its band</th><th scope="col" class="r-num">Dose band</th><th scope="col" class="r-num">Largest dose searched</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="r-muted">Attainment: the fraction of the virtual population that keeps the biomarker ${q.threshold.direction} ${formatNumber(q.threshold.value, 4)} ng/mL throughout the interval at the answer. Its band, and the dose band (the doses at which the band’s upper and lower edges reach the target), give the answer’s uncertainty:</p>
<ul class="r-muted">${bands}</ul>
</section>`;
}

function plotSection(input: DoseReportInput): SafeHtml {
  const q = input.run.question;
  const studied = new Map<string, readonly [number, number]>();
  for (const r of input.results) {
    const d = input.models.find((m) => m.modelId === r.modelId)?.domain;
    if (d) studied.set(d.doseRange.join('–'), d.doseRange);
  }
  const svg = attainmentPlotSvg({
    series: input.results.map((r) => ({
      label: r.label,
      curve: r.result.curve,
      dose: r.result.dose,
    })),
    target: q.target,
    studied: [...studied.values()],
  });
  return markup`<section>
<h2>4. Attainment against dose</h2>
<figure>
${svg}
<figcaption>Lines: the fraction of the virtual population whose biomarker stays ${q.threshold.direction} ${formatNumber(q.threshold.value, 4)} ng/mL throughout the ${formatNumber(q.interval)} h interval at steady state, against the dose; shaded around each line: its band (section 3); dashed verticals: each model’s answer; dash-dotted horizontal: the target${studied.size > 0 ? '; grey area: the doses studied in the data the model was fitted on (outside it the curve is an extrapolation)' : ''}.</figcaption>
</figure>
</section>`;
}

function parameterTable(params: readonly ReportParameter[]): SafeHtml {
  const groups = [...new Set(params.map((p) => p.group))];
  const body = groups.map((g) => {
    const rows = params
      .filter((p) => p.group === g)
      .map((p) => {
        const highRse = p.rse !== undefined && p.rse > HIGH_RSE;
        const highShrink = p.shrinkage !== undefined && p.shrinkage > HIGH_SHRINKAGE;
        return markup`<tr><th scope="row">${p.name}</th><td class="r-num">${num(p.estimate)}</td><td>${p.unit}</td><td class="r-num${highRse ? ' r-flag' : ''}">${p.fixed ? 'fixed' : pct1(p.rse)}</td><td class="r-num${highShrink ? ' r-flag' : ''}">${pct1(p.shrinkage)}</td><td>${p.meaning ?? ''}</td></tr>`;
      });
    return markup`<tbody><tr class="r-group"><th colspan="6" scope="rowgroup">${g}</th></tr>${rows}</tbody>`;
  });
  return markup`<table>
<thead><tr><th scope="col">Parameter</th><th scope="col" class="r-num">Value</th><th scope="col">Unit</th><th scope="col" class="r-num">RSE</th><th scope="col" class="r-num">Shrinkage</th><th scope="col">Meaning</th></tr></thead>
${body}
</table>`;
}

function modelSection(input: DoseReportInput): SafeHtml {
  const blocks = input.results.map((r) => {
    const m = input.models.find((x) => x.modelId === r.modelId);
    if (!m) return markup`<h3>${r.label}</h3><p>No description of this model is available.</p>`;
    const diagnostics = m.diagnostics.map(
      (d) =>
        markup`<dt>${d.label}</dt><dd${d.warn ? raw(' class="r-flag"') : null}>${d.value}</dd>`,
    );
    const cautions =
      m.cautions.length > 0
        ? markup`<div class="r-note"><strong>Cautions</strong><ul>${m.cautions.map((c) => markup`<li>${c}</li>`)}</ul></div>`
        : null;
    return markup`<section class="r-model-section">
<h3>${m.label}</h3>
<p>${m.source}</p>
${m.description ? markup`<p class="r-muted">${m.description}</p>` : null}
<dl>
${diagnostics}
<dt>Fitted on</dt><dd>${domainText(m.domain)}</dd>
</dl>
${cautions}
${parameterTable(m.parameters)}
<p class="r-muted">${m.parameterNote} ▲ marks a value past that threshold.</p>
</section>`;
  });
  return markup`<section>
<h2>5. The model${input.results.length > 1 ? 's' : ''}</h2>
${blocks}
</section>`;
}

/** The explicit extrapolation statement for one answer, or null when it lies inside. */
function extrapolationWarning(
  r: DosingModelResult,
  domain: TrainingDomain | undefined,
): SafeHtml | null {
  const standing = doseStanding(r.result.dose, domain);
  if ((standing !== 'above' && standing !== 'below') || !domain) return null;
  const [lo, hi] = domain.doseRange;
  const edge = standing === 'above' ? `highest dose studied` : `lowest dose studied`;
  return markup`<div class="r-warning" data-warning="extrapolation"><strong>Extrapolation.</strong> The answer for ${r.label}, ${mg(r.result.dose)}, lies ${standing} the ${edge} in the data the model was fitted on (${formatNumber(standing === 'above' ? hi : lo)} mg; studied ${formatNumber(lo)}–${formatNumber(hi)} mg). The model was never checked against data at this dose: treat the answer as a hypothesis to confirm, not as a recommendation.</div>`;
}

function limitsSection(input: DoseReportInput): SafeHtml {
  const items = input.results.map((r) => {
    const domain = input.models.find((x) => x.modelId === r.modelId)?.domain;
    const standing = doseStanding(r.result.dose, domain);
    const notes: SafeHtml[] = [];
    if (standing === 'inside' && domain)
      notes.push(
        markup`<li>The answer ${mg(r.result.dose)} lies within the doses studied (${formatNumber(domain.doseRange[0])}–${formatNumber(domain.doseRange[1])} mg).</li>`,
      );
    if (standing === 'unknown')
      notes.push(
        markup`<li>The doses this model was fitted on are not recorded with it: whether ${mg(r.result.dose)} is an extrapolation cannot be checked.</li>`,
      );
    if (standing === 'no-answer')
      notes.push(
        markup`<li>No dose up to ${mg(r.result.maxDose)} reached the target; larger doses were not searched.</li>`,
      );
    const bandHi = r.result.doseBand[1];
    if (standing === 'inside' && domain && (bandHi === null || bandHi > domain.doseRange[1] + 1e-9))
      notes.push(
        markup`<li>The upper end of the dose band (${bandText(r.result.doseBand, r.result.maxDose)}) reaches beyond the highest dose studied.</li>`,
      );
    for (const w of r.warnings) notes.push(markup`<li>Outside the fitted data: ${w}</li>`);
    const list =
      notes.length > 0
        ? notes
        : markup`<li>The question’s interval, weights and COMED values all lie within the data the model was fitted on.</li>`;
    return markup`<h3>${r.label}</h3>${extrapolationWarning(r, domain)}<ul>${list}</ul>`;
  });
  const monteCarloOnly = input.results.some(
    (r) => !r.result.band.includes('parameter uncertainty'),
  );
  return markup`<section>
<h2>6. Limits of the answer</h2>
${items}
<h3>Assumptions of the model</h3>
<ul>
<li>The structural model (compartments, absorption, the drug’s effect on the biomarker) is taken as correct; PK is linear, so exposure is proportional to the dose.</li>
<li>Every dose is taken on time, repeatedly, until steady state; attainment is judged over one whole interval at steady state, not during the first doses.</li>
<li>Patients differ only through body weight, COMED and the model’s between-subject variability; covariates are drawn as listed in section 2, independently of each other.</li>
<li>Attainment is judged on the predicted biomarker, without residual (measurement) error.</li>
${monteCarloOnly ? markup`<li>Where the band is the Monte Carlo interval, it reflects the finite virtual population only, not the uncertainty of the model’s parameters.</li>` : null}
<li>Doses, intervals, weights and COMED values outside the data the model was fitted on are extrapolations (listed above).</li>
</ul>
</section>`;
}

function challengeSection(run: ChallengeRun): SafeHtml {
  const { settings, answers } = run.result;
  const rows = answers.map(
    (a) =>
      markup`<tr><td>${scenarioLabel(a.scenario)}</td><td>${intervalLabel(a.interval)}</td><td class="r-num">${Math.round(a.target * 100)}%</td><td class="r-num">${doseText(a.dose)}</td><td class="r-num">${percent(a.attainment)}</td><td class="r-num">${bandText(a.doseBand, a.result.maxDose)}</td><td>${a.warnings.length > 0 ? a.warnings.join(' ') : MISSING}</td></tr>`,
  );
  return markup`<section>
<h2>7. The challenge questions</h2>
<p>The smallest dose (a multiple of the dose step) at which the target fraction of each scenario’s virtual population keeps the biomarker ${settings.threshold.direction} ${formatNumber(settings.threshold.value, 4)} ng/mL throughout the dosing interval at steady state.</p>
<dl>
<dt>Model</dt><dd>${run.label}</dd>
<dt>Population</dt><dd>${run.populationText}</dd>
<dt>Scenarios</dt><dd>${CHALLENGE_SCENARIOS.map((s) => s.label).join('; ')}</dd>
<dt>Answered</dt><dd>${utcText(run.date)}</dd>
</dl>
<table>
<thead><tr><th scope="col">Scenario</th><th scope="col">Interval</th><th scope="col" class="r-num">Target</th><th scope="col" class="r-num">Dose (mg)</th><th scope="col" class="r-num">Attainment</th><th scope="col" class="r-num">Dose band (95%)</th><th scope="col">Outside the fitted data</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

/** The report's content, without the document around it (the app prints this in place). */
export function doseReportBody(input: DoseReportInput): SafeHtml {
  const models = input.results.map((r) => r.label).join('; ');
  const plural = input.results.length > 1 ? 's' : '';
  return markup`<article class="dose-report">
<header>
<p class="r-kicker">PK/PD Dosing Workbench · dosing report</p>
<h1>Which dose, for which population</h1>
<dl>
<dt>Model${plural}</dt><dd>${models || MISSING}</dd>
<dt>Data set</dt><dd>${input.dataName ?? 'none loaded'}</dd>
<dt>Report date</dt><dd>${utcText(input.generatedAt)}</dd>
<dt>Workbench version</dt><dd>${input.appVersion}</dd>
</dl>
</header>
${questionSection(input)}
${populationSection(input)}
${answerSection(input)}
${plotSection(input)}
${modelSection(input)}
${limitsSection(input)}
${input.challenge ? challengeSection(input.challenge) : null}
<footer>
<p>Written by PK/PD Dosing Workbench ${input.appVersion} on ${utcText(input.generatedAt)}. Computed in the browser from the model${plural} above; no patient data left the machine. A model-based answer supports, and does not replace, clinical judgement.</p>
</footer>
</article>`;
}

/** Only what the downloaded file needs beyond report.css: the page and the paper. */
const PAGE_CSS = `html { background: #fff; }
body { margin: 0; }
@page { size: A4; margin: 15mm 14mm; }`;

/** The report as a complete, self-contained HTML document. */
export function doseReportHtml(input: DoseReportInput): string {
  const models = input.results.map((r) => r.label).join(', ') || 'no answer';
  const title = `Dosing report – ${models} – ${utcText(input.generatedAt)}`;
  return `${markup`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>
${raw(REPORT_CSS)}
${raw(PAGE_CSS)}
</style>
</head>
<body>
${doseReportBody(input)}
</body>
</html>`}\n`;
}

/** 'dose-report-2026-11-24-1030.html'. */
export function doseReportFileName(generatedAt: string): string {
  const d = new Date(generatedAt);
  if (!Number.isFinite(d.getTime())) return 'dose-report.html';
  const s = d.toISOString();
  return `dose-report-${s.slice(0, 10)}-${s.slice(11, 13)}${s.slice(14, 16)}.html`;
}
