/**
 * `contrastive/node`: what needs Node (file system, worker threads, native addon).
 */

// ── Data ──────────────────────────────────────────────────────────────────────
export { loadDataset, resolveDataPath } from './data/load-dataset.js';
export type { LoadDatasetOptions } from './data/load-dataset.js';
export { parseDataSpec, formatDataSpec, DATA_FORMATS, DATASET_NAMES } from './data/data-spec.js';
export type { DataSpec, DataFormat, DatasetName } from './data/data-spec.js';
export { CATALOG } from './data/catalog.js';
export type { CatalogEntry } from './data/catalog.js';
export { bundledDataDir, sharedDataDir, sharedDataCandidates, downloadCacheDir, packageRoot } from './data/paths.js';
export { downloadDataset, DOWNLOADS, DOWNLOAD_NAMES } from './data/download.js';
export type { DownloadOptions, DownloadResult, DownloadEntry, DownloadFile, DownloadName } from './data/download.js';
export { loadIdx } from './data/load-idx.js';
export type { LoadIdxOptions } from './data/load-idx.js';
export { loadCifar } from './data/load-cifar.js';
export type { LoadCifarOptions } from './data/load-cifar.js';
export { loadCsv } from './data/load-csv.js';
export type { LoadCsvOptions } from './data/load-csv.js';
export { loadUcr } from './data/load-ucr.js';
export type { LoadUcrOptions } from './data/load-ucr.js';
export { loadWavFolder } from './data/wav-folder.js';
export type { LoadWavFolderOptions, WavFolderDataset } from './data/wav-folder.js';
export { loadImageFolder } from './data/image-folder.js';
export type { LoadImageFolderOptions, ImageFolderDataset } from './data/image-folder.js';
export { DecodePool, defaultDecodeWorkers } from './data/decode-pool.js';
export type { DecodeRequest, ResizeMode } from './data/decode-pool.js';
export { RESIZE_MODES } from './data/decode-pool.js';
export { listImages, IMAGE_EXTENSIONS, LABEL_MODES } from './data/list-images.js';
export type { ImageListing, LabelMode, SkippedFile } from './data/list-images.js';
export { sampleIds, unreadableRows, skippedFiles, writeSkipped } from './data/sample-ids.js';
export type { SampleIds } from './data/sample-ids.js';
export { readNpy, writeNpy, loadNpy } from './data/npy-file.js';
export type { LoadNpyOptions } from './data/npy-file.js';
export { readBytes, readText } from './data/read-bytes.js';
export { readTar } from './data/tar.js';
export type { TarEntry } from './data/tar.js';
// Run folder: config, metrics, atomic checkpoints, TF.js model files
export {
  RunFolder,
  RUN_FILES,
  RunLock,
  LOCK_FILE,
  processAlive,
  writeFileAtomic,
  encodeCheckpoint,
  decodeCheckpoint,
  saveModel,
  loadModel,
  fileSaveHandler,
  fileLoadHandler,
  readLayersModelFile,
  loadLayersModelArch,
  writeLayersModelTopology,
} from './run/index.js';
export type { LayersModelFile } from './run/index.js';
export { measureStepSeconds, sizeStepsToBudget } from './run/index.js';
export type { MeasureStepOptions, SizeStepsToBudgetOptions } from './run/index.js';
// ── Search: embeddings with ids, an index and nearest neighbours on LanceDB ──────
export { embedRows } from './search/embed-rows.js';
export type { EmbeddedRows, RowEncoder } from './search/embed-rows.js';
export { writeEmbeddings, formatOfPath, EMBED_FORMATS } from './search/write-embeddings.js';
export type { EmbedFormat } from './search/write-embeddings.js';
export { VectorIndex, DEFAULT_ANN_THRESHOLD, checkIndexFolder } from './search/vector-index.js';
export type { IndexRow, Neighbour, OpenIndexOptions, SearchOptions } from './search/vector-index.js';
export { fillIndex } from './search/fill-index.js';
export type { FillIndexOptions, FillIndexResult } from './search/fill-index.js';
export { QueryEncoder } from './search/query-encoder.js';
export { searchByImage } from './search/search-by-image.js';
export { writeGallery } from './search/gallery-html.js';
export type { GalleryQuery } from './search/gallery-html.js';
export { parseShard, inShard, fnv1a } from './search/shard.js';
export type { Shard } from './search/shard.js';
export { readIndexMeta, writeIndexMeta, INDEX_ENCODERS } from './search/index-meta.js';
export type { IndexMeta, IndexEncoder } from './search/index-meta.js';
export { loadLanceDb } from './search/lancedb.js';
// ── Native backend (oneDNN + OpenBLAS addon) ────────────────────────────────
export { nativeStatus, registerNativeBackend, NATIVE_KERNELS } from './native/index.js';
export type { NativeAddon } from './native/addon.js';
export type { NativeStatus } from './native/index.js';
// ── Report: report.html from a run folder ─────────────────────────────────────
export {
  writeRunReport,
  readChartJs,
  readRunTexts,
  EVAL_FILE,
  REPORT_FILE,
  embeddingSections,
  umap2d,
  retrievalGrid,
} from './run-report/index.js';
export type { WriteRunReportOptions, WriteRunReportResult, EmbeddingSectionsOptions, EmbeddingSections } from './run-report/index.js';
