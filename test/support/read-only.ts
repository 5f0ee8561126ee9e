/**
 * A folder this process cannot write to, root included: the tests of "not writable" and of a
 * failed atomic write need one, and CI runs as root, whom file modes do not stop. For a user:
 * mode 0555. For root: a read-only bind mount of the folder on itself (writes fail with EROFS).
 */
import { chmodSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

/**
 * Makes the existing folder `dir` read-only. Returns the function that undoes it, or, where
 * that is not possible (root without the right to mount, e.g. in an unprivileged container),
 * the reason, for a reported skip.
 */
export function makeReadOnly(dir: string): (() => void) | string {
  if (process.getuid?.() !== 0) {
    chmodSync(dir, 0o555);
    return () => chmodSync(dir, 0o755);
  }
  try {
    execFileSync('mount', ['--bind', dir, dir], { stdio: 'pipe' });
  } catch (err) {
    return `running as root, and a read-only bind mount is refused here (${String((err as Error).message).split('\n')[0]}): no folder is read-only to root`;
  }
  try {
    execFileSync('mount', ['-o', 'remount,bind,ro', dir], { stdio: 'pipe' });
  } catch (err) {
    execFileSync('umount', [dir]);
    return `running as root, and remounting a bind mount read-only is refused here (${String((err as Error).message).split('\n')[0]})`;
  }
  return () => execFileSync('umount', [dir]);
}
