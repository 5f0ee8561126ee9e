import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReportData } from '../../src/run-report/build-report-data.js';
import { renderReportHtml, scriptSafeJson } from '../../src/run-report/render-html.js';
import { readChartJs } from '../../src/node/run-report/write-run-report.js';
import { ConfigError } from '../../src/errors.js';
import { EVAL, configObject, epochsText, metricsText } from './fixture-run.js';

test('renderReportHtml: one self-contained page (Chart.js and data inlined, no external reference)', async () => {
  const chartJs = await readChartJs();
  const data = buildReportData({
    title: 'r1',
    config: JSON.stringify(configObject('runs/r1')),
    metrics: metricsText(),
    epochs: epochsText(),
    eval: JSON.stringify(EVAL),
  });
  const html = renderReportHtml(data, { chartJs });
  assert.ok(html.includes(chartJs.slice(0, 200)), 'Chart.js inlined');
  assert.doesNotMatch(html, /<script[^>]+src=/i);
  assert.doesNotMatch(html, /<link[^>]+href=/i);
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.deepEqual(JSON.parse(json), JSON.parse(JSON.stringify(data)));
  assert.ok(html.trimEnd().endsWith('</html>'));
});

test('renderReportHtml: text that looks like markup cannot break out of the page', () => {
  const data = buildReportData({ title: '<b>x</b>', config: JSON.stringify({ options: { data: '</script><script>alert(1)</script>' } }) });
  const html = renderReportHtml(data, { chartJs: 'var Chart = function () {};' });
  assert.ok(html.includes('Run &#60;b&#62;x&#60;/b&#62;'));
  assert.equal(html.match(/<\/script>/g)!.length, 3, 'only the three real script ends');
  assert.equal(scriptSafeJson('</script>'), '"\\u003c/script>"');
});

test('renderReportHtml: typed errors on bad input', () => {
  const data = buildReportData({ title: 't' });
  assert.throws(
    () => renderReportHtml(data, { chartJs: '' }),
    (e: unknown) => e instanceof ConfigError && /renderReportHtml: `options.chartJs` must be/.test(e.message),
  );
  assert.throws(() => renderReportHtml(null as never, { chartJs: 'x' }), ConfigError);
});
