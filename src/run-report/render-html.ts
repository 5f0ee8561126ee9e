/**
 * Renders the report's data model into ONE self-contained HTML page: the charting library, the
 * page script and the data are inlined, so the file opens from disk with no network.
 *
 * Chart.js 4 draws the charts: its UMD build is one 200 kB file with no dependencies that runs
 * from a `<script>` tag, renders to canvas (thousands of UMAP points stay fast) and needs no
 * compile step at view time (Vega-Lite needs vega + vega-lite + a spec compiler, ~800 kB;
 * ECharts ~1 MB).
 */
import { ConfigError } from '../errors.js';
import type { ReportData } from './report-data.js';
import { PAGE_SCRIPT } from './page-script.js';

export interface RenderReportOptions {
  /** Source text of Chart.js 4's UMD build (`chart.js/dist/chart.umd.min.js`), inlined into the page. */
  chartJs: string;
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON that can sit inside a `<script>` element (no `</script>`, no `<!--`). */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Script source that cannot close its `<script>` element early. */
const scriptSafeSource = (src: string): string => src.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1000px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; }
table.summary th { text-align: left; padding-right: 16px; font-weight: 600; }
#problems { background: #fff4e5; border: 1px solid #f0b36a; padding: 4px 16px; } #problems:empty { display: none; }
.note { color: #555; } .missing { color: #a33; font-style: italic; }
.grid .row { display: flex; gap: 6px; margin-bottom: 6px; }
figure { margin: 0; text-align: center; font-size: 10px; }
canvas.thumb { border: 3px solid #ccc; } canvas.thumb.query { border-color: #333; }
canvas.thumb.same { border-color: #2ca02c; } canvas.thumb.other { border-color: #d62728; }
pre { background: #f6f6f6; padding: 8px; overflow: auto; max-height: 400px; font-size: 12px; }
`;

/** The page's HTML. */
export function renderReportHtml(data: ReportData, options: RenderReportOptions): string {
  if (data === null || typeof data !== 'object' || typeof data.title !== 'string') {
    throw new ConfigError('renderReportHtml', 'data', 'must be a ReportData object with a title');
  }
  if (typeof options?.chartJs !== 'string' || options.chartJs.length === 0) {
    throw new ConfigError('renderReportHtml', 'options.chartJs', 'must be the source text of Chart.js (chart.umd.min.js), got none');
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>contrastive report: ${escapeHtml(data.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1 id="title">Run ${escapeHtml(data.title)}</h1>
<div id="problems"></div>
<table class="summary" id="summary"></table>
<div id="sections"></div>
<script type="application/json" id="report-data">${scriptSafeJson(data)}</script>
<script>${scriptSafeSource(options.chartJs)}</script>
<script>${scriptSafeSource(PAGE_SCRIPT)}</script>
</body>
</html>
`;
}
