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

// ── Augmentations ─────────────────────────────────────────────────────────────

// ── Data ──────────────────────────────────────────────────────────────────────

// ── Models ────────────────────────────────────────────────────────────────────

// ── Methods ───────────────────────────────────────────────────────────────────

// ── Training ──────────────────────────────────────────────────────────────────

// ── Evaluation ────────────────────────────────────────────────────────────────
