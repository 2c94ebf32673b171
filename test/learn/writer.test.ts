import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Rule } from '../../src/learn/types.js';
import { applyWrite, learnBackupsDir, ManagedSectionError, planWrite, readTarget, WriteTargetError } from '../../src/learn/writer.js';

const START = '<!-- headroom:learn:start -->';
const END = '<!-- headroom:learn:end -->';
const HEADING = '## Lessons from past sessions (headroom learn)';

function rule(key: string, text: string, sessions = 2, lastSeen = '2026-11-20'): Rule {
  return { key, kind: 'fix', text, sessions, agents: ['claude'], wastedTokens: 100, lastSeen, evidence: [] };
}

const NPM = rule('fix:npm test->npm run check', 'Use `npm run check`, not `npm test`.', 3, '2026-11-20');
const BUILD = rule('correction:make-build', 'Build with `make build`, never `node build.js`.', 2, '2026-11-18');

/** The text between the two markers. */
function sectionBody(text: string): string {
  return text.slice(text.indexOf(START) + START.length, text.indexOf(END));
}

describe('planWrite: creating the section', () => {
  it('creates a new file holding only the section with the rules', () => {
    const plan = planWrite('/p/CLAUDE.md', undefined, [NPM, BUILD]);
    expect(plan.before).toBeUndefined();
    expect(plan.changed).toBe(true);
    expect(plan.sectionCreated).toBe(true);
    expect(plan.after.startsWith(`${HEADING}\n\n${START}\n`)).toBe(true);
    expect(plan.after.endsWith(`${END}\n`)).toBe(true);
    expect(plan.after).toContain('- Use `npm run check`, not `npm test`. <!-- headroom:rule key=fix:npm%20test-%3Enpm%20run%20check sessions=3 last=2026-11-20 -->\n');
    expect(plan.after).toContain('- Build with `make build`, never `node build.js`. <!-- headroom:rule key=correction:make-build sessions=2 last=2026-11-18 -->\n');
    expect(plan.added.map((r) => r.key)).toEqual([NPM.key, BUILD.key]);
    expect(plan.diff).toContain('--- /dev/null');
    expect(plan.diff).toContain('+- Use `npm run check`');
  });

  it('adds no empty section when there are no rules', () => {
    expect(planWrite('CLAUDE.md', '# T\n', [])).toMatchObject({ changed: false, after: '# T\n', sectionCreated: false, diff: '' });
    expect(planWrite('CLAUDE.md', undefined, [])).toMatchObject({ changed: false, sectionCreated: false });
  });

  it('writes into an empty file without a leading blank line', () => {
    const plan = planWrite('CLAUDE.md', '', [NPM]);
    expect(plan.after.startsWith(HEADING)).toBe(true);
  });

  it.each([
    ['ends with a newline', '# Project\n\nSome text.\n', '# Project\n\nSome text.\n\n'],
    ['ends with a blank line', '# Project\n\nSome text.\n\n', '# Project\n\nSome text.\n\n'],
    ['has no trailing newline', '# Project\n\nSome text.', '# Project\n\nSome text.\n\n'],
  ])('appends after a file that %s, one blank line before the heading', (_name, original, prefix) => {
    const plan = planWrite('AGENTS.md', original, [NPM]);
    expect(plan.after.startsWith(prefix + HEADING)).toBe(true);
    expect(plan.after.startsWith(original)).toBe(true);
  });

  it('keeps CRLF line endings for the whole appended section', () => {
    const original = '# Project\r\n\r\n- item\r\n';
    const plan = planWrite('GEMINI.md', original, [NPM, BUILD]);
    expect(plan.after.startsWith(original)).toBe(true);
    const added = plan.after.slice(original.length);
    expect(added.replaceAll('\r\n', '')).not.toContain('\n');
    expect(added.split('\r\n').length).toBeGreaterThan(5);
    expect(planWrite('GEMINI.md', plan.after, [NPM, BUILD]).changed).toBe(false);
  });

  it('leaves front matter as it is and appends at the end', () => {
    const original = '---\ntitle: Agents\ntags: [a, b]\n---\n\n# Rules\n';
    const plan = planWrite('AGENTS.md', original, [NPM]);
    expect(plan.after.startsWith(`${original}\n${HEADING}`)).toBe(true);
  });

  it('does not take markers quoted in a code fence or inline code for a section', () => {
    const original = ['# How headroom writes', '', '```md', START, '- old', END, '```', '', `Inline: \`${START}\` and \`${END}\`.`, ''].join('\n');
    const plan = planWrite('CLAUDE.md', original, [NPM]);
    expect(plan.sectionCreated).toBe(true);
    expect(plan.after.startsWith(original)).toBe(true);
    expect(planWrite('CLAUDE.md', plan.after, [NPM]).changed).toBe(false);
  });

  it('takes a marker written inside a sentence for text, not for a section', () => {
    const original = `Headroom keeps its rules after ${START} in this file.\n`;
    const plan = planWrite('CLAUDE.md', original, [NPM]);
    expect(plan.sectionCreated).toBe(true);
    expect(plan.after.startsWith(original)).toBe(true);
    expect(planWrite('CLAUDE.md', plan.after, [NPM]).changed).toBe(false);
  });

  it('refuses to append after a code fence left open, where the section would be swallowed', () => {
    expect(() => planWrite('CLAUDE.md', '# T\n\n```sh\nnpm test\n', [NPM])).toThrow(/ends inside an open block/);
  });
});

describe('planWrite: merging into an existing section', () => {
  const existing = [
    '# Project',
    '',
    HEADING,
    '',
    START,
    '- Always run `npm run check` before committing. <!-- headroom:rule key=fix:npm%20test-%3Enpm%20run%20check sessions=5 last=2026-11-01 -->',
    'A note the user wrote, no trailer.',
    '- Old lesson. <!-- headroom:rule key=fix:old sessions=4 last=2026-10-01 -->',
    END,
    '',
    '## After the section',
    '',
  ].join('\n');

  it('moves counts and dates of known rules, keeps the user wording, appends new keys before the end marker', () => {
    const plan = planWrite('CLAUDE.md', existing, [rule(NPM.key, NPM.text, 3, '2026-11-20'), BUILD]);
    expect(plan.after).toContain('- Always run `npm run check` before committing. <!-- headroom:rule key=fix:npm%20test-%3Enpm%20run%20check sessions=5 last=2026-11-20 -->');
    expect(plan.after).not.toContain(NPM.text);
    expect(plan.updated).toHaveLength(1);
    expect(plan.updated[0]).toMatchObject({ key: NPM.key, text: 'Always run `npm run check` before committing.', sessions: 5, lastSeen: '2026-11-20' });
    expect(plan.added.map((r) => r.key)).toEqual([BUILD.key]);
    expect(plan.unchanged).toBe(0);
    const lines = sectionBody(plan.after).split('\n');
    expect(lines[2]).toBe('A note the user wrote, no trailer.');
    expect(lines[3]).toBe('- Old lesson. <!-- headroom:rule key=fix:old sessions=4 last=2026-10-01 -->');
    expect(lines[4]).toMatch(/^- Build with `make build`.*key=correction:make-build sessions=2 last=2026-11-18 -->$/);
    expect(plan.after.slice(0, plan.after.indexOf(START))).toBe(existing.slice(0, existing.indexOf(START)));
    expect(plan.after.slice(plan.after.indexOf(END))).toBe(existing.slice(existing.indexOf(END)));
  });

  it('takes the larger session count and the newer date, never lowering either', () => {
    const plan = planWrite('CLAUDE.md', existing, [rule(NPM.key, NPM.text, 9, '2026-10-15')]);
    expect(plan.after).toContain('key=fix:npm%20test-%3Enpm%20run%20check sessions=9 last=2026-11-01 -->');
    const same = planWrite('CLAUDE.md', existing, [rule(NPM.key, NPM.text, 2, '2026-10-15')]);
    expect(same.changed).toBe(false);
    expect(same.unchanged).toBe(1);
    expect(same.diff).toBe('');
  });

  it('is idempotent: the same rules planned on the result change nothing', () => {
    const rules = [rule(NPM.key, NPM.text, 7, '2026-12-01'), BUILD, rule('loop:x', 'Stop retrying `x`.', 3, '2026-12-02')];
    const first = planWrite('CLAUDE.md', existing, rules);
    expect(first.changed).toBe(true);
    const second = planWrite('CLAUDE.md', first.after, rules);
    expect(second.changed).toBe(false);
    expect(second.after).toBe(first.after);
    expect(second.unchanged).toBe(3);
    expect(second.added).toEqual([]);
    expect(second.updated).toEqual([]);
  });

  it('merges a key given twice in one run into one item', () => {
    const plan = planWrite('CLAUDE.md', undefined, [rule('k', 'Text one.', 2, '2026-01-01'), rule('k', 'Text two.', 4, '2026-02-01')]);
    expect(plan.after.match(/headroom:rule/g)).toHaveLength(1);
    expect(plan.after).toContain('- Text one. <!-- headroom:rule key=k sessions=4 last=2026-02-01 -->');
  });

  it('keeps rule text on one line and stops it from opening a comment or a block', () => {
    const plan = planWrite('CLAUDE.md', undefined, [rule('a', 'Two\nlines  here.'), rule('b', '<!-- sneaky --> text'), rule('c', '```sh fence'), rule('d', '[x]: <y>'), rule('e', 'a <!b c')]);
    expect(plan.after).toContain('- Two lines here. <!--');
    expect(plan.after).toContain('- &lt;!-- sneaky --> text <!--');
    expect(plan.after).toContain('- \\```sh fence <!--');
    expect(plan.after).toContain('- \\[x]: <y> <!--');
    expect(plan.after).toContain('- a &lt;!b c <!--');
    expect(planWrite('CLAUDE.md', plan.after, ['a', 'b', 'c', 'd', 'e'].map((k) => rule(k, ''))).changed).toBe(false);
  });

  it('leaves a CRLF section in CRLF when adding rules', () => {
    const crlf = existing.replaceAll('\n', '\r\n');
    const plan = planWrite('CLAUDE.md', crlf, [BUILD]);
    expect(plan.after.replaceAll('\r\n', '')).not.toContain('\n');
    expect(plan.after).toContain(`sessions=2 last=2026-11-18 -->\r\n${END}`);
  });
});

describe('planWrite: a file that starts with a UTF-8 byte order mark', () => {
  const BOM = '\uFEFF';

  it('appends a section and keeps the mark, every other character as without it', () => {
    const original = '# Project\n\nSome text.\n';
    const plain = planWrite('CLAUDE.md', original, [NPM]);
    const plan = planWrite('CLAUDE.md', BOM + original, [NPM]);
    expect(plan.sectionCreated).toBe(true);
    expect(plan.after).toBe(BOM + plain.after);
  });

  it('merges into an existing section at the right places', () => {
    const first = planWrite('CLAUDE.md', '# Project\n', [NPM]).after;
    const later = { ...NPM, sessions: 5, lastSeen: '2026-11-25' };
    const plain = planWrite('CLAUDE.md', first, [later, BUILD]);
    const plan = planWrite('CLAUDE.md', BOM + first, [later, BUILD]);
    expect(plan.after).toBe(BOM + plain.after);
    expect(plan.updated.map((r) => r.text)).toEqual(plain.updated.map((r) => r.text));
    expect(planWrite('CLAUDE.md', plan.after, [later, BUILD]).changed).toBe(false);
  });

  it('writes into a file holding only the mark', () => {
    expect(planWrite('CLAUDE.md', BOM, [NPM]).after).toBe(BOM + planWrite('CLAUDE.md', '', [NPM]).after);
  });
});

describe('planWrite: refusing broken sections', () => {
  it.each([
    ['a start marker without an end', `# T\n\n${START}\n- a\n`, 3, /has no headroom:learn:end marker/],
    ['an end marker before the start', `# T\n\n${END}\n\n${START}\n`, 3, /end marker comes before any .*start marker/],
    ['an end marker alone', `# T\n\n${END}\n`, 3, /end marker comes before/],
    ['two start markers', `${START}\n\n${START}\n\n${END}\n`, 3, /second headroom:learn:start marker, while the one at line 1/],
    ['two sections', `${START}\n${END}\n\ntext\n\n${START}\n${END}\n`, 6, /second headroom:learn section starts here \(the first is at lines 1-2\)/],
    ['two end markers', `${START}\n${END}\n\n${END}\n`, 4, /second headroom:learn:end marker/],
    ['a marker inside a list item', `- item\n  ${START}\n\n${END}\n`, 2, /must stand alone/],
    ['a marker sharing a line with text', `${START} rules\n\n${END}\n`, 1, /must stand alone/],
  ])('refuses %s, naming the file and line', (_name, text, line, message) => {
    let error: unknown;
    try {
      planWrite('docs/CLAUDE.md', text, [NPM]);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ManagedSectionError);
    expect((error as ManagedSectionError).line).toBe(line);
    expect((error as Error).message).toMatch(new RegExp(`^docs/CLAUDE\\.md:${line}: `));
    expect((error as Error).message).toMatch(message);
  });
});

describe('applyWrite', () => {
  let dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs) {
      fs.chmodSync(d, 0o700);
      fs.rmSync(d, { recursive: true, force: true });
    }
    dirs = [];
  });
  function tempDir(): string {
    const d = fs.mkdtempSync(join(os.tmpdir(), 'headroom-writer-'));
    dirs.push(d);
    return d;
  }

  it('replaces the file atomically, keeps its mode and backs up the old bytes', async () => {
    const dir = tempDir();
    const file = join(dir, 'CLAUDE.md');
    const old = '# Project\r\n\r\nKeep this — ünïcode.\r\n';
    fs.writeFileSync(file, old);
    fs.chmodSync(file, 0o640);
    const backupDir = learnBackupsDir({ HEADROOM_HOME: join(dir, 'home') });
    const plan = planWrite(file, await readTarget(file), [NPM]);
    const { backup } = await applyWrite(plan, { backupDir });
    expect(fs.readFileSync(file, 'utf8')).toBe(plan.after);
    expect(fs.statSync(file).mode & 0o777).toBe(0o640);
    expect(backup).toBeDefined();
    expect(backup!.startsWith(join(dir, 'home', 'backups'))).toBe(true);
    expect(backup!.endsWith('-CLAUDE.md')).toBe(true);
    expect(fs.readFileSync(backup!).equals(Buffer.from(old))).toBe(true);
    expect(fs.statSync(backup!).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir).sort()).toEqual(['CLAUDE.md', 'home']);
    // A second run with the same rules has nothing to do and writes nothing.
    const again = planWrite(file, await readTarget(file), [NPM]);
    expect(again.changed).toBe(false);
    expect(await applyWrite(again, { backupDir })).toEqual({});
    expect(fs.readdirSync(backupDir)).toHaveLength(1);
  });

  it('creates a missing file, with no backup', async () => {
    const dir = tempDir();
    const file = join(dir, 'AGENTS.md');
    const plan = planWrite(file, await readTarget(file), [NPM]);
    expect(await applyWrite(plan, { backupDir: join(dir, 'backups') })).toEqual({});
    expect(fs.readFileSync(file, 'utf8')).toBe(plan.after);
    expect(fs.existsSync(join(dir, 'backups'))).toBe(false);
  });

  it('writes through a symlink to the file it points at', async () => {
    const dir = tempDir();
    fs.writeFileSync(join(dir, 'AGENTS.md'), '# Shared\n');
    fs.symlinkSync('AGENTS.md', join(dir, 'CLAUDE.md'));
    const link = join(dir, 'CLAUDE.md');
    await applyWrite(planWrite(link, await readTarget(link), [NPM]), { backupDir: join(dir, 'b') });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(join(dir, 'AGENTS.md'), 'utf8')).toContain('key=fix:npm%20test');
  });

  it('refuses when the file changed on disk since the plan, and writes nothing', async () => {
    const dir = tempDir();
    const file = join(dir, 'CLAUDE.md');
    fs.writeFileSync(file, '# One\n');
    const plan = planWrite(file, await readTarget(file), [NPM]);
    fs.writeFileSync(file, '# One, edited meanwhile\n');
    await expect(applyWrite(plan, { backupDir: join(dir, 'b') })).rejects.toMatchObject({ name: 'WriteTargetError', problem: 'changed-on-disk' });
    expect(fs.readFileSync(file, 'utf8')).toBe('# One, edited meanwhile\n');
    expect(fs.readdirSync(dir)).toEqual(['CLAUDE.md']);

    const created = planWrite(join(dir, 'NEW.md'), undefined, [NPM]);
    fs.writeFileSync(join(dir, 'NEW.md'), 'someone else\n');
    await expect(applyWrite(created, { backupDir: join(dir, 'b') })).rejects.toThrow(/NEW\.md was created since the rules were planned/);
  });

  it('refuses a read-only file (no write bit), even as root', async () => {
    const dir = tempDir();
    const file = join(dir, 'CLAUDE.md');
    fs.writeFileSync(file, '# Locked\n');
    fs.chmodSync(file, 0o444);
    const plan = planWrite(file, await readTarget(file), [NPM]);
    const err = await applyWrite(plan, { backupDir: join(dir, 'b') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WriteTargetError);
    expect(err).toMatchObject({ problem: 'read-only' });
    expect((err as Error).message).toContain(`cannot write ${file}: the file is read-only`);
    expect(fs.readFileSync(file, 'utf8')).toBe('# Locked\n');
  });

  // Root ignores directory permissions, so a read-only folder can only be tested as another user.
  it.skipIf(process.getuid?.() === 0)('refuses a file in a read-only folder', async () => {
    const dir = tempDir();
    const file = join(dir, 'CLAUDE.md');
    fs.writeFileSync(file, '# In a locked folder\n');
    fs.chmodSync(dir, 0o555);
    const plan = planWrite(file, await readTarget(file), [NPM]);
    await expect(applyWrite(plan, { backupDir: join(os.tmpdir(), 'unused') })).rejects.toMatchObject({ problem: 'read-only' });
  });

  it('refuses a target whose folder does not exist', async () => {
    const dir = tempDir();
    const file = join(dir, 'missing', 'CLAUDE.md');
    const plan = planWrite(file, await readTarget(file), [NPM]);
    await expect(applyWrite(plan, { backupDir: join(dir, 'b') })).rejects.toMatchObject({
      problem: 'missing-folder',
      message: `cannot write ${file}: the folder ${join(dir, 'missing')} does not exist`,
    });
  });

  it('writes a file that starts with a byte order mark back with the mark and nothing else changed', async () => {
    const dir = tempDir();
    const file = join(dir, 'CLAUDE.md');
    const text = '# Project\r\n\r\nKeep this — ünïcode.\r\n';
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]));
    const plan = planWrite(file, await readTarget(file), [NPM]);
    await applyWrite(plan, { backupDir: join(dir, 'b') });
    const expected = Buffer.from(planWrite('x', text, [NPM]).after);
    expect(fs.readFileSync(file)).toEqual(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), expected]));
  });

  it('refuses to read a file that is not UTF-8 text', async () => {
    const dir = tempDir();
    const file = join(dir, 'CLAUDE.md');
    fs.writeFileSync(file, Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]));
    await expect(readTarget(file)).rejects.toMatchObject({ problem: 'not-text' });
  });
});
