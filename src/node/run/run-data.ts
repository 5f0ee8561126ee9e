/**
 * The image-folder options a run was trained with (`--image-size`, `--labels`, `--resize`), as
 * loadDataset options, so that `embed`, `eval` and `index` read the data the way `pretrain` did;
 * and what those commands start from: the run's recipe and the data spec.
 */
import type { LoadDatasetOptions } from '../data/load-dataset.js';
import type { LabelMode } from '../data/list-images.js';
import type { ResizeMode } from '../data/decode-pool.js';
import type { Dataset } from '../../data/dataset.js';
import type { Recipe } from '../../recipes/recipe.js';
import { DataError } from '../../errors.js';
import type { RunFolder } from './run-folder.js';

export interface RunDataOptions {
  data?: string;
  imageSize?: number;
  labels?: LabelMode;
  resize?: ResizeMode;
}

/** loadDataset options from a run's config.json `options`, overridden by `override`. */
export function runDataOptions(
  runOptions: RunDataOptions,
  override: { labels?: LabelMode | undefined; resize?: ResizeMode | undefined } = {},
): LoadDatasetOptions {
  const labels = override.labels ?? runOptions.labels;
  const resize = override.resize ?? runOptions.resize;
  return {
    ...(runOptions.imageSize !== undefined ? { imageSize: runOptions.imageSize } : {}),
    ...(labels !== undefined ? { folderLabels: labels } : {}),
    ...(resize !== undefined ? { resize } : {}),
  };
}

/** A run's recipe, its options and the data spec to read (`data`, else the run's own). */
export async function runRecipeAndData(
  run: RunFolder,
  data: string | undefined,
  fn: string,
): Promise<{ recipe: Recipe; runOptions: RunDataOptions; spec: string }> {
  const config = await run.readConfig();
  const runOptions = (config.options ?? {}) as RunDataOptions;
  const spec = data ?? runOptions.data;
  if (spec === undefined) throw new DataError(fn, 'config.json', 'names no data: pass --data');
  return { recipe: config.recipe as Recipe, runOptions, spec };
}

/** Throws a DataError when `data`'s samples are not the shape the run's encoder reads. */
export function assertRunInputShape(data: Dataset, recipe: Recipe, fn: string, spec: string): void {
  if (data.sampleShape.join(',') !== recipe.inputShape.join(',')) {
    throw new DataError(
      fn,
      spec,
      `has samples of shape [${data.sampleShape.join(', ')}], the run's encoder reads [${recipe.inputShape.join(', ')}]`,
    );
  }
}
