// Generates fixtures/corpora/listings: real `find` and `ls` outputs over real source trees on
// this machine (the JDK's sources, packages in node_modules, Python's standard library, Go's,
// the Linux headers), each one step of an agent looking for the file that holds what its task
// names. Usage: node scripts/corpus/listings.mjs
//
// The needle is the entry of one file of the listing (and, in `ls -R`, the header of its
// directory, without which a bare name is not a path). The file is picked by a hash of the
// case id among files whose name has two words or more; the task names it the way a task names
// code: a Java class as `ClassName`, a JavaScript function as `camelCase`, a Python, Go or C
// module in plain words ("the base events module"). The task never holds a path or a file name.
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, writeCase, writeIndex } from './lib.mjs';

const CORPUS = 'listings';
const JDK_ZIP = '/usr/lib/jvm/temurin-25-jdk-amd64/lib/src.zip';
const STAGE = '/tmp/headroom-corpus/listings';

/** Source trees: where, which language, the extension of its source files, the subfolders listed. */
function trees() {
  const jdk = join(STAGE, 'jdk');
  if (!existsSync(jdk)) {
    if (!existsSync(JDK_ZIP)) throw new Error(`${JDK_ZIP} is missing: install a JDK with its sources (temurin-25-jdk)`);
    mkdirSync(jdk, { recursive: true });
    execFileSync('unzip', ['-q', '-o', JDK_ZIP, 'java.base/java/util/*', 'java.base/java/nio/*', 'java.net.http/*', 'java.desktop/javax/swing/text/*', '-d', jdk]);
  }
  const nm = join(ROOT, 'node_modules');
  return [
    { name: 'jdk-util', language: 'java', ext: 'java', root: join(jdk, 'java.base/java/util'), style: 'pascal' },
    { name: 'jdk-nio', language: 'java', ext: 'java', root: join(jdk, 'java.base/java/nio'), style: 'pascal' },
    { name: 'jdk-http', language: 'java', ext: 'java', root: join(jdk, 'java.net.http'), style: 'pascal' },
    { name: 'jdk-swing-text', language: 'java', ext: 'java', root: join(jdk, 'java.desktop/javax/swing/text'), style: 'pascal' },
    { name: 'undici', language: 'javascript', ext: 'js', root: join(nm, 'undici/lib'), style: 'camel' },
    { name: 'ink', language: 'javascript', ext: 'js', root: join(nm, 'ink/build'), style: 'camel' },
    { name: 'ai-sdk', language: 'typescript', ext: 'ts', root: join(nm, 'ai/src'), style: 'camel' },
    { name: 'python-asyncio', language: 'python', ext: 'py', root: '/usr/lib/python3.11/asyncio', style: 'words' },
    { name: 'python-stdlib', language: 'python', ext: 'py', root: '/usr/lib/python3.11', style: 'words', maxDepth: 2 },
    { name: 'go-net', language: 'go', ext: 'go', root: '/usr/lib/go-1.19/src/net', style: 'words' },
    { name: 'go-go', language: 'go', ext: 'go', root: '/usr/lib/go-1.19/src/go', style: 'words' },
    { name: 'linux-headers', language: 'c', ext: 'h', root: '/usr/include/linux', style: 'words' },
  ];
}

/** The commands an agent runs to find a file, and the label of each. */
function commands(tree) {
  const depth = tree.maxDepth ? ['-maxdepth', String(tree.maxDepth)] : [];
  return [
    { kind: 'find', variant: 'find-name', argv: ['find', '.', ...depth, '-type', 'f', '-name', `*.${tree.ext}`], shown: `find .${tree.maxDepth ? ` -maxdepth ${tree.maxDepth}` : ''} -type f -name '*.${tree.ext}'` },
    { kind: 'find', variant: 'find-all', argv: ['find', tree.root, ...depth, '-type', 'f'], shown: `find ${tree.root}${tree.maxDepth ? ` -maxdepth ${tree.maxDepth}` : ''} -type f` },
    ...(tree.maxDepth ? [] : [{ kind: 'ls-recursive', argv: ['ls', '-R'], shown: 'ls -R' }]),
    { kind: 'ls-long', argv: ['ls', '-la', biggestFolder(tree.root)], shown: `ls -la ${biggestFolder(tree.root)}` },
  ];
}

/** The folder of the tree with the most entries (what `ls -la` of a busy package shows). */
function biggestFolder(root) {
  const out = execFileSync('find', [root, '-type', 'd'], { encoding: 'utf8' }).trim().split('\n');
  let best = root;
  let most = -1;
  for (const dir of out) {
    const n = execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
    if (n > most) (most = n), (best = dir);
  }
  return best;
}

const WORD_MIN = 3;
function nameWords(stem) {
  return stem
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length >= WORD_MIN && !/^\d+$/.test(w));
}

function nameAs(words, style) {
  const cap = (w) => w[0].toUpperCase() + w.slice(1).toLowerCase();
  if (style === 'pascal') return '`' + words.map(cap).join('') + '`';
  if (style === 'camel') return '`' + words[0].toLowerCase() + words.slice(1).map(cap).join('') + '`';
  return `the ${words.map((w) => w.toLowerCase()).join(' ')} code`;
}

const PROBLEMS = [
  'returns a wrong result when its input is empty',
  'throws on an argument it should accept',
  'leaks a handle when the call fails half way',
  'became slow on large inputs after the last release',
  'ignores the option the caller passed',
];

const THOUGHTS = [
  'Let me list the files to find where that is implemented.',
  'I need to know where this lives before I can read it. Listing the source tree.',
  'First, the layout of the sources.',
];

function hash(s) {
  return createHash('sha256').update(s).digest();
}

function run(argv, cwd) {
  const r = spawnSync(argv[0], argv.slice(1), { cwd, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.replace(/\n$/, '');
}

/** The lines of a listing that are files (with the header they sit under, for `ls -R`). */
function fileEntries(output, kind) {
  const lines = output.split('\n');
  const out = [];
  let header;
  for (const line of lines) {
    if (kind === 'ls-recursive' && /:$/.test(line)) {
      header = line;
      continue;
    }
    if (kind === 'ls-long') {
      const m = /^-\S+\s+\d+\s+\S+\s+\S+\s+\d+\s+\S+\s+\S+\s+\S+\s+(.+)$/.exec(line);
      if (m) out.push({ line, name: m[1] });
      continue;
    }
    const name = line.split('/').pop();
    if (name && /\.\w+$/.test(name)) out.push({ line, name, header });
  }
  return out;
}

/** How many entries of the listing share a name word with the target: too few, and the step is trivial. */
function candidates(entries) {
  return entries.filter((e) => {
    const stem = e.name.replace(/\.[^.]*$/, '');
    const words = nameWords(stem);
    return words.length >= 2 && words.length <= 4 && !/^(?:package|module)-info$/i.test(stem);
  });
}

rmSync(join(ROOT, 'fixtures/corpora', CORPUS), { recursive: true, force: true });
let made = 0;
for (const tree of trees()) {
  if (!existsSync(tree.root)) throw new Error(`${tree.root} is missing (npm ci, python3.11, golang-1.19 and linux-libc-dev provide the trees)`);
  for (const cmd of commands(tree)) {
    const output = run(cmd.argv, tree.root);
    const entries = fileEntries(output, cmd.kind);
    const pool = candidates(entries);
    const tokensApprox = output.length / 4;
    if (pool.length < 2 || tokensApprox < 1000) continue;
    const picks = tokensApprox > 6000 ? 3 : 2;
    for (let k = 0; k < picks; k++) {
      const id = `${tree.language}-${cmd.variant ?? cmd.kind}-${tree.name}-${k + 1}`;
      const h = hash(id);
      const target = pool[h.readUInt32BE(0) % pool.length];
      const words = nameWords(target.name.replace(/\.[^.]*$/, ''));
      const subject = nameAs(words, tree.style);
      const task = `${subject[0].toUpperCase()}${subject.slice(1)} ${PROBLEMS[h[4] % PROBLEMS.length]}. Find where it is implemented and fix it.`;
      const thought = THOUGHTS[h[5] % THOUGHTS.length];
      const needles = [{ text: target.line, why: 'the entry of the file the task is about' }];
      if (target.header) needles.push({ text: target.header, why: 'the folder that entry is listed under' });
      writeCase(CORPUS, {
        id,
        task,
        thought,
        command: cmd.shown,
        output,
        needles,
        kind: cmd.kind,
        language: tree.language,
        tool: cmd.argv[0],
        source: sourceMd(id, tree, cmd, target),
        extra: { tree: tree.name },
      });
      made++;
    }
  }
}
const summary = writeIndex(
  CORPUS,
  `
# The file-listing corpus

Real outputs of \`find\` and \`ls\` (\`ls -R\`, \`ls -la\`) over real source trees on the
machine that generated them: the JDK's sources (Temurin 25 \`src.zip\`), packages in this
project's node_modules (undici, ink, the AI SDK), Python 3.11's standard library, Go 1.19's, and
the Linux headers. Each case is one agent step: a task naming a class, function or module, the
agent listing files to find it, and the listing captured verbatim (\`LC_ALL=C\`).

The needle is the entry of the file the task is about (in \`ls -R\`, with the header of its
folder). The file is picked by a hash of the case id among the files whose name has two to four
words, and the task names it as code is named: a Java class as \`ClassName\`, a JavaScript or
TypeScript function as \`camelCase\`, a Python, Go or C module in plain words. The task never
holds a path or a file name; a listing can hold several files with the same words.

Limits: this corpus labels the file a task names, which is what a listing is read for, but its
tasks are written from the file's name by a template, so it measures whether a compressor finds
a named file among many, not how agents phrase tasks. The trajectory corpus (evaluation only)
has listings whose needles are the files real agents opened next.

Regenerate with \`node scripts/corpus/listings.mjs\` (it needs unzip, a Temurin 25 JDK with its
sources, python3.11, golang-1.19, linux-libc-dev and \`npm ci\`).
`,
);
console.log(`${made} cases written; ${summary.cases} cases, ${summary.needles} needles`, summary.byKind, summary.byLanguage);

function sourceMd(id, tree, cmd, target) {
  return `# ${id}

Real output of a real command, captured verbatim. Nothing in the output was edited.

- Tree: \`${tree.root}\` (${tree.name}, ${tree.language})
- Command, run in \`${tree.root}\`: \`${cmd.shown}\` with LC_ALL=C
- Target: \`${target.name}\`${target.header ? ` under \`${target.header}\`` : ''}, picked by a hash of the case id among files whose name has two to four words
- Generated: ${new Date().toISOString().slice(0, 10)} by \`node scripts/corpus/listings.mjs\`
`;
}
