/**
 * The page's own-image reader: each picked or dropped file is decoded by the browser
 * (`createImageBitmap`, resized to size x size) and drawn on an `OffscreenCanvas`; its pixels
 * become one row of `[N, size, size, C]` values in [0, 1]. A file the browser cannot decode (not
 * an image, truncated) is skipped and counted, never fatal. The page yields between files.
 */

export interface DecodedImages {
  /** Rows `[N, size, size, channels]`, row-major, in [0, 1]. */
  values: Float32Array;
  /** One id per row: the file's path in the folder, or its name. */
  ids: string[];
  size: number;
  /** 3 when any image has colour (RGB kept), else 1 (grey). */
  channels: 1 | 3;
  /** Files that could not be decoded, with the browser's reason. */
  skipped: { name: string; reason: string }[];
}

/** The RGBA pixels of one file at size x size, or the reason it cannot be read. */
async function pixels(file: File, size: number): Promise<Uint8ClampedArray> {
  const bitmap = await createImageBitmap(file, { resizeWidth: size, resizeHeight: size, resizeQuality: 'high' });
  try {
    const canvas = new OffscreenCanvas(size, size);
    const g = canvas.getContext('2d');
    if (g === null) throw new Error('no 2-D canvas context');
    g.drawImage(bitmap, 0, 0);
    return g.getImageData(0, 0, size, size).data;
  } finally {
    bitmap.close();
  }
}

/** Decodes `files` (in the given order) to size x size; `onProgress(done, total)` after each. */
export async function decodeImages(
  files: readonly File[],
  size: number,
  onProgress?: (done: number, total: number) => void,
): Promise<DecodedImages> {
  const rgba: Uint8ClampedArray[] = [];
  const ids: string[] = [];
  const skipped: DecodedImages['skipped'] = [];
  let colour = false;
  for (const [i, f] of files.entries()) {
    try {
      const px = await pixels(f, size);
      for (let p = 0; p < px.length && !colour; p += 4)
        if (Math.abs(px[p]! - px[p + 1]!) > 8 || Math.abs(px[p + 1]! - px[p + 2]!) > 8) colour = true;
      rgba.push(px);
      ids.push((f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name);
    } catch (err) {
      skipped.push({ name: f.name, reason: err instanceof Error ? err.message : String(err) });
    }
    onProgress?.(i + 1, files.length);
    if (i % 16 === 15) await new Promise((r) => setTimeout(r, 0)); // keep the page responsive
  }
  const channels = colour ? 3 : 1;
  const per = size * size * channels;
  const values = new Float32Array(rgba.length * per);
  rgba.forEach((px, r) => {
    for (let p = 0, o = r * per; p < size * size; p++) {
      if (channels === 3) for (let c = 0; c < 3; c++) values[o++] = px[p * 4 + c]! / 255;
      else values[o++] = (px[p * 4]! + px[p * 4 + 1]! + px[p * 4 + 2]!) / (3 * 255);
    }
  });
  return { values, ids, size, channels, skipped };
}
