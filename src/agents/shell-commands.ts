/**
 * The simple commands of a shell script, as word lists, for checking a command line against an
 * agent's command rules before headroom rewrites it. Deliberately strict: every place a command
 * can start (after `;`, `&`, `|`, a newline, a bracket or a keyword) starts a new one, redirections
 * and their targets are dropped, and anything this reader cannot follow for certain (command or
 * process substitution, here-documents, unclosed quotes) gives undefined, so the caller leaves the
 * command alone.
 */
export function simpleCommands(script: string): string[][] | undefined {
  const commands: string[][] = [];
  let words: string[] = [];
  let word: string | undefined;
  let skipTarget = false;
  const endWord = (): void => {
    if (word === undefined) return;
    if (skipTarget) skipTarget = false;
    else words.push(word);
    word = undefined;
  };
  const endCommand = (): void => {
    endWord();
    const cmd = dropKeywords(words);
    if (cmd.length > 0) commands.push(cmd);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const c = script[i]!;
    if (c === '`' || (c === '$' && script[i + 1] === '(')) return undefined;
    if (c === '\\') {
      if (i + 1 >= script.length) return undefined;
      if (script[i + 1] !== '\n') word = (word ?? '') + script[i + 1];
      i++;
    } else if (c === "'") {
      const end = script.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word = (word ?? '') + script.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      const r = doubleQuoted(script, i + 1);
      if (!r) return undefined;
      word = (word ?? '') + r.text;
      i = r.end;
    } else if (c === '#' && word === undefined) {
      while (i + 1 < script.length && script[i + 1] !== '\n') i++;
    } else if (c === '<' || c === '>') {
      const next = script[i + 1];
      if (c === '<' && next === '<') return undefined;
      if (next === '(') return undefined;
      // A file-descriptor number written against the operator (2>) belongs to the redirection.
      if (word !== undefined && /^\d+$/.test(word)) word = undefined;
      endWord();
      while (i + 1 < script.length && '>&|'.includes(script[i + 1]!)) i++;
      skipTarget = true;
    } else if (c === '&' && script[i + 1] === '>') {
      endWord();
      i++;
      while (i + 1 < script.length && script[i + 1] === '>') i++;
      skipTarget = true;
    } else if (';&|\n(){}'.includes(c)) {
      endCommand();
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
    } else {
      word = (word ?? '') + c;
    }
  }
  endCommand();
  return commands;
}

const KEYWORDS = new Set(['if', 'then', 'elif', 'else', 'fi', 'do', 'done', 'while', 'until', 'for', 'in', 'case', 'esac', '!', 'time', '{', '}']);

/** A command without the shell keywords in front of it (`then rm x` is `rm x`). */
function dropKeywords(words: string[]): string[] {
  let i = 0;
  while (i < words.length && KEYWORDS.has(words[i]!)) i++;
  return words.slice(i);
}

/** A double-quoted string from `start` (after the quote): its text and the index of the closing quote. */
function doubleQuoted(script: string, start: number): { text: string; end: number } | undefined {
  let text = '';
  for (let i = start; i < script.length; i++) {
    const c = script[i]!;
    if (c === '"') return { text, end: i };
    if (c === '`' || (c === '$' && script[i + 1] === '(')) return undefined;
    if (c === '\\' && i + 1 < script.length && '"\\$`\n'.includes(script[i + 1]!)) {
      if (script[i + 1] !== '\n') text += script[i + 1];
      i++;
    } else {
      text += c;
    }
  }
  return undefined;
}

/** The command's words with leading variable assignments (`FOO=1 make`) dropped. */
export function withoutAssignments(words: readonly string[]): string[] {
  let i = 0;
  while (i < words.length - 1 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  return words.slice(i);
}

/** Quotes one word for a POSIX shell. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
