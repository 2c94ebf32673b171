import { FileCcrStore, KEY_RE } from '../compress/ccr-store.js';
import { matchingParts } from '../compress/retrieve.js';
import { CliError, EXIT } from './exit-codes.js';

/** `headroom retrieve KEY [--query Q]`: the original behind a marker, or its matching parts. */
export function retrieveCommand(key: string, opts: { query?: string }): string {
  if (!KEY_RE.test(key)) throw new CliError(`"${key}" is not a retrieval key (16 lowercase hex characters, as in a marker's key=...)`);
  const store = new FileCcrStore();
  const original = store.get(key);
  if (original === undefined) {
    throw new CliError(`no original stored under ${key} in ${store.dir} (unknown, or expired after its time to live)`, EXIT.failed);
  }
  return opts.query ? matchingParts(original, opts.query, key) : original;
}
