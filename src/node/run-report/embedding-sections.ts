/**
 * The report's sections that need the encoder: a seeded UMAP of test embeddings, a retrieval grid
 * (queries from the test split and their nearest test neighbours by cosine similarity), and the
 * alignment/uniformity of each saved checkpoint (random initialisation, final encoder).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UMAP } from 'umap-js';
import type { Dataset } from '../../data/dataset.js';
import { subset } from '../../data/subset.js';
import { alignmentUniformity } from '../../eval/alignment-uniformity.js';
import type { FeatureArray } from '../../eval/features.js';
import type { ReportAlignmentPoint, ReportRetrieval, ReportSample, ReportUmap } from '../../run-report/report-data.js';
import { Rng } from '../../random.js';
import { embedDataset } from '../../eval/dataset-features.js';
import { buildAugmentation, type AugmentationRecipe } from '../../augment/build-augmentation.js';
import { loadSplits, type LoadSplitsOptions } from '../data/load-splits.js';
import { loadModel } from '../run/model-io.js';
import { RUN_FILES } from '../run/run-folder.js';

export interface EmbeddingSectionsOptions {
  /** Test samples embedded for the UMAP and the retrieval grid (stratified). @default 1000 */
  testLimit?: number;
  /** Query samples in the retrieval grid (one per class first). @default 8 */
  queries?: number;
  /** Neighbours shown per query. @default 6 */
  neighbours?: number;
  /** Test samples whose two augmented views measure alignment/uniformity. @default 500 */
  pairs?: number;
  /** Seed of the UMAP, the data split and the views. @default 0 */
  seed?: number;
  /** UMAP neighbours. @default 15 (umap-learn's default) */
  umapNeighbors?: number;
  /** UMAP optimisation epochs. @default 200 (umap-learn's choice for large data; enough at 1000 points) */
  umapEpochs?: number;
}

export interface EmbeddingSections {
  umap: ReportUmap | null;
  retrieval: ReportRetrieval | null;
  alignmentUniformity: ReportAlignmentPoint[];
  problems: string[];
}

const round = (v: number, d: number): number => Math.round(v * 10 ** d) / 10 ** d;

function unitRows(f: FeatureArray): Float32Array {
  const out = new Float32Array(f.data.length);
  const n = f.data.length / f.dim;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < f.dim; j++) s += f.data[i * f.dim + j]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let j = 0; j < f.dim; j++) out[i * f.dim + j] = f.data[i * f.dim + j]! * inv;
  }
  return out;
}

/** 2-D UMAP of the rows of `f` (umap-js, driven by a seeded generator). */
export function umap2d(
  f: FeatureArray,
  { seed = 0, neighbors = 15, epochs = 200 }: { seed?: number; neighbors?: number; epochs?: number } = {},
): { x: number[]; y: number[] } {
  const n = f.data.length / f.dim;
  const rows: number[][] = Array.from({ length: n }, (_, i) => Array.from(f.data.subarray(i * f.dim, (i + 1) * f.dim)));
  const rng = new Rng(seed);
  const u = new UMAP({ nComponents: 2, nNeighbors: Math.max(2, Math.min(neighbors, n - 1)), nEpochs: epochs, random: () => rng.next() });
  const xy = u.fit(rows);
  return { x: xy.map((p) => round(p[0]!, 3)), y: xy.map((p) => round(p[1]!, 3)) };
}

async function sampleOf(data: Dataset, index: number, kind: ReportRetrieval['kind'], similarity?: number): Promise<ReportSample> {
  const s = await data.get(index);
  const values =
    kind === 'image' ? Array.from(s.data, (v) => Math.max(0, Math.min(255, Math.round(v * 255)))) : Array.from(s.data, (v) => round(v, 4));
  return { label: data.labels?.values[index] ?? -1, values, ...(similarity !== undefined ? { similarity: round(similarity, 4) } : {}) };
}

/** Queries (the first test sample of each class, then the next ones) and their nearest test neighbours. */
export async function retrievalGrid(
  data: Dataset,
  f: FeatureArray,
  { queries = 8, neighbours = 6 }: { queries?: number; neighbours?: number } = {},
): Promise<ReportRetrieval> {
  const n = data.size;
  const unit = unitRows(f);
  const labels = data.labels?.values;
  const picked: number[] = [];
  const seen = new Set<number>();
  if (labels !== undefined)
    for (let i = 0; i < n && picked.length < queries; i++)
      if (!seen.has(labels[i]!)) {
        seen.add(labels[i]!);
        picked.push(i);
      }
  for (let i = 0; i < n && picked.length < queries; i++) if (!picked.includes(i)) picked.push(i);
  const kind = data.kind;
  const out: ReportRetrieval['queries'] = [];
  for (const q of picked) {
    const sims: { i: number; s: number }[] = [];
    for (let i = 0; i < n; i++) {
      if (i === q) continue;
      let s = 0;
      for (let j = 0; j < f.dim; j++) s += unit[q * f.dim + j]! * unit[i * f.dim + j]!;
      sims.push({ i, s });
    }
    sims.sort((a, b) => b.s - a.s);
    const nb = await Promise.all(sims.slice(0, neighbours).map((r) => sampleOf(data, r.i, kind, r.s)));
    out.push({ query: await sampleOf(data, q, kind), neighbours: nb });
  }
  return { kind, shape: [...data.sampleShape], classNames: data.labels?.classNames ?? [], queries: out };
}

/** Computes the encoder-dependent sections of a run's report; a part that fails becomes a problem. */
export async function embeddingSections(
  dir: string,
  config: Record<string, unknown> | null,
  o: EmbeddingSectionsOptions = {},
): Promise<EmbeddingSections> {
  const { testLimit = 1000, pairs = 500, seed = 0 } = o;
  const res: EmbeddingSections = { umap: null, retrieval: null, alignmentUniformity: [], problems: [] };
  const recipe = config?.recipe as AugmentationRecipe | undefined;
  const options = (config?.options ?? {}) as {
    data?: string;
    imageSize?: number;
    labels?: LoadSplitsOptions['folderLabels'];
    resize?: LoadSplitsOptions['resize'];
  };
  const encoderDir = join(dir, RUN_FILES.encoder);
  const randomDir = join(dir, RUN_FILES.randomEncoder);
  const hasEncoder = existsSync(join(encoderDir, 'model.json'));
  if (!hasEncoder)
    res.problems.push(
      `${RUN_FILES.encoder}/model.json is missing (the run has not finished): no UMAP, retrieval grid or final alignment/uniformity`,
    );
  if (recipe === undefined || typeof options.data !== 'string') {
    res.problems.push('config.json names no recipe or data: the test embeddings cannot be computed');
    return res;
  }
  let test: Dataset;
  try {
    ({ test } = await loadSplits(
      options.data,
      {
        testLimit,
        seed,
        ...(options.imageSize !== undefined ? { imageSize: options.imageSize } : {}),
        ...(options.labels !== undefined ? { folderLabels: options.labels } : {}),
        ...(options.resize !== undefined ? { resize: options.resize } : {}),
      },
      () => undefined,
    ));
  } catch (err) {
    res.problems.push(`the run's data '${options.data}' could not be loaded (${(err as Error).message}): no UMAP or retrieval grid`);
    return res;
  }
  // alignment and uniformity of every saved checkpoint, on the same two views of the same samples
  const checkpoints: [string, string][] = [
    ['random initialisation', randomDir],
    ['final encoder', encoderDir],
  ];
  const pairData = subset(
    test,
    Int32Array.from({ length: Math.min(pairs, test.size) }, (_, i) => i),
  );
  for (const [name, modelDir] of checkpoints) {
    if (!existsSync(join(modelDir, 'model.json'))) {
      if (modelDir === randomDir)
        res.problems.push(`${RUN_FILES.randomEncoder}/model.json is missing: no point for the random initialisation`);
      continue;
    }
    const model = await loadModel(modelDir);
    try {
      if (modelDir === encoderDir) {
        const f = await embedDataset(model, test);
        // unlabelled data: one colour, no classes
        const umap = umap2d(f, {
          seed,
          ...(o.umapNeighbors !== undefined ? { neighbors: o.umapNeighbors } : {}),
          ...(o.umapEpochs !== undefined ? { epochs: o.umapEpochs } : {}),
        });
        res.umap =
          test.labels !== undefined
            ? { ...umap, labels: Array.from(test.labels.values), classNames: test.labels.classNames }
            : { ...umap, labels: new Array<number>(test.size).fill(0), classNames: ['unlabelled'] };
        res.retrieval = await retrievalGrid(test, f, {
          ...(o.queries !== undefined ? { queries: o.queries } : {}),
          ...(o.neighbours !== undefined ? { neighbours: o.neighbours } : {}),
        });
      }
      if (pairData.size >= 2) {
        const aug = buildAugmentation(recipe);
        const rng = new Rng(seed + 12345);
        const x = await embedDataset(model, pairData, 256, { augmentation: aug, rng });
        const y = await embedDataset(model, pairData, 256, { augmentation: aug, rng });
        const au = await alignmentUniformity(x, y, { seed });
        res.alignmentUniformity.push({ name, alignment: round(au.alignment, 5), uniformity: round(au.uniformity, 5) });
      }
    } catch (err) {
      res.problems.push(`${name}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      model.dispose();
    }
  }
  return res;
}
