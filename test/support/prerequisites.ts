/**
 * What some tests need and a machine may lack: the shared data (`../shared/data`, or the folder
 * CONTRASTIVE_DATA names), Chromium (the browser tests), the native addon. Where one is absent,
 * the tests that need it skip with a message that says why. Under the prerequisite's require
 * flag the absence is a failure instead, with the same message: CI sets
 * CONTRASTIVE_REQUIRE_CHROMIUM=1 and CONTRASTIVE_REQUIRE_NATIVE=1 (it installs both), and
 * CONTRASTIVE_REQUIRE_DATA=1 where the shared data is there (.ci/run), so that a green CI cannot
 * hide a test that did not run.
 */

export type Prerequisite = 'data' | 'chromium' | 'native';

/** The environment variable that turns a missing prerequisite into a failure. */
export const REQUIRE_FLAG = {
  data: 'CONTRASTIVE_REQUIRE_DATA',
  chromium: 'CONTRASTIVE_REQUIRE_CHROMIUM',
  native: 'CONTRASTIVE_REQUIRE_NATIVE',
} as const satisfies Record<Prerequisite, string>;

/**
 * A test that cannot run for lack of `what`: returns the skip message (`reason`, then the flag
 * that would make it a failure), or throws that message when the flag is set to 1. Use it in
 * `{ skip: ... }` (through {@link skipUnless}) or as `return t.skip(missing('data', reason))`.
 */
export function missing(what: Prerequisite, reason: string): string {
  const flag = REQUIRE_FLAG[what];
  if (process.env[flag] === '1') throw new Error(`${flag}=1 but ${reason}`);
  return `${reason} [${flag}=1 makes this a failure]`;
}

/** `false` when `reason` is `false` (the prerequisite is there), else {@link missing}`(what, reason)`. */
export function skipUnless(what: Prerequisite, reason: string | false): string | false {
  return reason === false ? false : missing(what, reason);
}
