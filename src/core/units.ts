/**
 * Units live in type names. Values are converted at the import boundary and nowhere else.
 * These aliases document intent; they are plain numbers at run time.
 */
/** Time in hours since the subject's first record. */
export type Hours = number;
/** Amount of drug in mg. */
export type Mg = number;
/** Concentration in mg/L (PK observations, DVID 1). */
export type MgPerL = number;
/** Biomarker in ng/mL (PD observations, DVID 2). */
export type NgPerMl = number;
/** Volume in L. */
export type Litres = number;
/** Clearance in L/h. */
export type LitresPerHour = number;
/** First-order rate constant in 1/h. */
export type PerHour = number;
/** Body weight in kg. */
export type Kg = number;
