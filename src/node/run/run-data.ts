/**
 * The image-folder options a run was trained with (`--image-size`, `--labels`, `--resize`), as
 * loadDataset options, so that `embed`, `eval` and `index` read the data the way `pretrain` did.
 */
import type { LoadDatasetOptions } from '../data/load-dataset.js';
import type { LabelMode } from '../data/list-images.js';
import type { ResizeMode } from '../data/decode-pool.js';

export interface RunDataOptions {
  data?: string;
  imageSize?: number;
  labels?: LabelMode;
  resize?: ResizeMode;
}

/** loadDataset options from a run's config.json `options`, overridden by `override`. */
export function runDataOptions(runOptions: RunDataOptions, override: { labels?: LabelMode | undefined; resize?: ResizeMode | undefined } = {}): LoadDatasetOptions {
  const labels = override.labels ?? runOptions.labels;
  const resize = override.resize ?? runOptions.resize;
  return {
    ...(runOptions.imageSize !== undefined ? { imageSize: runOptions.imageSize } : {}),
    ...(labels !== undefined ? { folderLabels: labels } : {}),
    ...(resize !== undefined ? { resize } : {}),
  };
}
