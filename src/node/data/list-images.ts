/**
 * The image files under a folder, recursively, in sorted relative-path order, and whether their
 * folders name classes. Files of other types are listed as skipped (hidden files and folders,
 * those starting with '.', are ignored). Class subfolders give labels only when there are at
 * least two of them and every image lies inside one (none directly in the root); `labels`
 * forces either way.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { DataError } from '../../errors.js';

/** Extensions of the formats sharp decodes (libvips prebuilt: JPEG, PNG, WebP, GIF, TIFF, AVIF). */
export const IMAGE_EXTENSIONS = /\.(png|jpe?g|webp|gif|tiff?|avif)$/i;

/** How a folder's subfolders are used: `auto` decides, `folders` forces classes, `none` ignores them. */
export type LabelMode = 'auto' | 'folders' | 'none';
export const LABEL_MODES: readonly LabelMode[] = ['auto', 'folders', 'none'];

export interface SkippedFile {
  /** Path relative to the data root (forward slashes). */
  id: string;
  reason: string;
}

export interface ImageListing {
  /** Absolute paths, sorted by id. */
  files: string[];
  /** Paths relative to the root with forward slashes (stable across machines). */
  ids: string[];
  /** Class id per file when the folders give labels. */
  labels?: Int32Array;
  classNames?: string[];
  /** Files that are not images by their extension. */
  skipped: SkippedFile[];
  /** One line saying where the labels came from (or why there are none). */
  note: string;
}

async function walk(dir: string, out: string[], fn: string): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new DataError(fn, dir, e.code === 'ENOENT' ? 'does not exist' : `could not be listed: ${e.message}`);
  }
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) await walk(p, out, fn);
    else if (e.isFile() || e.isSymbolicLink()) out.push(p);
  }
}

const idOf = (root: string, file: string): string => relative(root, file).split(sep).join('/');

/** Lists the images under `root` and decides on labels (see the file comment). */
export async function listImages(root: string, labels: LabelMode = 'auto', fn = 'listImages'): Promise<ImageListing> {
  const all: string[] = [];
  await walk(root, all, fn);
  const entries = all.map((f) => ({ file: f, id: idOf(root, f) })).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const images = entries.filter((e) => IMAGE_EXTENSIONS.test(e.id));
  const skipped = entries.filter((e) => !IMAGE_EXTENSIONS.test(e.id)).map((e) => ({ id: e.id, reason: 'not an image file (by its extension)' }));
  if (images.length === 0) {
    throw new DataError(fn, root, `holds no image files (.jpg, .png, .webp, .gif, .tiff, .avif)${skipped.length > 0 ? `; ${skipped.length} other files` : ''}`);
  }
  const inRoot = images.filter((e) => !e.id.includes('/')).length;
  const classNames = [...new Set(images.filter((e) => e.id.includes('/')).map((e) => e.id.slice(0, e.id.indexOf('/'))))].sort();
  const base = { files: images.map((e) => e.file), ids: images.map((e) => e.id), skipped };
  const n = images.length;
  if (labels === 'none') return { ...base, note: `${n} images, unlabelled (--labels none)` };
  if (labels === 'folders') {
    if (inRoot > 0) throw new DataError(fn, root, `has ${inRoot} images directly in it, so its subfolders cannot be the classes of all images (--labels folders); move them into class subfolders or use --labels none`);
  } else if (inRoot > 0 || classNames.length < 2) {
    const why = inRoot > 0 ? `${inRoot} lie directly in the root` : classNames.length === 1 ? 'they are all in one subfolder' : 'there are no subfolders';
    return { ...base, note: `${n} images, unlabelled: ${why} (--labels folders to force classes)` };
  }
  const index = new Map(classNames.map((c, i) => [c, i]));
  const values = Int32Array.from(images, (e) => index.get(e.id.slice(0, e.id.indexOf('/')))!);
  const how = labels === 'folders' ? '--labels folders' : 'every image is in one; --labels none to ignore them';
  return { ...base, labels: values, classNames, note: `${n} images, labelled by ${classNames.length} class subfolders (${how})` };
}
