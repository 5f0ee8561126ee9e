/**
 * `npm run bench -- eval [--train 60000] [--test 10000] [--dim 128] [--classes 10] [--backend wasm]
 *  [--features random|clusters|fashion-mnist] [--selection auto|backend|js]`: wall time of the weighted kNN (k = 200) and of the linear probe
 * (default grid, L-BFGS), plus k-means and alignment/uniformity on the test rows.
 * `random`: N(0, 1) features, random labels (chance accuracy). `clusters`: class centre
 * N(0, 0.35²) per coordinate plus N(0, 1) noise, so the probe has something to fit.
 * `fashion-mnist`: raw pixels of Fashion-MNIST from `$CONTRASTIVE_DATA` (default ../shared/data),
 * the full label-efficiency run (1%, 10%, 100%) and k-means on the test pixels: the pixel baseline.
 */
import * as tf from '../src/tf.js';
import { initBackend, type BackendName } from '../src/backend.js';
import { Rng } from '../src/random.js';
import { knnAccuracy } from '../src/eval/knn.js';
import { linearProbe } from '../src/eval/linear-probe.js';
import { kmeans } from '../src/eval/kmeans.js';
import { alignmentUniformity } from '../src/eval/alignment-uniformity.js';
import { labelEfficiency } from '../src/eval/label-efficiency.js';
import { ari, nmi } from '../src/eval/metrics.js';
import { parseIdx } from '../src/data/idx.js';
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

export async function main(args: string[]): Promise<void> {
  const n = Number(arg(args, 'train', '60000'));
  const m = Number(arg(args, 'test', '10000'));
  const d = Number(arg(args, 'dim', '128'));
  const c = Number(arg(args, 'classes', '10'));
  const backend = arg(args, 'backend', '') as BackendName | '';
  const kind = arg(args, 'features', 'random');
  if (kind === 'fashion-mnist') return pixels(backend);
  const info = await initBackend(backend === '' ? undefined : backend);
  console.log(`backend ${info.name}, ${info.threads} thread(s); ${kind} features; train ${n} x ${d}, test ${m} x ${d}, ${c} classes`);
  const rng = new Rng(1);
  const centres = Float32Array.from({ length: c * d }, () => (kind === 'clusters' ? 0.35 * rng.normal() : 0));
  const labels = (rows: number) => Int32Array.from({ length: rows }, () => rng.int(c));
  const feats = (y: Int32Array) =>
    Float32Array.from({ length: y.length * d }, (_, i) => centres[y[Math.floor(i / d)]! * d + (i % d)]! + rng.normal());
  const yTrain = labels(n);
  const yTest = labels(m);
  const train = tf.tensor2d(feats(yTrain), [n, d]);
  const test = tf.tensor2d(feats(yTest), [m, d]);
  const time = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const r = await f();
    console.log(`${what}: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    return r;
  };
  const selection = arg(args, 'selection', 'auto') as 'auto' | 'backend' | 'js';
  const knn = await time(`kNN (k=200, σ=0.1, selection ${selection})`, () =>
    knnAccuracy(train, yTrain, test, yTest, { k: 200, temperature: 0.1, selection }),
  );
  console.log(`  accuracy ${knn.toFixed(4)} (chance ${(1 / c).toFixed(2)})`);
  const probe = await time('linear probe (7-value L2 grid + refit, ≤100 L-BFGS iterations each)', () =>
    linearProbe(train, yTrain, test, yTest),
  );
  console.log(`  accuracy ${probe.accuracy.toFixed(4)}, chosen L2 ${probe.l2}, validation accuracy ${probe.validationAccuracy}`);
  const km = await time(`k-means on the test rows (k=${c}, 3 restarts)`, () => kmeans(test, { k: c }));
  console.log(`  inertia ${km.inertia.toFixed(1)}, iterations ${km.iterations}`);
  const half = Math.floor(m / 2);
  const x = tf.slice(test, [0, 0], [half, d]);
  const y = tf.slice(test, [half, 0], [half, d]);
  const au = await time('alignment/uniformity (test halves as pairs)', () => alignmentUniformity(x as tf.Tensor2D, y as tf.Tensor2D));
  console.log(`  alignment ${au.alignment.toFixed(4)}, uniformity ${au.uniformity.toFixed(4)}`);
  tf.dispose([train, test, x, y]);
}

async function pixels(backend: BackendName | ''): Promise<void> {
  const dir = join(resolve(process.env.CONTRASTIVE_DATA ?? '../shared/data'), 'fashion-mnist');
  if (!existsSync(dir)) {
    console.log(`skipped: ${dir} is absent (set CONTRASTIVE_DATA)`);
    return;
  }
  const info = await initBackend(backend === '' ? undefined : backend);
  console.log(`backend ${info.name}, ${info.threads} thread(s); Fashion-MNIST raw pixels`);
  const read = (f: string) => parseIdx(gunzipSync(readFileSync(join(dir, f))), f).data;
  const px = (f: string) => ({ data: Float32Array.from(read(f), (v) => v / 255), dim: 784 });
  const train = { features: px('train-images-idx3-ubyte.gz'), labels: Int32Array.from(read('train-labels-idx1-ubyte.gz')) };
  const test = { features: px('t10k-images-idx3-ubyte.gz'), labels: Int32Array.from(read('t10k-labels-idx1-ubyte.gz')) };
  let t0 = performance.now();
  const r = await labelEfficiency({
    train,
    test,
    onProgress: (p) => {
      if (p.accuracy === undefined) t0 = performance.now();
      else
        console.log(
          `${p.probe} ${p.fraction} (${p.trainRows} rows): ${p.accuracy.toFixed(4)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
    },
  });
  console.log(JSON.stringify(r));
  t0 = performance.now();
  const km = await kmeans(test.features, { k: 10 });
  console.log(
    `k-means on the test pixels: NMI ${nmi(km.assignments, test.labels).toFixed(4)}, ARI ${ari(km.assignments, test.labels).toFixed(4)} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
