import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readTarIndex, writeTar } from './tar.ts';

const tmp = mkdtempSync(join(tmpdir(), 'heimdall-tar-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

let hasTar = true;
try {
  execFileSync('tar', ['--version'], { stdio: 'ignore' });
} catch {
  hasTar = false;
}
const noTar = hasTar ? false : 'the system tar command is not installed';

const LONG_DIR = `${'d'.repeat(70)}/${'e'.repeat(70)}`; // 141 bytes: needs ustar's prefix field
const LONG_FILE = `${'f'.repeat(120)}.sigmf-data`; // longer than any ustar field: pax or GNU long name

function content(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

test(
  'lists members written by GNU tar in pax, ustar and gnu formats with full names and in-place offsets',
  { skip: noTar },
  () => {
    const src = join(tmp, 'src');
    mkdirSync(join(src, LONG_DIR), { recursive: true });
    const files: Record<string, Uint8Array> = {
      [`${LONG_DIR}/short.bin`]: content(1000, 1),
      [`${LONG_DIR}/empty.bin`]: new Uint8Array(0),
      'top.sigmf-meta': content(512, 2),
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(src, name), bytes);
    for (const format of ['pax', 'ustar', 'gnu'] as const) {
      const archive = join(tmp, `${format}.tar`);
      const names = Object.keys(files);
      execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', src, ...names]);
      const listed = readTarIndex(archive);
      const raw = readFileSync(archive);
      for (const name of names) {
        const m = listed.find((x) => x.name === name);
        assert.ok(m, `${format}: ${name} listed (got ${listed.map((x) => x.name).join(', ')})`);
        assert.equal(m.type, 'file');
        assert.deepEqual(
          new Uint8Array(raw.subarray(m.dataOffset, m.dataOffset + m.size)),
          files[name],
          `${format}: ${name}`,
        );
      }
    }
    if (hasTar) {
      writeFileSync(join(src, LONG_FILE), content(3000, 3));
      const archive = join(tmp, 'longfile.tar');
      for (const format of ['pax', 'gnu'] as const) {
        execFileSync('tar', [`--format=${format}`, '-cf', archive, '-C', src, LONG_FILE]);
        const [m] = readTarIndex(archive);
        assert.equal(m?.name, LONG_FILE, format);
        assert.equal(m?.size, 3000);
      }
    }
  },
);

test('archives we write are read back by GNU tar byte for byte, long names included', { skip: noTar }, () => {
  const big = join(tmp, 'big.bin');
  writeFileSync(big, content(3 << 20, 7)); // streamed in 1 MB pieces
  const archive = join(tmp, 'ours.tar');
  const longName = `${LONG_DIR}/${LONG_FILE}`;
  writeTar(archive, [
    { name: 'rec/', data: 'directory' },
    { name: 'rec/rec.sigmf-meta', data: content(777, 5) },
    { name: 'rec/rec.sigmf-data', data: { file: big } },
    { name: longName, data: content(10, 9) },
  ]);
  const listing = execFileSync('tar', ['-tf', archive], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listing, ['rec/', 'rec/rec.sigmf-meta', 'rec/rec.sigmf-data', longName]);
  const out = join(tmp, 'out');
  mkdirSync(out);
  execFileSync('tar', ['-xf', archive, '-C', out]);
  assert.deepEqual(
    new Uint8Array(readFileSync(join(out, 'rec/rec.sigmf-data'))),
    new Uint8Array(readFileSync(big)),
  );
  assert.deepEqual(new Uint8Array(readFileSync(join(out, longName))), content(10, 9));
  assert.deepEqual(
    readTarIndex(archive).map((m) => [m.name, m.type, m.size]),
    [
      ['rec', 'directory', 0],
      ['rec/rec.sigmf-meta', 'file', 777],
      ['rec/rec.sigmf-data', 'file', 3 << 20],
      [longName, 'file', 10],
    ],
  );
});

test('GNU base-256 size fields (used for members over 8 GiB) are read', () => {
  const archive = join(tmp, 'b256.tar');
  writeTar(archive, [{ name: 'rec/rec.sigmf-data', data: content(1234, 4) }]);
  const bytes = readFileSync(archive);
  bytes.fill(0, 124, 136);
  bytes[124] = 0x80;
  bytes[134] = 1234 >> 8;
  bytes[135] = 1234 & 0xff;
  let sum = 0;
  for (let k = 0; k < 512; k++) sum += k >= 148 && k < 156 ? 32 : (bytes[k] as number);
  bytes.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  writeFileSync(archive, bytes);
  assert.deepEqual(
    readTarIndex(archive).map((m) => [m.name, m.size, m.dataOffset]),
    [['rec/rec.sigmf-data', 1234, 512]],
  );
});
