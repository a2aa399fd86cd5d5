/** How an endpoint (DVID) is named and measured. DVID 1 = PK (mg/L), 2 = PD biomarker (ng/mL). */
export function endpointLabel(dvid: number): { short: string; axis: string } {
  if (dvid === 1) return { short: 'PK', axis: 'Concentration (mg/L)' };
  if (dvid === 2) return { short: 'PD', axis: 'Biomarker (ng/mL)' };
  return { short: `DVID ${dvid}`, axis: `DV (DVID ${dvid})` };
}
