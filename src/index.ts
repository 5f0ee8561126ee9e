/**
 * contrastive: contrastive self-supervised learning on TensorFlow.js.
 * The public surface, grouped by concept. Everything here runs in Node and in browsers;
 * file-system and worker-thread helpers are under `contrastive/node`.
 */

// ── Engine ────────────────────────────────────────────────────────────────────
export * as tf from './tf.js';
export { initBackend, backendInfo, describeBackend, registerBackendProvider, BACKEND_NAMES } from './backend.js';
export type { BackendName, BackendInfo, BackendProvider } from './backend.js';

// ── Errors ────────────────────────────────────────────────────────────────────
export { ContrastiveError, ShapeError, ConfigError, DataError, BackendError } from './errors.js';

// ── Losses ────────────────────────────────────────────────────────────────────
export { ntXentLoss } from './losses/nt-xent.js';
export type { NtXentOptions } from './losses/nt-xent.js';
export { infoNceLoss } from './losses/info-nce.js';
export type { InfoNceOptions } from './losses/info-nce.js';
export { tripletMarginLoss } from './losses/triplet.js';
export type { TripletMarginOptions } from './losses/triplet.js';
export { alignmentLoss, alignment } from './losses/alignment.js';
export type { AlignmentOptions } from './losses/alignment.js';
export { uniformityLoss, uniformity } from './losses/uniformity.js';
export type { UniformityOptions } from './losses/uniformity.js';
export { nceLoss } from './losses/nce.js';
export type { NceInputs } from './losses/nce.js';
// Target functions: one signature (views + optional shared negatives), a registry of pairings
export type { TargetFunction, TargetInput, NegativeSource } from './losses/target.js';
export { NEGATIVE_SOURCES } from './losses/target.js';
export { makeTarget, lossesFor, defaultTemperature, LOSSES, LOSS_SPECS } from './losses/targets.js';
export type { LossName, LossSpec, TargetOptions } from './losses/targets.js';
export { multiPositiveNtXentLoss } from './losses/multi-positive-nt-xent.js';
export type { MultiPositiveNtXentOptions } from './losses/multi-positive-nt-xent.js';
export { decoupledContrastiveLoss } from './losses/decoupled-contrastive.js';
export type { DecoupledContrastiveOptions } from './losses/decoupled-contrastive.js';
export { alignUniformLoss } from './losses/align-uniform.js';
export type { AlignUniformOptions } from './losses/align-uniform.js';
export { minedTripletLoss, TRIPLET_MININGS } from './losses/mined-triplet.js';
export type { MinedTripletOptions, TripletMining } from './losses/mined-triplet.js';
export { l2Normalize } from './ops/l2-normalize.js';
export type { L2NormalizeOptions } from './ops/l2-normalize.js';
export { pairwiseSquaredDistances } from './ops/pairwise-squared-distances.js';
export { safePow } from './ops/safe-pow.js';

// ── Augmentations ─────────────────────────────────────────────────────────────
export type { Augmentation } from './augment/augmentation.js';
export { compose } from './augment/compose.js';
export { views } from './augment/views.js';
export type { ViewMaker } from './augment/views.js';
export { multiCrop } from './augment/multi-crop.js';
export type { MultiCropOptions } from './augment/multi-crop.js';
export { simclrImageNet, simclrCifar, smallGrey, sequence } from './augment/presets.js';
export type { SmallGreyOptions } from './augment/presets.js';
export { randomResizedCrop, sampleCropBoxes } from './augment/random-resized-crop.js';
export type { RandomResizedCropOptions, CropBox } from './augment/random-resized-crop.js';
export { horizontalFlip } from './augment/horizontal-flip.js';
export type { HorizontalFlipOptions } from './augment/horizontal-flip.js';
export { colorJitter } from './augment/color-jitter.js';
export type { ColorJitterOptions } from './augment/color-jitter.js';
export { randomGrayscale } from './augment/random-grayscale.js';
export type { RandomGrayscaleOptions } from './augment/random-grayscale.js';
export { gaussianBlur } from './augment/gaussian-blur.js';
export type { GaussianBlurOptions } from './augment/gaussian-blur.js';
export { gaussianNoise } from './augment/gaussian-noise.js';
export type { GaussianNoiseOptions } from './augment/gaussian-noise.js';
export { randomErasing } from './augment/random-erasing.js';
export type { RandomErasingOptions } from './augment/random-erasing.js';
export { rgbToLab, labToRgb, labNormalize, labDenormalize, toLab, CMC_LAB_MEAN, CMC_LAB_STD, D65_WHITE } from './augment/lab.js';
export type { ToLabOptions } from './augment/lab.js';
export { jitter } from './augment/jitter.js';
export type { JitterOptions } from './augment/jitter.js';
export { scaling } from './augment/scaling.js';
export type { ScalingOptions } from './augment/scaling.js';
export { timeMasking } from './augment/time-masking.js';
export type { TimeMaskingOptions } from './augment/time-masking.js';
export { randomWindow } from './augment/random-window.js';
export type { RandomWindowOptions } from './augment/random-window.js';
export { timeShift } from './augment/time-shift.js';
export type { TimeShiftOptions } from './augment/time-shift.js';
export { vectorCorruption } from './augment/vector-corruption.js';
export type { VectorCorruptionOptions } from './augment/vector-corruption.js';
export { buildAugmentation, AUGMENTATION_PRESETS } from './augment/build-augmentation.js';
export type { AugmentationRecipe } from './augment/build-augmentation.js';

// ── Data ──────────────────────────────────────────────────────────────────────
export type { Dataset, Sample, Batch, LabelSet, SampleKind } from './data/dataset.js';
export { ArrayDataset } from './data/array-dataset.js';
export type { ArrayDatasetInit } from './data/array-dataset.js';
export { SequenceDataset } from './data/sequence-dataset.js';
export type { SequenceDatasetInit } from './data/sequence-dataset.js';
export { LazyDataset } from './data/lazy-dataset.js';
export type { LazyDatasetInit } from './data/lazy-dataset.js';
// Seeded generator for shuffles (and augmentations): its state saves and restores.
export { Rng } from './random.js';
export type { RngState } from './random.js';
export { batches, epochOrder } from './data/batches.js';
export type { BatchesOptions } from './data/batches.js';
export { subset } from './data/subset.js';
export type { SubsetDataset } from './data/subset.js';
export { stratifiedLimit } from './data/stratified-limit.js';
export { fixLength } from './data/fix-length.js';
export type { FixLengthOptions } from './data/fix-length.js';
export { labelSetFromValues, labelSetFromIds, classCounts, distinctLabelValues } from './data/label-set.js';
export { maybeGunzip } from './data/gunzip.js';
export { parseIdx, idxDataset } from './data/idx.js';
export type { IdxArray, IdxDtype, IdxDatasetOptions } from './data/idx.js';
export { parseCifar, cifarDataset, cifarRecordBytes } from './data/cifar.js';
export type { CifarArrays, CifarVariant, CifarDatasetOptions } from './data/cifar.js';
export { parseCsv, csvDataset } from './data/csv.js';
export type { CsvOptions, CsvTable, CsvDatasetOptions } from './data/csv.js';
export { parseUcr, ucrDataset } from './data/ucr.js';
export type { UcrTable, UcrDatasetOptions } from './data/ucr.js';
export { parseWav, encodeWav } from './data/wav.js';
export type { WavAudio } from './data/wav.js';
export { parseNpy, encodeNpy, npyDataset } from './data/npy.js';
export type { NpyArray, NpyDatasetOptions } from './data/npy.js';
export { compileFileNamePattern } from './data/file-name-pattern.js';
export type { FileNamePattern } from './data/file-name-pattern.js';
export { FASHION_MNIST_CLASSES, DIGIT_CLASSES, CIFAR10_CLASSES } from './data/class-names.js';

// ── Models ────────────────────────────────────────────────────────────────────
export { mlp } from './models/mlp.js';
export type { MlpOptions } from './models/mlp.js';
export { convNet } from './models/conv-net.js';
export type { ConvNetOptions } from './models/conv-net.js';
export { resnet } from './models/resnet.js';
export type { ResNetOptions } from './models/resnet.js';
export { projectionHead } from './models/projection-head.js';
export { buildLayersModel, checkLayersModelArch } from './models/layers-model-arch.js';
export type { LayersModelArch, LayersModelWeight, BuildLayersModelOptions } from './models/layers-model-arch.js';
export type { ProjectionHeadOptions } from './models/projection-head.js';
export {
  fitWhitening,
  applyWhitening,
  whitenEncoder,
  withoutWhitening,
  FEATURE_WHITENING_LAYER,
  DEFAULT_WHITENING_SHRINKAGE,
} from './models/feature-whitening.js';
export type { FeatureWhitening, FitWhiteningOptions, WhitenedEncoder } from './models/feature-whitening.js';
// BatchNorm whose training mode is one op each way (the models above use it); saves as tfjs-layers' BatchNormalization
export { batchNormalization, batchNormTraining, useFusedBatchNorm, hasFusedBatchNormKernel } from './models/batch-norm.js';
export type { BatchNormalizationArgs, BatchNormTrainingResult } from './models/batch-norm.js';

// ── Methods ───────────────────────────────────────────────────────────────────
// The interface every method implements, and SimCLR
export { collectState, restoreState, trainableVariables } from './methods/method.js';
export type { Method, MethodState, StepMetrics, TrainBatch } from './methods/method.js';
export { simclr } from './methods/simclr.js';
export type { SimclrOptions } from './methods/simclr.js';
export { contrastive, Contrastive } from './methods/contrastive.js';
export type { ContrastiveOptions, KeyQueueSetup, KeyBatchNorm } from './methods/contrastive.js';
export { KEY_BATCH_NORMS } from './methods/contrastive.js';
export { shuffledKeyGroups, shuffledGroups, KEY_GROUP_SIZE } from './methods/shuffled-key-groups.js';
export { moco, MOCO_DEFAULTS } from './methods/moco.js';
export type { MocoOptions } from './methods/moco.js';
export { momentumUpdate } from './methods/momentum-update.js';
export { KeyQueue } from './memory/key-queue.js';
export type { KeyQueueOptions } from './memory/key-queue.js';
// Memory bank
export { MemoryBank } from './memory/memory-bank.js';
export type { MemoryBankOptions, MemoryBankState, SampleOptions } from './memory/memory-bank.js';
export { fillBank } from './memory/fill-bank.js';
export type { FillBankOptions } from './memory/fill-bank.js';
// NPID
export { npid, Npid, bankKnnAccuracy, NPID_OBJECTIVES, NPID_BANK_INITS } from './methods/npid.js';
export type { NpidOptions, NpidObjective, NpidBankInit } from './methods/npid.js';
export { npidNceLoss, estimateNceNormalizer } from './losses/npid-nce.js';
export type { NpidNceOptions } from './losses/npid-nce.js';
export { nonParametricSoftmaxLoss } from './losses/non-parametric-softmax.js';
export type { NonParametricSoftmaxOptions } from './losses/non-parametric-softmax.js';
// InvaSpread
export { invaSpread } from './methods/inva-spread.js';
export type { InvaSpreadMethodOptions } from './methods/inva-spread.js';
export { invaSpreadLoss } from './losses/inva-spread.js';
export type { InvaSpreadOptions } from './losses/inva-spread.js';
// CMC: views, the multiview method
export { cmc, Cmc, cmcEdges, CMC_GRAPHS, CMC_OBJECTIVES } from './methods/cmc.js';
export type { CmcOptions, CmcGraph, CmcObjective } from './methods/cmc.js';
export { crossViewInfoNceLoss } from './losses/cross-view-info-nce.js';
export type { CrossViewInfoNceOptions } from './losses/cross-view-info-nce.js';
export { view, toView, applyView, viewSampleShape, BUILTIN_VIEWS } from './cmc-views/view.js';
export type { View, ViewFunction, ViewSpec, BuiltinViewName } from './cmc-views/view.js';
export { labL } from './cmc-views/lab-l.js';
export { labAb } from './cmc-views/lab-ab.js';
export { gradient } from './cmc-views/gradient.js';
export type { GradientOptions, GradientOutput } from './cmc-views/gradient.js';
export { halfLuminance } from './cmc-views/half-luminance.js';
export { builtinView, parseViewList, VIEW_LIST_NAMES } from './cmc-views/builtin.js';
export { ViewLayer } from './cmc-views/view-layer.js';
export type { ViewLayerArgs } from './cmc-views/view-layer.js';
export { cmcAugmentation } from './cmc-views/cmc-augmentation.js';
export type { CmcAugmentationOptions } from './cmc-views/cmc-augmentation.js';
// CPC: strided 1-D convolutions g_enc, a GRU g_ar, InfoNCE on future latents
export { cpc, assertFiniteSequences } from './methods/cpc.js';
export type { CpcOptions, CpcMethod, CpcNegatives } from './methods/cpc.js';
export {
  conv1dEncoder,
  conv1dPreset,
  receptiveField,
  latentLength,
  inputLengthFor,
  AUDIO_8K_GEOMETRY,
  SHORT_SERIES_GEOMETRY,
  TINY_SERIES_GEOMETRY,
} from './models/conv1d-encoder.js';
export type { Conv1dEncoderOptions, Conv1dGeometry } from './models/conv1d-encoder.js';
export { gruContext, SequenceGru, SequencePool, sequencePool } from './models/gru-context.js';
export type { GruContextOptions, SequencePooling } from './models/gru-context.js';
export { gruSequence, hasGruSequenceKernel, GRU_SEQUENCE_KERNEL, GRU_SEQUENCE_GRAD_KERNEL } from './models/gru-sequence.js';
export type { GruRecurrentActivation, GruSequenceOptions, GruSequenceAttrs } from './models/gru-sequence.js';
export { gru, routeGruLayers, gruLayersRouted } from './models/gru-layer.js';
export type { GruArgs } from './models/gru-layer.js';
export { lstm, routeLstmLayers, lstmLayersRouted } from './models/lstm-layer.js';
export type { LstmArgs } from './models/lstm-layer.js';
export { lstmSequence, hasLstmSequenceKernel, LSTM_SEQUENCE_KERNEL, LSTM_SEQUENCE_GRAD_KERNEL } from './models/lstm-sequence.js';
export type { LstmRecurrentActivation, LstmSequenceAttrs } from './models/lstm-sequence.js';

// ── Training ──────────────────────────────────────────────────────────────────
export { train, planEpoch } from './train/trainer.js';
export type {
  TrainOptions,
  TrainResult,
  TrainerStore,
  Checkpoint,
  StepRecord,
  EpochRecord,
  KnnMonitorOptions,
  SkippedStep,
} from './train/trainer.js';
export { Optimizer, optimizer, decays, OPTIMIZER_NAMES } from './optim/optimizers.js';
export type { OptimizerOptions, OptimizerName, OptimizerState, UpdateInfo, ApplyOptions } from './optim/optimizers.js';
export { warmupCosine, constantLr, ResizableWarmupCosine } from './train/schedules.js';
export { stepsForBudget } from './train/steps-for-budget.js';
export type { StepsForBudgetOptions } from './train/steps-for-budget.js';
export type { Schedule, WarmupCosineOptions, CosineResize } from './train/schedules.js';

// ── Evaluation ────────────────────────────────────────────────────────────────
export type { Features, FeatureArray, LabelledFeatures } from './eval/features.js';
export { embedDataset, rawFeatures } from './eval/dataset-features.js';
export { knnAccuracy, knnClassifier, KnnClassifier } from './eval/knn.js';
export type { KnnOptions } from './eval/knn.js';
export { linearProbe } from './eval/linear-probe.js';
export type { LinearProbeOptions, LinearProbeResult, L2Trial } from './eval/linear-probe.js';
export { kmeans } from './eval/kmeans.js';
export type { KmeansOptions, KmeansResult } from './eval/kmeans.js';
export { accuracy, confusionMatrix, nmi, ari } from './eval/metrics.js';
export type { LabelArray } from './eval/metrics.js';
export { alignmentUniformity } from './eval/alignment-uniformity.js';
export type { AlignmentUniformity, AlignmentUniformityOptions } from './eval/alignment-uniformity.js';
export { stratifiedSubset, stratifiedSplit, stratifiedFolds } from './eval/stratify.js';
export { labelEfficiency, compareLabelEfficiency, fractionLabel } from './eval/label-efficiency.js';
export type {
  AccuracyByFraction,
  LabelEfficiencyResult,
  LabelEfficiencyOptions,
  LabelEfficiencyCommonOptions,
  LabelEfficiencyProgress,
  CompareLabelEfficiencyOptions,
  FeatureSet,
} from './eval/label-efficiency.js';
export { formatLabelEfficiencyTable } from './eval/format-table.js';
export type { LabelEfficiencyTableOptions } from './eval/format-table.js';
export { evaluateRepresentation, buildEvaluationReport } from './eval/evaluation-report.js';
export type { EvaluationReport, EvaluationReportParts, EvaluateRepresentationOptions, ClusteringScores } from './eval/evaluation-report.js';
export type { KnnProtocol } from './eval/knn-protocol.js';

// ── Browser ───────────────────────────────────────────────────────────────────
// initBackend() in a browser: webgpu (a hardware adapter) > webgl (a hardware renderer) > wasm > cpu.
export { allowSoftwareWebgpu } from './backend-loaders/webgpu.js';
export { allowSoftwareWebgl } from './backend-loaders/webgl.js';
/** Where the page serves tfjs-backend-wasm's `.wasm` files (a folder URL ending in `/`); call before initBackend. */
export { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// ── Report ────────────────────────────────────────────────────────────────────
// The HTML report's data model and renderer (browser-safe); Node writes it: contrastive/node writeRunReport.
export {
  buildReportData,
  binSteps,
  parseJsonl,
  renderReportHtml,
  scriptSafeJson,
  parseTemperatureSweep,
  TEMPERATURE_SWEEP_FILE,
} from './run-report/index.js';
export type {
  ReportData,
  ReportStep,
  ReportEpoch,
  ReportLabelEfficiency,
  ReportAlignmentPoint,
  ReportUmap,
  ReportSample,
  ReportRetrieval,
  ReportSummary,
  ReportTemperature,
  TemperatureSweep,
  TemperaturePoint,
  RunTexts,
  ReportExtras,
  ParsedJsonl,
  RenderReportOptions,
} from './run-report/index.js';

// ── Recipes ───────────────────────────────────────────────────────────────────
// What the CLI builds from its options, as a library layer: a recipe -> a method; the pairing table.
export {
  buildMethod,
  buildEncoder,
  defaultArch,
  defaultAugmentation,
  defaultTemperatureFor,
  METHODS,
  ARCHS,
  HEADS,
  LAYERS_MODEL_ARCH,
  METHOD_BUILDERS,
} from './recipes/recipe.js';
export type { Recipe, MethodBuild, Arch, RecipeArch, HeadKind, Builder } from './recipes/recipe.js';
export type { CmcRecipe } from './recipes/cmc-recipe.js';
export type { CpcRecipe } from './recipes/cpc-recipe.js';
export { PAIRINGS, validCombinations, resolvePairing } from './recipes/pairing.js';
export type { ProxyPairing, ResolvedPairing } from './recipes/pairing.js';
