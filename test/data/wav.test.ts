import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseWav, encodeWav } from '../../src/data/wav.js';
import { rejectsData } from './fixtures.js';

/** A WAV with a custom fmt (format tag, channels, bits) and optional extra chunks before data. */
function wav({ format = 1, channels = 1, bits = 16, rate = 8000, data = new Uint8Array([0, 0, 0, 0x40]), before = [] as Uint8Array[] } = {}): Uint8Array {
  const chunks: Uint8Array[] = [];
  const chunk = (id: string, body: Uint8Array): void => {
    const c = new Uint8Array(8 + body.length + (body.length % 2));
    for (let i = 0; i < 4; i++) c[i] = id.charCodeAt(i);
    new DataView(c.buffer).setUint32(4, body.length, true);
    c.set(body, 8);
    chunks.push(c);
  };
  const fmt = new Uint8Array(16);
  const v = new DataView(fmt.buffer);
  v.setUint16(0, format, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint16(14, bits, true);
  chunk('fmt ', fmt);
  for (const b of before) chunk('LIST', b);
  chunk('data', data);
  const total = chunks.reduce((a, c) => a + c.length, 0);
  const out = new Uint8Array(12 + total);
  out.set([82, 73, 70, 70], 0);
  new DataView(out.buffer).setUint32(4, 4 + total, true);
  out.set([87, 65, 86, 69], 8);
  let at = 12;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

test('parseWav: 16-bit PCM scaled by 1/32768', () => {
  const w = parseWav(wav(), 'a.wav');
  assert.equal(w.sampleRate, 8000);
  assert.deepEqual(Array.from(w.samples), [0, 0.5]);
});

test('parseWav: 8-bit PCM (v - 128) / 128; an odd-sized chunk is padded and skipped', () => {
  const w = parseWav(wav({ bits: 8, data: new Uint8Array([0, 128, 255]), before: [new Uint8Array([1, 2, 3])] }), 'b.wav');
  assert.deepEqual(Array.from(w.samples), [-1, 0, 127 / 128].map(Math.fround));
});

test('encodeWav round-trips through parseWav', () => {
  const s = Float32Array.from([0, 0.25, -0.5, 0.999]);
  const w = parseWav(encodeWav(s, 16000), 'r.wav');
  assert.equal(w.sampleRate, 16000);
  w.samples.forEach((v, i) => assert.ok(Math.abs(v - s[i]!) < 1 / 32768));
});

test('parseWav: unsupported encodings, truncated, not RIFF, empty', async () => {
  await rejectsData(() => parseWav(wav({ format: 3, bits: 32, data: new Uint8Array(8) }), 'f.wav'), /f\.wav/, /unsupported encoding: format tag 3 \(IEEE float\)/);
  await rejectsData(() => parseWav(wav({ bits: 24, data: new Uint8Array(6) }), 'p.wav'), /24-bit PCM/);
  await rejectsData(() => parseWav(wav({ channels: 2 }), 's.wav'), /2 channels; supported: mono/);
  const full = wav({ data: new Uint8Array(100) });
  await rejectsData(() => parseWav(full.subarray(0, 80), 't.wav'), /t\.wav/, /truncated: chunk 'data' at offset 36 declares 100 bytes, only 36 remain/);
  await rejectsData(() => parseWav(new TextEncoder().encode('RIFX....WAVEjunkjunk'), 'x.wav'), /not a WAV file/);
  await rejectsData(() => parseWav(new Uint8Array(0), 'e.wav'), /empty/);
});
