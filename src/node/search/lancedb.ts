/**
 * The one place that loads LanceDB (`@lancedb/lancedb`, embedded) and Apache Arrow: imported
 * lazily, so the rest of the library works without them and they can become optional peer
 * dependencies. A missing install is one ConfigError line saying what to install.
 */
import { ConfigError } from '../../errors.js';

export type LanceDbModule = typeof import('@lancedb/lancedb');
export type ArrowModule = typeof import('apache-arrow');

let loaded: Promise<{ lancedb: LanceDbModule; arrow: ArrowModule }> | undefined;

/** The LanceDB and Arrow modules (imported on first use). */
export function loadLanceDb(fn = 'loadLanceDb'): Promise<{ lancedb: LanceDbModule; arrow: ArrowModule }> {
  loaded ??= (async () => {
    try {
      const [lancedb, arrow] = await Promise.all([import('@lancedb/lancedb'), import('apache-arrow')]);
      return { lancedb, arrow };
    } catch (err) {
      loaded = undefined;
      throw new ConfigError(
        fn,
        '@lancedb/lancedb',
        `could not be loaded (${(err as Error).message.split('\n')[0]}); index and search need it: npm install --save-exact @lancedb/lancedb@0.31.0 apache-arrow@18.1.0`,
      );
    }
  })();
  return loaded;
}
