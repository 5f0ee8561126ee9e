/** The run report in Node: read a run folder, compute embeddings, write report.html atomically. */
export { writeRunReport, readChartJs } from './write-run-report.js';
export type { WriteRunReportOptions, WriteRunReportResult } from './write-run-report.js';
export { readRunTexts, EVAL_FILE, REPORT_FILE } from './read-run-texts.js';
export { embeddingSections, umap2d, retrievalGrid } from './embedding-sections.js';
export type { EmbeddingSectionsOptions, EmbeddingSections } from './embedding-sections.js';
