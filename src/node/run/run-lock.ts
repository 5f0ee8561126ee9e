/**
 * One writer per run folder: `<run>/lock` holds the writer's pid. It is created atomically
 * (O_CREAT | O_EXCL, `open(..., 'wx')`), so of two processes started at once exactly one gets
 * it. A lock whose pid is no longer alive (a killed process) is stale and is taken over: it is
 * first renamed aside (only one contender's rename succeeds), then created afresh.
 */
import { link, mkdir, open, readFile, readdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';

export const LOCK_FILE = 'lock';

/** Whether process `pid` exists (EPERM: it exists but belongs to another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunLock {
  private released = false;
  private constructor(
    readonly dir: string,
    readonly file: string,
    private readonly createdDir: boolean,
  ) {}

  /**
   * Takes the lock of run folder `dir` (created when missing) for this process. A live holder is
   * a ConfigError naming its pid (`fn` and `arg` name the caller: `pretrain`, `--out`).
   */
  static async acquire(dir: string, fn = 'RunLock', arg = 'dir'): Promise<RunLock> {
    const existed = (await stat(dir).catch(() => undefined)) !== undefined;
    await mkdir(dir, { recursive: true });
    const file = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const fh = await open(file, 'wx');
        try {
          await fh.writeFile(`${process.pid}\n`);
          await fh.sync();
        } finally {
          await fh.close();
        }
        return new RunLock(dir, file, !existed);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
          throw new ConfigError(fn, arg, `${dir}: the lock file ${file} could not be created (${(err as Error).message})`);
      }
      const text = await readFile(file, 'utf8').catch(() => undefined);
      if (text === undefined) continue; // released meanwhile: try again
      const pid = Number.parseInt(text.trim(), 10);
      if (text.trim() === '') {
        // just created by a process that has not written its pid yet (or died right then: stale after 2 s)
        const age = Date.now() - ((await stat(file).catch(() => undefined))?.mtimeMs ?? 0);
        if (age < 2000) {
          await new Promise((r) => setTimeout(r, 50));
          continue;
        }
      } else if (processAlive(pid)) {
        throw new ConfigError(
          fn,
          arg,
          `${dir} is being written by another process (pid ${pid}, lock file ${file}); wait for it to finish or stop it`,
        );
      }
      // stale: its process is gone. Rename it aside; only one contender's rename succeeds.
      const aside = `${file}.stale.${process.pid}`;
      try {
        await rename(file, aside);
      } catch {
        continue;
      }
      const moved = await readFile(aside, 'utf8').catch(() => '');
      if (moved !== text) {
        // another process took the stale lock over between our read and our rename: give it back
        await link(aside, file).catch(() => undefined);
        await unlink(aside).catch(() => undefined);
        continue;
      }
      await unlink(aside).catch(() => undefined);
    }
    throw new ConfigError(fn, arg, `${dir}: could not take the lock file ${file} (contended)`);
  }

  /** Removes the lock (and the folder, when this lock created it and nothing else was written). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    const text = await readFile(this.file, 'utf8').catch(() => undefined);
    if (text !== undefined && Number.parseInt(text.trim(), 10) === process.pid) await unlink(this.file).catch(() => undefined);
    if (this.createdDir && (await readdir(this.dir).catch(() => ['?'])).length === 0) await rmdir(this.dir).catch(() => undefined);
  }
}
