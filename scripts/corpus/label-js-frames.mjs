// V8 stack frames as Node, jest, vitest, mocha and node:test print them.

/** A stack frame line: `    at fn (/path/file.js:3:5)`, `at file:///path/file.js:3:5`, `❯ fn src/a.ts:3:5`. */
export const FRAME = /^\s*(at |❯ )/;

/** The path of a frame line, or null. */
export function framePath(line) {
  // a frame can end with `,` (inside an array) or ` {` (before the error's own properties)
  const m = /\(([^()]+):\d+:\d+\)\s*(,| \{)?$/.exec(line) ?? /(?:at |❯ )(?:.* )?((?:file:\/\/)?[^\s()]+):\d+:\d+(,| \{)?$/.exec(line.trim());
  return m ? m[1].replace(/^file:\/\//, '') : null;
}

/** A frame in the project's own files: not node_modules, not Node's internals. */
export function isOwnFrame(line, root) {
  const path = framePath(line);
  if (!path || path.includes('/node_modules/') || path.startsWith('node:') || !/[/\\.]/.test(path)) return false;
  return root ? path.startsWith(root + '/') || !path.startsWith('/') : true;
}

/** A test file, by the usual names. */
export const isTestPath = (line) => /(\.|_)(test|spec)\.[cm]?[jt]sx?:|__tests__\/|\/test(-node)?\//.test(framePath(line) ?? '');
