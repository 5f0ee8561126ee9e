/**
 * Typed errors. Every message names the function, the argument, what was expected and what
 * arrived: `ntXentLoss: \`z2\` must have shape [32, 128] (same as z1), got [32, 64]`.
 */

/** Base class of every error the library throws on purpose. */
export class ContrastiveError extends Error {
  /** The public function or command that rejected its input. */
  readonly fn: string;
  /** The argument (or file, option) that was wrong, when there is one. */
  readonly arg: string | undefined;
  constructor(fn: string, arg: string | undefined, message: string) {
    super(arg === undefined ? `${fn}: ${message}` : `${fn}: \`${arg}\` ${message}`);
    this.name = new.target.name;
    this.fn = fn;
    this.arg = arg;
  }
}

/** A tensor has the wrong rank, shape or dtype. */
export class ShapeError extends ContrastiveError {}

/** An option or plain value is out of its range (temperature <= 0, NaN, unknown name...). */
export class ConfigError extends ContrastiveError {}

/** A file or dataset is unreadable, truncated, corrupt or inconsistent. `arg` is the file. */
export class DataError extends ContrastiveError {}

/** A backend could not be loaded or a kernel failed. */
export class BackendError extends ContrastiveError {}
