/**
 * The script inside report.html, as source text (it runs in the page, after Chart.js). It reads
 * the data model from `<script id="report-data">`, draws every section with Chart.js (thumbnails
 * and sequence plots of the retrieval grid on small canvases) and leaves `window.__report`
 * (`{ charts: { id: points }, umapPoints, done }`) for tests.
 */
export const PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
  var colour = function (i) { return PALETTE[i % PALETTE.length]; };
  var state = { charts: {}, umapPoints: 0, done: false };
  window.__report = state;
  Chart.defaults.animation = false;
  Chart.defaults.responsive = false;
  Chart.defaults.font.size = 11;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function section(id, title, note) {
    var s = el('section', { id: id });
    s.appendChild(el('h2', {}, title));
    if (note) s.appendChild(el('p', { class: 'note' }, note));
    document.getElementById('sections').appendChild(s);
    return s;
  }
  function missing(s, why) { s.appendChild(el('p', { class: 'missing' }, why)); }
  function chart(s, id, config, width, height) {
    var c = el('canvas', { id: id, width: String(width || 560), height: String(height || 300) });
    s.appendChild(c);
    var ch = new Chart(c.getContext('2d'), config);
    var n = 0;
    ch.data.datasets.forEach(function (d) { n += d.data.length; });
    state.charts[id] = n;
    return ch;
  }
  var fmt = function (v, d) { return v === null || v === undefined ? 'n/a' : Number(v).toFixed(d); };

  // ── problems and summary ───────────────────────────────────────────────────
  document.getElementById('title').textContent = 'Run ' + data.title;
  if (data.problems.length > 0) {
    var p = document.getElementById('problems');
    p.appendChild(el('h2', {}, 'Missing or damaged'));
    var ul = el('ul');
    data.problems.forEach(function (t) { ul.appendChild(el('li', {}, t)); });
    p.appendChild(ul);
  }
  var sm = data.summary;
  var rows = [
    ['method', sm.method], ['data', sm.data],
    ['backend', sm.backend === undefined ? undefined : sm.backend + (sm.threads ? ' (' + sm.threads + ' thread' + (sm.threads === 1 ? '' : 's') + ')' : '')],
    ['wall time', sm.wallSeconds === undefined ? undefined : fmt(sm.wallSeconds, 1) + ' s'],
    ['steps', sm.steps], ['epochs', sm.epochs], ['created', sm.created], ['report written', data.generated]
  ];
  var table = document.getElementById('summary');
  rows.forEach(function (r) {
    var tr = el('tr');
    tr.appendChild(el('th', {}, r[0]));
    tr.appendChild(el('td', {}, r[1] === undefined ? 'unknown' : String(r[1])));
    table.appendChild(tr);
  });

  // ── loss and learning rate ────────────────────────────────────────────────
  var s1 = section('loss', 'Loss and learning rate over steps');
  if (data.steps.length === 0) missing(s1, 'No step metrics (metrics.jsonl missing or empty).');
  else chart(s1, 'chart-loss', {
    type: 'line',
    data: { datasets: [
      { label: 'loss', data: data.steps.map(function (r) { return { x: r.step, y: r.loss }; }), borderColor: colour(0), pointRadius: 0, borderWidth: 1.5, yAxisID: 'y' },
      { label: 'learning rate', data: data.steps.filter(function (r) { return r.lr !== null; }).map(function (r) { return { x: r.step, y: r.lr }; }), borderColor: colour(1), pointRadius: 0, borderWidth: 1.5, yAxisID: 'lr' }
    ] },
    options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y: { title: { display: true, text: 'loss' } }, lr: { position: 'right', title: { display: true, text: 'learning rate' }, grid: { drawOnChartArea: false } } } }
  });

  // ── kNN monitor ───────────────────────────────────────────────────────────
  var s2 = section('knn', 'kNN monitor over epochs', 'Top-1 accuracy of a kNN classifier on a labelled slice held out of training, after each epoch.');
  var knn = data.epochs.filter(function (e) { return e.knn !== null; });
  if (knn.length === 0) missing(s2, data.epochs.length === 0 ? 'No epoch records (epochs.jsonl missing or empty).' : 'The run had no kNN monitor (no labels or --monitor 0).');
  else chart(s2, 'chart-knn', {
    type: 'line',
    data: { datasets: [{ label: 'kNN accuracy', data: knn.map(function (e) { return { x: e.epoch + 1, y: e.knn }; }), borderColor: colour(2), backgroundColor: colour(2), pointRadius: 3 }] },
    options: { parsing: false, scales: { x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { precision: 0 } }, y: { title: { display: true, text: 'accuracy' } } } }
  });

  // ── label efficiency ──────────────────────────────────────────────────────
  var s3 = section('label-efficiency', 'Label efficiency', 'Test accuracy of a linear probe and a kNN classifier trained on a share of the labels: the encoder against raw pixels and the same encoder at its random initialisation.');
  var le = data.labelEfficiency;
  if (le === null) missing(s3, 'No evaluation results: run "contrastive eval --run <run folder>", then "contrastive report" again.');
  else chart(s3, 'chart-label-efficiency', {
    type: 'line',
    data: { labels: le.fractions, datasets: le.series.map(function (s, i) {
      var dashed = s.name.indexOf('knn') >= 0;
      return { label: s.name, data: s.values, borderColor: colour(Math.floor(i / 2)), backgroundColor: colour(Math.floor(i / 2)), borderDash: dashed ? [5, 3] : [], pointRadius: 3 };
    }) },
    options: { scales: { x: { title: { display: true, text: 'share of train labels' } }, y: { title: { display: true, text: 'test accuracy' } } } }
  });

  // ── alignment and uniformity ──────────────────────────────────────────────
  var s4 = section('alignment-uniformity', 'Alignment and uniformity', 'Each evaluated checkpoint as a point (Wang & Isola 2020): alignment of two augmented views of test samples and uniformity of their embeddings on the sphere; lower is better on both axes.');
  var au = data.alignmentUniformity;
  if (au.length === 0) missing(s4, 'No checkpoint could be evaluated (encoder files missing).');
  else chart(s4, 'chart-alignment-uniformity', {
    type: 'scatter',
    data: { datasets: au.map(function (p, i) { return { label: p.name, data: [{ x: p.uniformity, y: p.alignment }], backgroundColor: colour(i), pointRadius: 6 }; }) },
    options: { scales: { x: { title: { display: true, text: 'uniformity (log mean exp(-2 ||u-v||²))' } }, y: { title: { display: true, text: 'alignment (mean ||x-y||²)' } } } }
  });

  // ── temperature sweep (only when the run sits in a sweep's folder) ────────
  var tp = data.temperature;
  if (tp !== null) {
    var s4t = section('temperature', 'Temperature τ', 'The same recipe trained ' + tp.steps + ' steps at each τ of ' + tp.loss + ' (npm run bench -- temperature)' + (tp.current === undefined ? '' : '; this run: τ = ' + tp.current) + '. Small τ weighs the hardest negatives most and spreads the embeddings (lower uniformity); large τ treats negatives alike and keeps positives closer (lower alignment).');
    if (tp.points.length === 0) missing(s4t, 'The sweep holds no readable point.');
    else {
      var taus = tp.points.map(function (p) { return p.temperature; });
      var pointRadius = tp.points.map(function (p) { return p.temperature === tp.current ? 7 : 3; });
      chart(s4t, 'chart-temperature-geometry', {
        type: 'line',
        data: { labels: taus, datasets: [
          { label: 'alignment', data: tp.points.map(function (p) { return p.alignment; }), borderColor: colour(0), backgroundColor: colour(0), pointRadius: pointRadius, yAxisID: 'y' },
          { label: 'uniformity', data: tp.points.map(function (p) { return p.uniformity; }), borderColor: colour(1), backgroundColor: colour(1), pointRadius: pointRadius, yAxisID: 'y1' }
        ] },
        options: { scales: { x: { title: { display: true, text: 'τ' } }, y: { position: 'left', title: { display: true, text: 'alignment' } }, y1: { position: 'right', grid: { drawOnChartArea: false }, title: { display: true, text: 'uniformity' } } } }
      });
      var shares = Object.keys(tp.points[0].linear);
      var probeSets = [];
      shares.forEach(function (f) { probeSets.push(['linear', f]); probeSets.push(['knn', f]); });
      chart(s4t, 'chart-temperature-probes', {
        type: 'line',
        data: { labels: taus, datasets: probeSets.map(function (pf, i) {
          return { label: pf[0] + ' ' + pf[1], data: tp.points.map(function (p) { var v = p[pf[0]][pf[1]]; return v === undefined ? null : v; }), borderColor: colour(Math.floor(i / 2) + 2), backgroundColor: colour(Math.floor(i / 2) + 2), borderDash: pf[0] === 'knn' ? [5, 3] : [], pointRadius: pointRadius };
        }) },
        options: { scales: { x: { title: { display: true, text: 'τ' } }, y: { title: { display: true, text: 'test accuracy' } } } }
      });
    }
  }

  // ── UMAP ──────────────────────────────────────────────────────────────────
  var s5 = section('umap', 'UMAP of test embeddings', 'Two-dimensional UMAP (umap-js, seeded) of the encoder\'s representation of test samples, coloured by class (one colour when the data has no labels).');
  var um = data.umap;
  if (um === null) missing(s5, 'No embeddings (the encoder or the test data could not be loaded).');
  else {
    var byClass = {};
    for (var i = 0; i < um.x.length; i++) {
      var c = um.labels[i];
      (byClass[c] = byClass[c] || []).push({ x: um.x[i], y: um.y[i] });
    }
    var ch = chart(s5, 'chart-umap', {
      type: 'scatter',
      data: { datasets: Object.keys(byClass).map(function (c) { return { label: um.classNames[c] || String(c), data: byClass[c], backgroundColor: colour(Number(c)), pointRadius: 2 }; }) },
      options: { plugins: { legend: { position: 'right' } }, scales: { x: { title: { display: true, text: 'UMAP 1' } }, y: { title: { display: true, text: 'UMAP 2' } } } }
    }, 640, 480);
    state.umapPoints = state.charts['chart-umap'];
  }

  // ── retrieval grid ────────────────────────────────────────────────────────
  var s6 = section('retrieval', 'Nearest neighbours', 'Query samples from the test split (left) and their nearest test samples by cosine similarity of the representation. A green frame: same class as the query (labelled data only).');
  var rt = data.retrieval;
  function drawSample(sample, same) {
    var size = 56;
    var cv = el('canvas', { width: String(size), height: String(size), class: 'thumb' + (same === undefined ? ' query' : same === null ? '' : same ? ' same' : ' other') });
    var g = cv.getContext('2d');
    var side = Math.round(Math.sqrt(sample.values.length));
    if (rt.kind === 'vector' && side * side === sample.values.length && side >= 4) {
      // square vectors (8x8 digits as 64 values) are drawn as grey images, scaled to their range
      var vlo = Math.min.apply(null, sample.values), vhi = Math.max.apply(null, sample.values);
      var sq = g.createImageData(side, side);
      for (var q = 0; q < side * side; q++) {
        var v = vhi > vlo ? Math.round(255 * (sample.values[q] - vlo) / (vhi - vlo)) : 0;
        sq.data[4 * q] = v; sq.data[4 * q + 1] = v; sq.data[4 * q + 2] = v; sq.data[4 * q + 3] = 255;
      }
      var tq = el('canvas', { width: String(side), height: String(side) });
      tq.getContext('2d').putImageData(sq, 0, 0);
      g.imageSmoothingEnabled = false;
      g.drawImage(tq, 0, 0, size, size);
    } else if (rt.kind === 'image') {
      var h = rt.shape[0], w = rt.shape[1], ch = rt.shape[2] || 1;
      var img = g.createImageData(w, h);
      for (var p = 0; p < h * w; p++) {
        var r = sample.values[p * ch], gg = ch === 3 ? sample.values[p * ch + 1] : r, b = ch === 3 ? sample.values[p * ch + 2] : r;
        img.data[4 * p] = r; img.data[4 * p + 1] = gg; img.data[4 * p + 2] = b; img.data[4 * p + 3] = 255;
      }
      var tmp = el('canvas', { width: String(w), height: String(h) });
      tmp.getContext('2d').putImageData(img, 0, 0);
      g.imageSmoothingEnabled = false;
      g.drawImage(tmp, 0, 0, size, size);
    } else {
      var chn = rt.kind === 'sequence' ? (rt.shape[1] || 1) : 1;
      var len = Math.floor(sample.values.length / chn);
      var lo = Infinity, hi = -Infinity;
      sample.values.forEach(function (v) { lo = Math.min(lo, v); hi = Math.max(hi, v); });
      if (!(hi > lo)) { hi = lo + 1; }
      g.fillStyle = '#fff'; g.fillRect(0, 0, size, size);
      for (var k = 0; k < chn; k++) {
        g.strokeStyle = colour(k); g.lineWidth = 1; g.beginPath();
        for (var t = 0; t < len; t++) {
          var xx = 2 + (t / Math.max(1, len - 1)) * (size - 4);
          var yy = size - 2 - ((sample.values[t * chn + k] - lo) / (hi - lo)) * (size - 4);
          if (t === 0) g.moveTo(xx, yy); else g.lineTo(xx, yy);
        }
        g.stroke();
      }
    }
    var fig = el('figure');
    fig.appendChild(cv);
    fig.appendChild(el('figcaption', {}, (rt.classNames[sample.label] || String(sample.label)) + (sample.similarity === undefined ? '' : ' ' + fmt(sample.similarity, 3))));
    return fig;
  }
  if (rt === null) missing(s6, 'No embeddings (the encoder or the test data could not be loaded).');
  else {
    var grid = el('div', { class: 'grid' });
    rt.queries.forEach(function (q) {
      var row = el('div', { class: 'row' });
      row.appendChild(drawSample(q.query));
      // unlabelled data (label -1): no same/other frame
      q.neighbours.forEach(function (n) { row.appendChild(drawSample(n, n.label < 0 ? null : n.label === q.query.label)); });
      grid.appendChild(row);
    });
    s6.appendChild(grid);
  }

  // ── config ────────────────────────────────────────────────────────────────
  var s7 = section('config', 'Configuration (config.json)');
  if (data.config === null) missing(s7, 'config.json is missing or unreadable.');
  else s7.appendChild(el('pre', {}, JSON.stringify(data.config, null, 2)));
  state.done = true;
})();
`;
