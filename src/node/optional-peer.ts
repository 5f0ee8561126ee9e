/**
 * Optional peer dependencies (`sharp` for images, `@lancedb/lancedb` for search indexes,
 * `@tensorflow/tfjs-node`): installed by whoever needs them. `resolveOptionalPeer` finds one or
 * throws a ConfigError that says what needs it and how to install it, instead of Node's
 * ERR_MODULE_NOT_FOUND stack.
 */
import { ConfigError } from '../errors.js';

/** The optional peers, with the version range package.json declares for each. */
export const OPTIONAL_PEERS = {
  sharp: '^0.34.0',
  '@lancedb/lancedb': '0.31.0',
  '@tensorflow/tfjs-node': '^4.22.0',
} as const;

export type OptionalPeer = keyof typeof OPTIONAL_PEERS;

/**
 * The module URL of optional peer `name`, resolved from this package.
 * @param purpose what needs it, for the message ("reading image folders").
 * @throws ConfigError naming the package, the purpose and the install command when it is absent.
 */
export function resolveOptionalPeer(
  name: OptionalPeer,
  purpose: string,
  resolve: (specifier: string) => string = (s) => import.meta.resolve(s),
): string {
  try {
    return resolve(name);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') throw err;
    throw new ConfigError(
      resolveOptionalPeer.name,
      name,
      `is needed for ${purpose} and is not installed: run \`npm install ${name}@${OPTIONAL_PEERS[name]}\``,
    );
  }
}
