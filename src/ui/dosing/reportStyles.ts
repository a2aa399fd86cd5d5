/**
 * The dosing report's stylesheet: one clinical theme (dark blue headings, black text, grey
 * rules), readable on screen and printed in black and white. Every rule is scoped to
 * .dose-report, so the same text styles the downloaded document (inlined in a <style>) and the
 * app's print view (adopted as a constructed stylesheet, which the app's
 * Content-Security-Policy allows where it refuses an inline <style>) without touching the app.
 */
export const REPORT_CSS = `.dose-report {
  --r-ink: #111820;
  --r-muted: #47525e;
  --r-rule: #b9c2cc;
  --r-soft: #eef2f5;
  --r-head: #0b4f6c;
  font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif;
  font-size: 10.5pt;
  line-height: 1.45;
  color: var(--r-ink);
  background: #fff;
  max-width: 46rem;
  margin: 0 auto;
  padding: 1.6rem 1.8rem 2rem;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
.dose-report header {
  border-bottom: 3px solid var(--r-head);
  padding-bottom: 0.6rem;
  margin-bottom: 1rem;
}
.dose-report .r-kicker {
  text-transform: uppercase;
  letter-spacing: 0.08em;
  font-size: 8.5pt;
  color: var(--r-muted);
  margin: 0;
}
.dose-report h1 {
  font-size: 17pt;
  color: var(--r-head);
  margin: 0.15rem 0 0.4rem;
}
.dose-report h2 {
  font-size: 12.5pt;
  color: var(--r-head);
  border-bottom: 1px solid var(--r-rule);
  padding-bottom: 0.15rem;
  margin: 1.4rem 0 0.5rem;
  break-after: avoid;
}
.dose-report h3 {
  font-size: 11pt;
  margin: 1rem 0 0.35rem;
  break-after: avoid;
}
.dose-report p {
  margin: 0.35rem 0;
}
.dose-report dl {
  display: grid;
  grid-template-columns: 11rem 1fr;
  gap: 0.2rem 1rem;
  margin: 0.3rem 0;
}
.dose-report dt {
  font-weight: bold;
  color: var(--r-muted);
}
.dose-report dd {
  margin: 0;
}
.dose-report table {
  border-collapse: collapse;
  width: 100%;
  font-size: 9pt;
  margin: 0.4rem 0;
}
.dose-report th,
.dose-report td {
  border-bottom: 1px solid var(--r-rule);
  padding: 0.22rem 0.4rem;
  text-align: left;
  vertical-align: top;
}
.dose-report thead th {
  background: var(--r-soft);
  border-bottom: 1.5px solid var(--r-ink);
}
.dose-report tr {
  break-inside: avoid;
}
.dose-report tr.r-group th {
  background: #fff;
  font-style: italic;
  font-weight: normal;
  color: var(--r-muted);
  padding-top: 0.45rem;
}
.dose-report .r-num {
  text-align: right;
  font-variant-numeric: tabular-nums;
  white-space: nowrap;
}
.dose-report .r-flag {
  font-weight: bold;
}
.dose-report .r-flag::after {
  content: ' ▲';
  font-size: 7pt;
}
.dose-report .r-answer {
  border: 2px solid var(--r-head);
  border-radius: 4px;
  padding: 0.5rem 0.8rem;
  margin: 0.5rem 0;
  break-inside: avoid;
}
.dose-report .r-answer .r-dose {
  font-size: 16pt;
  font-weight: bold;
  color: var(--r-head);
}
.dose-report .r-answer .r-model {
  font-weight: bold;
}
.dose-report .r-warning {
  border: 1.5px solid var(--r-ink);
  border-left-width: 6px;
  background: #f6f0e1;
  padding: 0.45rem 0.7rem;
  margin: 0.5rem 0;
  break-inside: avoid;
}
.dose-report .r-warning strong:first-child {
  text-transform: uppercase;
  letter-spacing: 0.04em;
}
.dose-report .r-note {
  border-left: 3px solid var(--r-rule);
  padding: 0.2rem 0.7rem;
  margin: 0.5rem 0;
}
.dose-report ul {
  margin: 0.3rem 0;
  padding-left: 1.3rem;
}
.dose-report figure {
  margin: 0.6rem 0;
  break-inside: avoid;
}
.dose-report figure svg {
  width: 100%;
  max-width: 720px;
  height: auto;
  display: block;
  margin: 0 auto;
}
.dose-report figcaption,
.dose-report .r-muted {
  font-size: 8.5pt;
  color: var(--r-muted);
}
.dose-report footer {
  margin-top: 1.6rem;
  border-top: 1px solid var(--r-rule);
  padding-top: 0.5rem;
  font-size: 8.5pt;
  color: var(--r-muted);
}
.dose-report section.r-model-section {
  break-inside: auto;
}
@media print {
  .dose-report {
    max-width: none;
    padding: 0;
    font-size: 10pt;
  }
  .dose-report h2 {
    break-after: avoid-page;
  }
}
`;
