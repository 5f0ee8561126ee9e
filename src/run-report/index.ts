/** The HTML report: its data model, built from a run folder's texts, and the page renderer. */
export type {
  ReportData,
  ReportStep,
  ReportEpoch,
  ReportLabelEfficiency,
  ReportAlignmentPoint,
  ReportUmap,
  ReportSample,
  ReportRetrieval,
  ReportSummary,
  ReportTemperature,
} from './report-data.js';
export { parseTemperatureSweep, TEMPERATURE_SWEEP_FILE } from './temperature-sweep.js';
export type { TemperatureSweep, TemperaturePoint } from './temperature-sweep.js';
export { buildReportData, binSteps } from './build-report-data.js';
export type { RunTexts, ReportExtras } from './build-report-data.js';
export { parseJsonl } from './parse-jsonl.js';
export type { ParsedJsonl } from './parse-jsonl.js';
export { renderReportHtml, scriptSafeJson } from './render-html.js';
export type { RenderReportOptions } from './render-html.js';
