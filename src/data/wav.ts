/**
 * WAV (RIFF/WAVE) with PCM samples, 8-bit unsigned or 16-bit signed little-endian, mono.
 * Chunks: `RIFF <size> WAVE`, then chunks `<id> <size> <data>` padded to an even length;
 * `fmt ` gives the encoding, `data` the samples; others (LIST, fact, ...) are skipped.
 * Values are scaled to [-1, 1]: 16-bit v / 32768, 8-bit (v - 128) / 128.
 */
import { DataError } from '../errors.js';

export interface WavAudio {
  sampleRate: number;
  bitsPerSample: 8 | 16;
  /** Mono samples in [-1, 1]. */
  samples: Float32Array;
}

const FORMAT_PCM = 1;
const FORMAT_EXTENSIBLE = 0xfffe;
const FORMAT_NAMES: Record<number, string> = { 1: 'PCM', 3: 'IEEE float', 6: 'A-law', 7: 'mu-law', 0xfffe: 'extensible' };

const fourcc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Parses a WAV file; anything but PCM 8/16-bit mono is a DataError naming what was found. */
export function parseWav(bytes: Uint8Array, file: string): WavAudio {
  const fn = 'parseWav';
  if (bytes.length === 0) throw new DataError(fn, file, 'is empty (0 bytes)');
  if (bytes.length < 12) throw new DataError(fn, file, `is truncated: the RIFF header needs 12 bytes, found ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourcc(bytes, 0) !== 'RIFF' || fourcc(bytes, 8) !== 'WAVE') {
    throw new DataError(fn, file, `is not a WAV file: expected 'RIFF' at offset 0 and 'WAVE' at offset 8, found ${JSON.stringify(fourcc(bytes, 0))} and ${JSON.stringify(fourcc(bytes, 8))}`);
  }
  let fmt: { format: number; channels: number; sampleRate: number; bits: number } | undefined;
  let data: { at: number; size: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = fourcc(bytes, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (body + size > bytes.length) {
      throw new DataError(fn, file, `is truncated: chunk '${id}' at offset ${at} declares ${size} bytes, only ${bytes.length - body} remain`);
    }
    if (id === 'fmt ') {
      if (size < 16) throw new DataError(fn, file, `has a 'fmt ' chunk of ${size} bytes at offset ${at}, expected at least 16`);
      let format = view.getUint16(body, true);
      const bits = view.getUint16(body + 14, true);
      if (format === FORMAT_EXTENSIBLE && size >= 40) {
        // WAVE_FORMAT_EXTENSIBLE: the real format is the first 2 bytes of the sub-format GUID.
        format = view.getUint16(body + 24, true);
      }
      fmt = { format, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bits };
    } else if (id === 'data') {
      data = { at: body, size };
      if (fmt !== undefined) break;
    }
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  if (fmt === undefined) throw new DataError(fn, file, "has no 'fmt ' chunk");
  if (data === undefined) throw new DataError(fn, file, "has no 'data' chunk");
  if (fmt.format !== FORMAT_PCM) {
    const name = FORMAT_NAMES[fmt.format] ?? 'unknown';
    throw new DataError(fn, file, `has unsupported encoding: format tag ${fmt.format} (${name}) with ${fmt.bits}-bit samples; supported: PCM (1) 8 or 16-bit mono`);
  }
  if (fmt.bits !== 8 && fmt.bits !== 16) {
    throw new DataError(fn, file, `has unsupported encoding: ${fmt.bits}-bit PCM; supported: 8 or 16-bit mono`);
  }
  if (fmt.channels !== 1) {
    throw new DataError(fn, file, `has unsupported encoding: ${fmt.channels} channels; supported: mono (1 channel)`);
  }
  const bytesPer = fmt.bits / 8;
  if (data.size % bytesPer !== 0) {
    throw new DataError(fn, file, `has a 'data' chunk of ${data.size} bytes at offset ${data.at - 8}, not a whole number of ${fmt.bits}-bit samples`);
  }
  const n = data.size / bytesPer;
  const samples = new Float32Array(n);
  if (fmt.bits === 16) {
    for (let i = 0; i < n; i++) samples[i] = view.getInt16(data.at + 2 * i, true) / 32768;
  } else {
    for (let i = 0; i < n; i++) samples[i] = (bytes[data.at + i]! - 128) / 128;
  }
  return { sampleRate: fmt.sampleRate, bitsPerSample: fmt.bits, samples };
}

/** Encodes mono samples in [-1, 1] as a 16-bit (or 8-bit) PCM WAV file (tests and exports). */
export function encodeWav(samples: Float32Array, sampleRate: number, bitsPerSample: 8 | 16 = 16): Uint8Array {
  const bytesPer = bitsPerSample / 8;
  const dataSize = samples.length * bytesPer;
  const out = new Uint8Array(44 + dataSize + (dataSize % 2));
  const view = new DataView(out.buffer);
  const put = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  view.setUint32(4, out.length - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, FORMAT_PCM, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * bytesPer, true);
  view.setUint16(32, bytesPer, true);
  view.setUint16(34, bitsPerSample, true);
  put(36, 'data');
  view.setUint32(40, dataSize, true);
  for (let i = 0; i < samples.length; i++) {
    const v = Math.max(-1, Math.min(1, samples[i]!));
    if (bitsPerSample === 16) view.setInt16(44 + 2 * i, Math.max(-32768, Math.min(32767, Math.round(v * 32768))), true);
    else out[44 + i] = Math.max(0, Math.min(255, Math.round(v * 128 + 128)));
  }
  return out;
}
