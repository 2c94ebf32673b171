import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { normaliseRemote, projectOf } from '../../src/memory/project.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const temp = () => {
  const d = fs.realpathSync(fs.mkdtempSync(join(os.tmpdir(), 'headroom-project-')));
  dirs.push(d);
  return d;
};

describe('project identity', () => {
  it('normalises the ways one repository is cloned to one id', () => {
    for (const url of [
      'git@github.com:Acme/Shop.git',
      'https://github.com/acme/shop',
      'https://user:token@github.com/acme/shop.git/',
      'ssh://git@github.com/acme/shop.git',
      'ssh://git@GitHub.com:22/acme/shop',
      'git://github.com/acme/shop.git',
    ]) {
      expect(normaliseRemote(url), url).toBe('github.com/acme/shop');
    }
    expect(normaliseRemote('/srv/git/shop.git')).toBe('/srv/git/shop');
    expect(normaliseRemote('git@gitlab.example.com:group/sub/repo.git')).toBe('gitlab.example.com/group/sub/repo');
  });

  it('is the remote of a checkout, from any folder in it; else the repository root; else the folder', async () => {
    const repo = temp();
    execFileSync('git', ['init', '-q', repo]);
    fs.mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
    expect(await projectOf(join(repo, 'src', 'deep'))).toBe(repo);
    execFileSync('git', ['-C', repo, 'remote', 'add', 'origin', 'git@github.com:acme/shop.git']);
    expect(await projectOf(join(repo, 'src', 'deep'))).toBe('github.com/acme/shop');
    const plain = temp();
    expect(await projectOf(plain)).toBe(plain);
  });
});
