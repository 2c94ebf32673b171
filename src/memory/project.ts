import { userInfo } from 'node:os';
import { resolve } from 'node:path';

/**
 * Which project a directory belongs to: its git remote (normalised, so an SSH and an HTTPS
 * clone of one repository are one project), else its repository root, else the directory.
 */
export async function projectOf(cwd: string): Promise<string> {
  const dir = resolve(cwd);
  try {
    // Loaded here: modules that only take the memory hooks (wrap, the proxy) start without it.
    const { simpleGit } = await import('simple-git');
    const git = simpleGit({ baseDir: dir, timeout: { block: 5_000 } });
    if (!(await git.checkIsRepo())) return dir;
    const remotes = await git.getRemotes(true);
    const remote = remotes.find((r) => r.name === 'origin') ?? remotes[0];
    const url = remote?.refs.fetch || remote?.refs.push;
    if (url) return normaliseRemote(url);
    return (await git.revparse(['--show-toplevel'])).trim();
  } catch {
    // No git, or not a directory git can read: the directory itself.
    return dir;
  }
}

/**
 * `git@github.com:Org/Repo.git`, `https://user@github.com/org/repo`, `ssh://git@github.com/org/repo.git/`
 * all become `github.com/org/repo`. Local paths stay paths.
 */
export function normaliseRemote(url: string): string {
  let u = url.trim();
  const scp = /^(?:[^@/]+@)?([^:/]+):(?!\/)(.+)$/.exec(u);
  if (scp && !/^[a-z]+:\/\//i.test(u)) u = `${scp[1]}/${scp[2]}`;
  else u = u.replace(/^[a-z+]+:\/\//i, '').replace(/^[^@/]+@/, '');
  if (u.startsWith('/')) return u.replace(/\/+$/, '').replace(/\.git$/, '');
  u = u.replace(/\/+$/, '').replace(/\.git$/, '');
  const slash = u.indexOf('/');
  const host = (slash < 0 ? u : u.slice(0, slash)).replace(/:\d+$/, '').toLowerCase();
  return slash < 0 ? host : `${host}${u.slice(slash).toLowerCase()}`;
}

/** The OS user memories belong to (HEADROOM_USER overrides, for tests and shared accounts). */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HEADROOM_USER) return env.HEADROOM_USER;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.LOGNAME ?? 'unknown';
  }
}
