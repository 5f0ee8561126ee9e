/**
 * Embeds query images for `search` the way `index` embedded the collection: the same run's
 * encoder (trained, random or raw pixels), image size, channels and resize mode, decoded by the
 * decode pool. `run` overrides the index's run (an encoder of another width is refused by the
 * search with one line).
 */
import { join } from 'node:path';
import * as tf from '../../tf.js';
import { DataError } from '../../errors.js';
import { DecodePool } from '../data/decode-pool.js';
import type { ResizeMode } from '../data/decode-pool.js';
import { loadModel } from '../run/model-io.js';
import { RUN_FILES } from '../run/run-folder.js';
import type { IndexMeta } from './index-meta.js';

export class QueryEncoder {
  private constructor(
    private readonly model: tf.LayersModel | undefined,
    private readonly pool: DecodePool,
    private readonly shape: [number, number, 1 | 3],
    private readonly resize: ResizeMode,
    /** Length of the vectors it makes. */
    readonly dim: number,
    /** Which run made them. */
    readonly run: string,
  ) {}

  /** An encoder for images like those of the index described by `meta`. */
  static async create(meta: IndexMeta, run = meta.run, encoder = meta.encoder): Promise<QueryEncoder> {
    const fn = 'QueryEncoder';
    if (meta.sampleShape.length !== 3)
      throw new DataError(
        fn,
        meta.data,
        `holds ${meta.sampleShape.length === 1 ? 'vectors' : 'sequences'}, not images: query by id instead`,
      );
    const [h, w, c] = meta.sampleShape as [number, number, number];
    const model =
      encoder === 'pixels' ? undefined : await loadModel(join(run, encoder === 'random' ? RUN_FILES.randomEncoder : RUN_FILES.encoder));
    const inShape = model?.inputs[0]?.shape;
    if (model !== undefined && inShape !== undefined && inShape.slice(1).join(',') !== [h, w, c].join(',')) {
      model.dispose();
      throw new DataError(
        fn,
        run,
        `has an encoder reading [${inShape.slice(1).join(', ')}], the index was built from images of [${h}, ${w}, ${c}]`,
      );
    }
    const dim = model === undefined ? h * w * c : (model.outputs[0]!.shape[1] as number);
    return new QueryEncoder(model, new DecodePool(1), [h, w, c as 1 | 3], (meta.resize as ResizeMode | undefined) ?? 'crop', dim, run);
  }

  /** The vector of the image in `file` (DataError when it cannot be decoded). */
  async embed(file: string): Promise<Float32Array> {
    const [height, width, channels] = this.shape;
    const pixels = await this.pool.decode({ file, height, width, channels, resize: this.resize });
    if (this.model === undefined) return pixels;
    const model = this.model;
    const out = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, height, width, channels])) as tf.Tensor2D);
    try {
      return Float32Array.from(await out.data());
    } finally {
      out.dispose();
    }
  }

  async close(): Promise<void> {
    this.model?.dispose();
    await this.pool.close();
  }
}
