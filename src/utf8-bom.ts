/**
 * The UTF-8 byte order mark some editors (Notepad, Visual Studio) put at the start of a file.
 * Node's decoders keep it as U+FEFF, where it breaks JSON.parse and shifts parser offsets, so
 * every reader of a user's file takes it off first; a writer that edits the file puts it back.
 */
const BOM = '\uFEFF';

/** The file's text split into its byte order mark ('' when it has none) and the rest. */
export function splitBom(text: string): { bom: string; body: string } {
  return text.startsWith(BOM) ? { bom: BOM, body: text.slice(1) } : { bom: '', body: text };
}

/** The text without a leading byte order mark. */
export function stripBom(text: string): string {
  return splitBom(text).body;
}
