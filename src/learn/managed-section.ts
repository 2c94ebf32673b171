import type { Html, Nodes, Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { parseTrailer, type Trailer } from './managed-rules.js';
import { ManagedSectionError } from '../errors.js';

export const START_MARKER = '<!-- headroom:learn:start -->';
export const END_MARKER = '<!-- headroom:learn:end -->';

/** A span of the file's text: [from, to) string offsets and the 1-based line it starts on. */
interface Span {
  from: number;
  to: number;
  line: number;
}

/** A rule trailer found inside the managed section. */
export interface TrailerSpan extends Span {
  trailer: Trailer;
}

/** Where the managed section sits in a file: its two markers and the rule trailers between them. */
export interface ManagedSection {
  start: Span;
  end: Span;
  trailers: TrailerSpan[];
}

// Loose on spacing so a marker someone re-typed still counts; anything else around it does not.
const MARKER_RE = /<!--\s*headroom:learn:(start|end)\s*-->/;
const MARKER_ALONE_RE = /^<!--\s*headroom:learn:(?:start|end)\s*-->$/;

type Place = 'top' | 'nested' | 'inline';
const PHRASING_PARENTS = new Set(['paragraph', 'heading', 'tableCell']);

const parser = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml', 'toml']);

/**
 * Finds the managed section with the markdown parser, so markers quoted in code fences or inline
 * code are not taken for markers. Returns undefined when the file has none; throws
 * ManagedSectionError when the markers are broken (unclosed, out of order, doubled) or a marker
 * block shares its line with other content or sits in a list item or quote. A marker written
 * inline in a sentence is not a marker.
 */
export function findSection(file: string, text: string): ManagedSection | undefined {
  const tree = parser.parse(text) as Root;
  const markers: Array<Span & { kind: 'start' | 'end' }> = [];
  const trailers: TrailerSpan[] = [];
  for (const node of htmlNodes(tree, 'top')) {
    const span = spanOf(node.html);
    const marker = MARKER_RE.exec(node.html.value);
    // A marker inside a sentence is the user writing about it, not a section boundary.
    if (marker && node.place !== 'inline') {
      if (node.place !== 'top' || !MARKER_ALONE_RE.test(node.html.value.trim())) {
        throw new ManagedSectionError(file, span.line, `a headroom:learn marker must stand alone on its own line, outside lists, quotes and other blocks; fix it by hand, headroom will not guess`);
      }
      markers.push({ ...span, kind: marker[1] as 'start' | 'end' });
      continue;
    }
    const trailer = parseTrailer(node.html.value);
    if (trailer) trailers.push({ ...span, trailer });
  }
  const section = pairMarkers(file, markers);
  if (!section) return undefined;
  return { ...section, trailers: trailers.filter((t) => t.from >= section.start.to && t.to <= section.end.from) };
}

/** Checks the markers form exactly one start..end pair. */
function pairMarkers(file: string, markers: Array<Span & { kind: 'start' | 'end' }>): { start: Span; end: Span } | undefined {
  let start: Span | undefined;
  let end: Span | undefined;
  const refuse = (line: number, reason: string): never => {
    throw new ManagedSectionError(file, line, `${reason}; fix the markers by hand, headroom will not guess`);
  };
  for (const m of markers) {
    if (m.kind === 'start') {
      if (end) refuse(m.line, `a second headroom:learn section starts here (the first is at lines ${start!.line}-${end.line}); keep only one`);
      if (start) refuse(m.line, `a second headroom:learn:start marker, while the one at line ${start.line} is not closed`);
      start = m;
    } else {
      if (!start) refuse(m.line, 'a headroom:learn:end marker comes before any headroom:learn:start marker');
      if (end) refuse(m.line, `a second headroom:learn:end marker (the section already ended at line ${end.line})`);
      end = m;
    }
  }
  if (start && !end) refuse(start.line, 'the headroom:learn:start marker has no headroom:learn:end marker after it');
  return start && end ? { start, end } : undefined;
}

function spanOf(node: Html): Span {
  const pos = node.position!;
  return { from: pos.start.offset!, to: pos.end.offset!, line: pos.start.line };
}

/**
 * Every raw HTML node in document order, with where it sits: a direct child of the document, a
 * block nested in a list item or quote, or inline inside a paragraph, heading or table cell.
 */
function* htmlNodes(node: Nodes, place: Place): Generator<{ html: Html; place: Place }> {
  if (node.type === 'html') yield { html: node, place };
  if ('children' in node) {
    const inner: Place = node.type === 'root' ? 'top' : PHRASING_PARENTS.has(node.type) || place === 'inline' ? 'inline' : 'nested';
    for (const child of node.children) yield* htmlNodes(child, inner);
  }
}
