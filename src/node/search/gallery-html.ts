/**
 * A self-contained HTML gallery of search results: each query with its neighbours as thumbnails
 * inlined as data: URLs (JPEG, longer side 160 px, made with sharp), ids and distances below.
 * Missing or unreadable files show as a grey box with their id. Written atomically.
 */
import { writeFileAtomic } from '../run/atomic-write.js';
import type { Neighbour } from './vector-index.js';
import { resolveOptionalPeer } from '../optional-peer.js';

type Sharp = typeof import('sharp');
let sharpModule: Promise<Sharp> | undefined;

/** sharp, an optional peer, imported on the first gallery (a missing install is one ConfigError line). */
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import(resolveOptionalPeer('sharp', 'search galleries (--html)')).then((m: { default: Sharp }) => m.default);
  return sharpModule;
}

export interface GalleryQuery {
  query: string;
  /** The query's image file, when there is one. */
  path?: string;
  neighbours: Neighbour[];
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function thumb(path: string | undefined): Promise<string | undefined> {
  if (path === undefined || path === '') return undefined;
  const sharp = await loadSharp();
  try {
    const buf = await sharp(path)
      .rotate()
      .resize(160, 160, { fit: 'inside' })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
    return `data:image/jpeg;base64,${buf.toString('base64')}`;
  } catch {
    return undefined;
  }
}

async function figure(path: string | undefined, caption: string): Promise<string> {
  const src = await thumb(path);
  const img = src === undefined ? '<div class="missing"></div>' : `<img src="${src}" alt="${esc(caption)}">`;
  return `<figure>${img}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/** Writes the gallery of `results` to `file`. */
export async function writeGallery(file: string, results: readonly GalleryQuery[], title = 'contrastive search'): Promise<void> {
  const sections: string[] = [];
  for (const r of results) {
    const items = [await figure(r.path, `query: ${r.query}`)];
    for (const n of r.neighbours) items.push(await figure(n.path, `${n.id} (${n.distance.toFixed(3)})`));
    sections.push(`<section><h2>${esc(r.query)}</h2><div class="row">${items.join('')}</div></section>`);
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}
.row{display:flex;flex-wrap:wrap;gap:.5rem}
figure{margin:0;width:164px}
figure:first-child{outline:3px solid #2a7ae2}
img,.missing{width:160px;height:160px;object-fit:contain;background:#eee;display:block}
figcaption{font-size:11px;word-break:break-all}
</style></head><body>
<h1>${esc(title)}</h1>
<p>Each row: the query (outlined), then its nearest neighbours by cosine distance.</p>
${sections.join('\n')}
</body></html>
`;
  await writeFileAtomic(file, html);
}
