/** The run folder: config, metrics, atomic checkpoints, TF.js model files. */
export { RunFolder, RUN_FILES } from './run-folder.js';
export { writeFileAtomic } from './atomic-write.js';
export { encodeCheckpoint, decodeCheckpoint } from './checkpoint-file.js';
export { saveModel, loadModel, fileSaveHandler, fileLoadHandler } from './model-io.js';
export { RunLock, LOCK_FILE, processAlive } from './run-lock.js';
export { readLayersModelFile, loadLayersModelArch, writeLayersModelTopology } from './layers-model-file.js';
export type { LayersModelFile } from './layers-model-file.js';
export { measureStepSeconds, sizeStepsToBudget } from './step-budget.js';
export type { MeasureStepOptions, SizeStepsToBudgetOptions } from './step-budget.js';
