import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentOwner, ownerAlive } from '../../src/wrap/process-owner.js';
import { createSessionDir, sessionsDir, sweepDeadSessions } from '../../src/wrap/session-dir.js';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

function home(): NodeJS.ProcessEnv {
  const h = fs.mkdtempSync(join(os.tmpdir(), 'headroom-sessions-'));
  homes.push(h);
  return { HEADROOM_HOME: h };
}

/** A session folder as another headroom process left it, owned by `owner`. */
function leftBehind(env: NodeJS.ProcessEnv, name: string, owner: unknown): string {
  const dir = join(sessionsDir(env), name);
  fs.mkdirSync(join(dir, 'bin'), { recursive: true });
  if (owner !== undefined) fs.writeFileSync(join(dir, 'owner.json'), JSON.stringify(owner));
  return dir;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

describe('session folders', () => {
  it('record the headroom process that owns them', () => {
    const env = home();
    const d = createSessionDir(env, 'abc');
    expect(JSON.parse(fs.readFileSync(join(d.dir, 'owner.json'), 'utf8'))).toEqual(currentOwner());
    expect(fs.readdirSync(sessionsDir(env))).toEqual(['abc']);
    d.remove();
    expect(fs.readdirSync(sessionsDir(env))).toEqual([]);
  });

  it("are swept when their process is gone or its pid now belongs to another process, and kept while it runs", () => {
    const env = home();
    const me = currentOwner();
    const dead = leftBehind(env, 'dead', { pid: deadPid(), start: '12345' });
    const live = leftBehind(env, 'live', me);
    const reused = leftBehind(env, 'reused', { pid: me.pid, start: me.start === null ? null : String(Number(me.start) - 1) });
    const unowned = leftBehind(env, 'unowned', undefined);
    expect(sweepDeadSessions(env).sort()).toEqual(me.start === null ? ['dead'] : ['dead', 'reused']);
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(unowned)).toBe(true);
    // One without an owner record (made by a headroom before records) goes once it is a day old.
    expect(sweepDeadSessions(env, Date.now() + 25 * 3600_000)).toContain('unowned');
  });

  it('tell a running process from a gone one', () => {
    expect(ownerAlive(currentOwner())).toBe(true);
    expect(ownerAlive({ pid: deadPid(), start: null })).toBe(false);
  });
});
