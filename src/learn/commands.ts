/**
 * Shell commands as agents run them, reduced to the part a lesson is about. Agents wrap the same
 * command differently (Codex: `/bin/bash -lc '...'`; others: `cd X && ...`, `FOO=1 ...`), so the
 * miner keys lessons on a template: the program and its subcommand words, volatile parts generalised.
 */

/** The simple commands a command line runs, wrappers removed: `bash -lc 'cd x && npm test'` -> [`npm test`]. */
export function simpleCommands(command: string, depth = 0): string[] {
  const out: string[] = [];
  for (const segment of splitChain(command)) {
    const words = stripPrefixes(dropRedirections(tokenize(segment)));
    if (words.length === 0) continue;
    const inner = shellScript(words);
    if (inner !== undefined && depth < 3) {
      out.push(...simpleCommands(inner, depth + 1));
      continue;
    }
    if (programOf(words[0] ?? '') === 'cd') continue;
    out.push(words.map(quoteWord).join(' '));
  }
  return out;
}

/** The simple command a failure or success is about: the last one of the line that does real work. */
function mainCommand(command: string): string | undefined {
  const simple = simpleCommands(command).filter((c) => !TRIVIAL.has(programOf(tokenize(c)[0] ?? '')));
  return simple.at(-1) ?? simpleCommands(command).at(-1);
}

/**
 * The template of a simple command: the program's name, then up to two positional words (flags
 * dropped), each with temp paths, hashes and numbers generalised. `npm run check --silent` ->
 * `npm run check`; `/usr/bin/node build.js` -> `node build.js`; `python -m pytest -x` -> `python -m pytest`.
 */
export function commandTemplate(simple: string): string {
  const words = tokenize(simple);
  const program = programOf(words[0] ?? '');
  if (program === '') return '';
  const kept = [program];
  for (let i = 1; i < words.length && kept.length < 3; i++) {
    const word = words[i] as string;
    if (word === '-m' && /^python/.test(program) && words[i + 1] !== undefined) {
      kept.push('-m', generalise(words[i + 1] as string));
      i++;
      continue;
    }
    if (word.startsWith('-') || word === '--') continue;
    kept.push(generalise(word));
  }
  return kept.join(' ');
}

/** The template of a whole command line, or undefined when it runs nothing. */
export function commandKey(command: string): string | undefined {
  const main = mainCommand(command);
  const template = main === undefined ? '' : commandTemplate(main);
  return template === '' ? undefined : template;
}

/** A program's name without its directory: `/usr/local/bin/npm` -> `npm`. */
function programOf(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

/** Words of a template that say what it is for (test, build, ...), to pair `node build.js` with `make build`. */
export function purposeWords(template: string): Set<string> {
  const words = template.toLowerCase().split(/[^a-z]+/);
  return new Set(words.filter((w) => PURPOSES.has(w)).map((w) => PURPOSE_ALIASES[w] ?? w));
}

/**
 * Commands that look around (list, print, search) rather than do the project's work: their failures
 * are about a path that is not there, not about how the project wants to be built or tested.
 */
export function isProbe(template: string): boolean {
  return PROBES.has(template.split(' ')[0] ?? '');
}

const PURPOSES = new Set(['test', 'tests', 'build', 'check', 'lint', 'typecheck', 'tsc', 'format', 'fmt', 'compile', 'install', 'start', 'serve', 'dev', 'deploy', 'bench']);
const PURPOSE_ALIASES: Record<string, string> = { tests: 'test', fmt: 'format', tsc: 'typecheck' };
const PROBES = new Set(['ls', 'cat', 'head', 'tail', 'find', 'grep', 'rg', 'pwd', 'echo', 'which', 'stat', 'file', 'wc', 'tree', 'less', 'more', 'type', 'printf', 'sed', 'awk']);
/** Commands that only set up or report around the real one (`cd x && npm test; echo done`). */
const TRIVIAL = new Set(['cd', 'echo', 'true', 'printf', 'set', 'export', 'source', '.', 'pwd', 'clear']);
const SHELLS = new Set(['bash', 'sh', 'zsh', 'dash', 'fish', 'pwsh', 'powershell']);
/** Words that run the rest of the line as a command: `env A=1 npm test`, `time make`, `timeout 60 npm test`. */
const PREFIXES = new Set(['env', 'time', 'nohup', 'command', 'exec', 'sudo', 'nice', 'stdbuf']);

/** The script of `bash -lc 'script'` / `/bin/sh -c script`, or undefined when `words` is no shell wrapper. */
function shellScript(words: string[]): string | undefined {
  if (!SHELLS.has(programOf(words[0] ?? ''))) return undefined;
  for (let i = 1; i < words.length; i++) {
    const word = words[i] as string;
    if (/^-[a-z]*c[a-z]*$/i.test(word) || word === '-Command') return words[i + 1];
    if (!word.startsWith('-')) return undefined;
  }
  return undefined;
}

/** Drops env assignments and run-the-rest prefixes (with their own options) from the front. */
function stripPrefixes(words: string[]): string[] {
  let i = 0;
  while (i < words.length) {
    const word = words[i] as string;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(word)) i++;
    else if (programOf(word) === 'timeout') {
      i++;
      while (i < words.length && (words[i]?.startsWith('-') || /^\d+[smhd]?$/.test(words[i] ?? ''))) i++;
    } else if (PREFIXES.has(programOf(word))) {
      i++;
      while (i < words.length && words[i]?.startsWith('-')) i++;
    } else break;
  }
  return words.slice(i);
}

/** Drops `2>&1`, `> out.log`, `</dev/null` and the like. */
function dropRedirections(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (/^\d*[<>]+&?\d*$/.test(word)) {
      if (!/&\d$/.test(word)) i++;
      continue;
    }
    if (/^\d*[<>]+&?\S/.test(word)) continue;
    out.push(word);
  }
  return out;
}

/** Temp paths, hashes, numbers and quoted phrases (messages) become placeholders. */
function generalise(word: string): string {
  if (/\s/.test(word)) return '<str>';
  if (/^(\/tmp|\/var\/folders|\/private\/var|\/private\/tmp|\/dev\/shm)\//.test(word) || /headroom-[\w-]*tmp|\btmp[\w.-]{5,}/i.test(word)) return '<tmp>';
  if (/^[0-9a-f]{7,}$/i.test(word) && /\d/.test(word) && /[a-f]/i.test(word)) return '<hash>';
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(word)) return '<hash>';
  if (/^\d+([.:]\d+)*$/.test(word)) return '<n>';
  return word.replace(/\d{3,}/g, '<n>');
}

/** Splits a line at `&&`, `||`, `;`, newlines and pipes (keeping what each pipe starts with), outside quotes. */
function splitChain(line: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  let piped = false;
  const flush = (): void => {
    if (!piped && current.trim() !== '') parts.push(current.trim());
    current = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quote !== undefined) {
      if (ch === '\\' && quote === '"' && i + 1 < line.length) current += ch + line[++i];
      else {
        if (ch === quote) quote = undefined;
        current += ch;
      }
      continue;
    }
    if (ch === '\\' && i + 1 < line.length) {
      current += ch + line[++i];
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      current += ch;
    } else if ((ch === '&' && line[i + 1] === '&') || (ch === '|' && line[i + 1] === '|')) {
      flush();
      piped = false;
      i++;
    } else if (ch === ';' || ch === '\n') {
      flush();
      piped = false;
    } else if (ch === '|') {
      // The command before the pipe is the one whose success matters (`npm test | tail`).
      flush();
      piped = true;
    } else if (ch === '&' && line[i - 1] !== '>' && line[i + 1] !== '>' && !/\d/.test(line[i + 1] ?? '')) {
      flush();
      piped = false;
    } else current += ch;
  }
  flush();
  return parts;
}

/** Shell words with quotes removed: `bash -lc 'npm test'` -> [bash, -lc, npm test]. */
export function tokenize(segment: string): string[] {
  const words: string[] = [];
  let word = '';
  let started = false;
  let quote: string | undefined;
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && /["\\$`]/.test(segment[i + 1] ?? '')) word += segment[++i];
      else word += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < segment.length) {
      word += segment[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += ch;
      started = true;
    }
  }
  if (started) words.push(word);
  return words;
}

/** A word as a shell would need it written, so a simple command can be split again. */
function quoteWord(word: string): string {
  if (word !== '' && /^[\w@%+=:,./~-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
