/**
 * A run folder `runs/<name>/`:
 *
 *   config.json        the command's options, the method's config, data and backend
 *   metrics.jsonl      one JSON line per training step (step, epoch, loss, lr, gradNorm, samplesPerSec, elapsed)
 *   epochs.jsonl       one line per epoch (mean loss, kNN monitor accuracy, seconds)
 *   checkpoint.bin     the last checkpoint (weights, optimizer, Rng, epoch/step), replaced atomically
 *   encoder/           the final encoder, TF.js format (model.json + weights.bin)
 *   encoder-random/    the same encoder at its random initialisation (the "random encoder" baseline)
 *   head/              the final projection head (h -> z), for methods that have one: kNN reads z
 *   head-random/       the head at its random initialisation (the random baseline's z)
 *   arch.json          `--arch <model.json>`: the user model's topology, so resume rebuilds it without the file
 *   skipped.txt        image folders: files left out (not images, unreadable), `<id>\t<reason>`
 *   lock               held by the process writing the run (pid inside); see run-lock.ts
 *
 * Implements the trainer's `TrainerStore`.
 */
import { appendFile, mkdir, readFile, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checkpoint, EpochRecord, StepRecord, TrainerStore } from '../../train/trainer.js';
import { DataError } from '../../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-file.js';

export const RUN_FILES = {
  config: 'config.json',
  metrics: 'metrics.jsonl',
  epochs: 'epochs.jsonl',
  checkpoint: 'checkpoint.bin',
  encoder: 'encoder',
  randomEncoder: 'encoder-random',
  head: 'head',
  randomHead: 'head-random',
  arch: 'arch.json',
  skipped: 'skipped.txt',
  lock: 'lock',
} as const;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

export class RunFolder implements TrainerStore {
  constructor(readonly dir: string) {}

  path(file: keyof typeof RUN_FILES): string {
    return join(this.dir, RUN_FILES[file]);
  }

  /** Creates the folder (and parents). */
  async create(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  async hasCheckpoint(): Promise<boolean> {
    return exists(this.path('checkpoint'));
  }

  /** Whether the model folder `file` (e.g. 'head') holds a saved model (its model.json). */
  async hasModel(file: keyof typeof RUN_FILES): Promise<boolean> {
    return exists(join(this.path(file), 'model.json'));
  }

  async writeConfig(config: Record<string, unknown>): Promise<void> {
    await writeFileAtomic(this.path('config'), JSON.stringify(config, null, 2) + '\n');
  }

  async readConfig(): Promise<Record<string, unknown>> {
    const p = this.path('config');
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch {
      throw new DataError(
        'RunFolder',
        p,
        `is missing: ${this.dir} is not a run folder (run \`contrastive pretrain --out ${this.dir}\` first)`,
      );
    }
    try {
      const v = JSON.parse(text) as unknown;
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      return v as Record<string, unknown>;
    } catch (err) {
      throw new DataError('RunFolder', p, `is not a JSON object (${(err as Error).message})`);
    }
  }

  async appendMetrics(records: StepRecord[]): Promise<void> {
    if (records.length === 0) return;
    await appendFile(this.path('metrics'), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  async appendEpoch(record: EpochRecord): Promise<void> {
    await appendFile(this.path('epochs'), JSON.stringify(record) + '\n');
  }

  async saveCheckpoint(checkpoint: Checkpoint): Promise<void> {
    await writeFileAtomic(this.path('checkpoint'), await encodeCheckpoint(checkpoint));
  }

  /** The last checkpoint; the caller disposes its tensors. */
  async loadCheckpoint(): Promise<Checkpoint> {
    const p = this.path('checkpoint');
    let bytes: Uint8Array;
    try {
      bytes = await readFile(p);
    } catch {
      throw new DataError('RunFolder', p, `is missing: nothing to resume in ${this.dir}`);
    }
    return decodeCheckpoint(bytes, p);
  }

  /**
   * Drops metric lines after `step` and epoch lines after `epoch` (they belong to work lost
   * after the checkpoint being resumed), and a torn last line.
   */
  async truncateAfter(step: number, epoch: number): Promise<void> {
    const keep = async (file: string, ok: (r: Record<string, unknown>) => boolean): Promise<void> => {
      if (!(await exists(file))) return;
      const lines = (await readFile(file, 'utf8')).split('\n').filter((l) => l.trim() !== '');
      const kept: string[] = [];
      for (const l of lines) {
        try {
          if (ok(JSON.parse(l) as Record<string, unknown>)) kept.push(l);
        } catch {
          // a torn line from a crash mid-append
        }
      }
      await writeFile(file, kept.length === 0 ? '' : kept.join('\n') + '\n');
    };
    await keep(this.path('metrics'), (r) => typeof r.step === 'number' && r.step <= step);
    await keep(this.path('epochs'), (r) => typeof r.epoch === 'number' && r.epoch <= epoch);
  }

  /** Parsed metrics.jsonl lines (a torn last line is skipped). */
  async readMetrics(): Promise<StepRecord[]> {
    return this.readJsonl<StepRecord>(this.path('metrics'));
  }

  async readEpochs(): Promise<EpochRecord[]> {
    return this.readJsonl<EpochRecord>(this.path('epochs'));
  }

  private async readJsonl<T>(file: string): Promise<T[]> {
    if (!(await exists(file))) return [];
    const out: T[] = [];
    for (const l of (await readFile(file, 'utf8')).split('\n')) {
      if (l.trim() === '') continue;
      try {
        out.push(JSON.parse(l) as T);
      } catch {
        // torn line
      }
    }
    return out;
  }
}
