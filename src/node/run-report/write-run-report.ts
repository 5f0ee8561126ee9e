/**
 * `writeRunReport(dir)`: reads a run folder, computes the encoder-dependent sections and writes
 * `<dir>/report.html` atomically (temp file + rename: a failure never leaves half a page over a
 * good one). Whatever is missing is listed at the top of the page; the rest still renders.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { backendInfo, initBackend } from '../../backend.js';
import { buildReportData } from '../../run-report/build-report-data.js';
import type { ReportData } from '../../run-report/report-data.js';
import { renderReportHtml } from '../../run-report/render-html.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import { embeddingSections, type EmbeddingSectionsOptions } from './embedding-sections.js';
import { REPORT_FILE, readRunTexts } from './read-run-texts.js';

export interface WriteRunReportOptions extends EmbeddingSectionsOptions {
  /** Skip the sections that need the encoder and the data (UMAP, retrieval, alignment/uniformity). @default false */
  skipEmbeddings?: boolean;
  /** Where to write. @default `<dir>/report.html` */
  out?: string;
}

export interface WriteRunReportResult {
  /** The file written. */
  path: string;
  /** What the page says is missing. */
  problems: string[];
  data: ReportData;
  /** Size of the page in bytes. */
  bytes: number;
}

let chartJsSource: string | undefined;

/** Chart.js 4's UMD build, read once from the installed package. */
export async function readChartJs(): Promise<string> {
  if (chartJsSource === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js'); // .../chart.js/dist/chart.cjs
    chartJsSource = await readFile(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartJsSource;
}

/** Writes the run's report.html; returns where, and what it lists as missing. */
export async function writeRunReport(dir: string, options: WriteRunReportOptions = {}): Promise<WriteRunReportResult> {
  const texts = await readRunTexts(dir);
  let config: Record<string, unknown> | null = null;
  try {
    config = texts.config === undefined ? null : (JSON.parse(texts.config) as Record<string, unknown>);
  } catch {
    config = null; // buildReportData names the problem
  }
  let extras = {};
  if (options.skipEmbeddings !== true) {
    if (backendInfo() === undefined) await initBackend();
    extras = await embeddingSections(dir, config, options);
  }
  const data = buildReportData(texts, extras);
  const html = renderReportHtml(data, { chartJs: await readChartJs() });
  const path = options.out ?? join(dir, REPORT_FILE);
  await writeFileAtomic(path, html);
  return { path, problems: data.problems, data, bytes: Buffer.byteLength(html) };
}
