/**
 * `contrastive serve [--dir dist-web] [--port 8080]`: serves the browser training demo (built by
 * `npm run demo:web`) on localhost. Sends COOP/COEP headers so that the page is cross-origin
 * isolated (SharedArrayBuffer: multi-threaded wasm where the browser allows it).
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ConfigError } from '../errors.js';
import { packageRoot } from '../node/data/paths.js';
import { int } from './parse.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.gz': 'application/gzip',
  '.css': 'text/css',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
};

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves the files of `dir` (no listing, nothing outside it) on host:port (port 0: any free one). */
export async function startStaticServer({
  dir,
  port = 8080,
  host = '127.0.0.1',
}: {
  dir: string;
  port?: number;
  host?: string;
}): Promise<StaticServer> {
  const root = resolve(dir);
  const st = await stat(join(root, 'index.html')).catch(() => undefined);
  if (st === undefined)
    throw new ConfigError('serve', '--dir', `must hold the built demo (index.html), got '${dir}': run \`npm run demo:web\` first`);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    const send = (code: number, body: string | Uint8Array, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, {
        'content-type': type,
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cache-control': 'no-cache',
      });
      res.end(body);
    };
    if (!(file === root || file.startsWith(root + sep)) || (req.method !== 'GET' && req.method !== 'HEAD')) return send(403, 'forbidden');
    readFile(file).then(
      (body) => send(200, body, TYPES[extname(file)] ?? 'application/octet-stream'),
      () => send(404, 'not found'),
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr !== null ? addr.port : port;
  return { url: `http://${host}:${actual}/`, server, close: () => new Promise((ok) => server.close(() => ok())) };
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the browser training demo (build it first: npm run demo:web)')
    .option('--dir <dir>', 'folder of the built page', join(packageRoot(), 'dist-web'))
    .option(
      '--port <n>',
      'port (0: any free one)',
      (v: string) => {
        const n = int(0)(v);
        if (n > 65535) throw new InvalidArgumentError('must be an integer <= 65535');
        return n;
      },
      8080,
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (opts: { dir: string; port: number; host: string }) => {
      const s = await startStaticServer(opts);
      process.stdout.write(`serving ${opts.dir} at ${s.url} (Ctrl-C stops)\n`);
      await new Promise<void>((ok) => process.once('SIGINT', ok));
      await s.close();
    });
}
