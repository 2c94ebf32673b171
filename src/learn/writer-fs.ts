import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import * as fs from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { headroomHome } from '../config.js';
import type { WritePlan } from './writer.js';
import { WriteTargetError } from '../errors.js';

/** Where `learn --apply` keeps the instruction files it replaced: HEADROOM_HOME/backups. */
export function learnBackupsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(headroomHome(env), 'backups');
}

/** An instruction file's text, or undefined when it does not exist. Refuses bytes that are not UTF-8. */
export async function readTarget(path: string): Promise<string | undefined> {
  const bytes = await readBytes(path, path);
  return bytes === undefined ? undefined : decodeText(path, bytes);
}

export interface ApplyOptions {
  /** Folder for the copy of the file as it was (created 0700 when missing). */
  backupDir: string;
}

/**
 * Carries out a plan: writes `plan.after` to a temp file beside the target and renames it into
 * place, so readers see the old file or the new one, never half of one. The file keeps its mode
 * (and, when run as root, its owner); a symlinked target is written through to the file it points
 * at. The old bytes are copied to `backupDir/<timestamp>-<name>` before the rename.
 *
 * Refuses with WriteTargetError, changing nothing, when the file changed on disk since the plan
 * was made, the file or its folder is read-only, or its folder does not exist.
 */
export async function applyWrite(plan: WritePlan, options: ApplyOptions): Promise<{ backup?: string }> {
  if (!plan.changed) return {};
  const target = await resolveTarget(plan.path);
  const dir = dirname(target);
  await checkFolder(plan.path, dir);
  const current = await readBytes(plan.path, target);
  checkUnchanged(plan, current);
  const stat = current === undefined ? undefined : await fs.stat(target);
  if (stat) await checkWritable(plan.path, target, stat.mode);

  const tmp = join(dir, `.${basename(target)}.headroom-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeTemp(plan.path, tmp, plan.after, stat);
    const backup = current === undefined ? undefined : await writeBackup(options.backupDir, basename(plan.path), current);
    checkUnchanged(plan, await readBytes(plan.path, target));
    await fs.rename(tmp, target).catch((err: unknown) => {
      throw writeError(plan.path, dir, err);
    });
    return backup === undefined ? {} : { backup };
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function resolveTarget(path: string): Promise<string> {
  try {
    return await fs.realpath(path);
  } catch {
    return path;
  }
}

async function checkFolder(path: string, dir: string): Promise<void> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) throw new WriteTargetError(path, 'missing-folder', `cannot write ${path}: the folder ${dir} does not exist`);
}

/** A file with no write bit is one its owner protected: respected even by root, who could rename over it. */
async function checkWritable(path: string, target: string, mode: number): Promise<void> {
  const readOnly = (mode & 0o222) === 0 || (await fs.access(target, constants.W_OK).then(() => false, () => true));
  if (readOnly) throw new WriteTargetError(path, 'read-only', `cannot write ${path}: the file is read-only (mode ${(mode & 0o777).toString(8)}); make it writable to let headroom update it`);
}

function checkUnchanged(plan: WritePlan, current: Buffer | undefined): void {
  const expected = plan.before === undefined ? undefined : Buffer.from(plan.before, 'utf8');
  if (expected === undefined && current === undefined) return;
  if (expected && current && expected.equals(current)) return;
  if (current && current.toString('utf8') === plan.before) decodeText(plan.path, current); // same text, bytes that are not UTF-8
  const what = current === undefined ? 'was deleted' : expected === undefined ? 'was created' : 'changed';
  throw new WriteTargetError(plan.path, 'changed-on-disk', `${plan.path} ${what} since the rules were planned; run headroom learn again to plan against the current file`);
}

async function writeTemp(path: string, tmp: string, text: string, stat: { mode: number; uid: number; gid: number } | undefined): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(tmp, 'wx', stat ? stat.mode & 0o7777 : 0o666);
    await handle.writeFile(text, 'utf8');
    if (stat) {
      await handle.chmod(stat.mode & 0o7777); // the umask narrowed the mode open() got
      if (process.getuid?.() === 0) await handle.chown(stat.uid, stat.gid);
    }
    await handle.sync();
  } catch (err) {
    throw writeError(path, dirname(tmp), err);
  } finally {
    await handle?.close();
  }
}

async function writeBackup(backupDir: string, name: string, bytes: Buffer): Promise<string> {
  await fs.mkdir(backupDir, { recursive: true, mode: 0o700 });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  for (let n = 1; ; n++) {
    const file = join(backupDir, `${stamp}${n > 1 ? `-${n}` : ''}-${name}`);
    try {
      await fs.writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
      return file;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}

async function readBytes(path: string, file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteTargetError(path, 'io', `cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

function decodeText(path: string, bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new WriteTargetError(path, 'not-text', `${path} is not UTF-8 text; headroom will not rewrite it`);
  return text;
}

function writeError(path: string, dir: string, err: unknown): WriteTargetError {
  if (err instanceof WriteTargetError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new WriteTargetError(path, 'read-only', `cannot write ${path}: its folder ${dir} is read-only (${code})`, { cause: err });
  }
  return new WriteTargetError(path, 'io', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
}
