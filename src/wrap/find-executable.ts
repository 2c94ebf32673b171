import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The absolute path `name` resolves to on PATH (or itself when it is a path), if executable. */
export function findExecutable(name: string, pathVar: string | undefined, cwd = process.cwd()): string | undefined {
  const candidates = name.includes('/') ? [isAbsolute(name) ? name : join(cwd, name)] : (pathVar ?? '').split(delimiter).filter(Boolean).map((dir) => join(isAbsolute(dir) ? dir : join(cwd, dir), name));
  for (const file of candidates) {
    try {
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
