// Faults and runs on fixtures/corpus-projects/python-markup (unittest with subtests, doctest,
// mypy, and crashes of `python3 -m markup`, deep recursion among them).
const inline = 'markup/inline.py';
const blocks = 'markup/blocks.py';
const render = 'markup/render.py';

const UT = 'python3 -m unittest';
const DOCTEST = 'python3 -m doctest';

const deepQuote = (depth) => `# Deep\n\n${'>'.repeat(depth)} nested too far\n`;

export const markup = {
  project: 'python-markup',
  name: 'markup',
  faults: [
    {
      name: 'slug-underscores',
      description: '`slug` joins words with underscores.',
      edits: [{ file: inline, find: 'return "-".join(words)', replace: 'return "_".join(words)' }],
      task: 'Heading anchors changed format and all our deep links broke.',
      runs: [
        { tool: 'doctest', cmd: `${DOCTEST} -v markup/inline.py`, thought: 'The anchor helper has doctests; running them verbosely.' },
        { tool: 'doctest', variant: 'render', cmd: `${DOCTEST} markup/render.py`, thought: 'The table of contents uses anchors too; running its doctests.' },
        { tool: 'doctest', variant: 'both-verbose', cmd: `${DOCTEST} -v markup/inline.py markup/render.py`, thought: 'Both modules with doctests, verbosely.' },
        { tool: 'pytest', variant: 'doctest-modules', cmd: 'python3 -m pytest --doctest-modules markup -v', thought: 'Running the docstring examples through pytest.' },
        { tool: 'unittest', variant: 'verbose', cmd: `${UT} -v`, thought: 'Verbose unit test run.' },
      ],
    },
    {
      name: 'unescaped-quotes',
      description: '`escape` no longer escapes quotes.',
      edits: [{ file: inline, find: 'return html.escape(text, quote=True)', replace: 'return html.escape(text, quote=False)' }],
      task: 'Link targets with quotes in them produce broken HTML.',
      runs: [
        { tool: 'doctest', cmd: `${DOCTEST} markup/inline.py`, thought: 'Running the inline module doctests.' },
        { tool: 'doctest', variant: 'verbose', cmd: `${DOCTEST} -v markup/inline.py`, thought: 'Verbose doctest run of the inline module.' },
        { tool: 'unittest', variant: 'inline', cmd: `${UT} tests.test_inline`, thought: 'Running the inline tests.' },
      ],
    },
    {
      name: 'emphasis-before-strong',
      description: 'The inline pattern tries `*em*` before `**strong**`.',
      edits: [{ file: inline, find: 'TOKEN = re.compile(r"`([^`]+)`|\\*\\*(.+?)\\*\\*|\\*(.+?)\\*|', replace: 'TOKEN = re.compile(r"`([^`]+)`|\\*(.+?)\\*|\\*\\*(.+?)\\*\\*|' }],
      task: 'Bold text renders as nested italics.',
      runs: [
        { tool: 'doctest', cmd: `${DOCTEST} -v markup/inline.py`, thought: 'Running the inline doctests verbosely.' },
        { tool: 'unittest', variant: 'verbose', cmd: `${UT} -v`, thought: 'Verbose unit test run.' },
        { tool: 'unittest', variant: 'inline-file', cmd: `${UT} tests/test_inline.py`, thought: 'Running the inline test file.' },
        { tool: 'doctest', variant: 'render', cmd: `${DOCTEST} markup/render.py markup/inline.py`, thought: 'Running the doctests of the renderer and the inline module.' },
        { tool: 'pytest', variant: 'doctest-modules', cmd: 'python3 -m pytest --doctest-modules markup', thought: 'Docstring examples through pytest.' },
      ],
    },
    {
      name: 'list-continuation-offset',
      description: 'List continuation lines lose one character too few of indentation.',
      edits: [{ file: blocks, find: '            items[-1].append(line[2:])', replace: '            items[-1].append(line[1:])' }],
      task: 'Nested lists are rendered flat.',
      runs: [
        { tool: 'unittest', variant: 'blocks-verbose', cmd: `${UT} tests.test_blocks -v`, thought: 'Running the block parser tests.' },
        { tool: 'unittest', cmd: UT, thought: 'Running all unit tests.' },
      ],
    },
    {
      name: 'quote-strips-two',
      description: 'Quote lines lose two characters instead of the marker and an optional space.',
      edits: [{ file: blocks, find: 'inner = [line[1:].removeprefix(" ") for line in lines]', replace: 'inner = [line[2:] for line in lines]' }],
      task: 'Deeply nested quotes lose their text.',
      runs: [
        { tool: 'unittest', variant: 'verbose', cmd: `${UT} -v`, thought: 'Verbose run of all unit tests.' },
        { tool: 'unittest', variant: 'blocks', cmd: `${UT} tests.test_blocks`, thought: 'Running the block tests.' },
      ],
    },
    {
      name: 'item-class',
      description: 'List items get a class attribute.',
      edits: [{ file: render, find: '            return f"<li>{render_inline(children[0].text)}</li>"', replace: '            return f\'<li class="item">{render_inline(children[0].text)}</li>\'' }],
      task: 'A designer asked for a class on list items; check the tests still pass.',
      runs: [{ tool: 'unittest', variant: 'render-verbose', cmd: `${UT} -v tests.test_render`, thought: 'Running the render tests.' }],
    },
    {
      name: 'toc-levels-shifted',
      description: 'The table of contents reports heading levels one lower.',
      edits: [{ file: render, find: 'return [(b.level, b.text, slug(b.text)) for b in parse(text)', replace: 'return [(b.level - 1, b.text, slug(b.text)) for b in parse(text)' }],
      task: 'The table of contents indentation is wrong.',
      runs: [
        { tool: 'doctest', cmd: `${DOCTEST} -v markup/render.py`, thought: 'The toc function has a doctest; running it.' },
        { tool: 'unittest', cmd: UT, thought: 'Running the unit tests.' },
      ],
    },
    {
      name: 'deep-quote-document',
      description: 'A document whose quotes nest 400 levels deep.',
      write: { 'docs/deep.md': deepQuote(400) },
      task: 'Rendering a user-submitted document crashes the converter.',
      runs: [{ tool: 'python', cmd: 'python3 -m markup docs/deep.md', thought: 'Rendering the submitted document.' }],
    },
    {
      name: 'strong-recurses-on-itself',
      description: 'Strong text is rendered by calling `render_inline` on the whole text again.',
      edits: [{ file: inline, find: 'out.append(f"<strong>{render_inline(strong)}</strong>")', replace: 'out.append(f"<strong>{render_inline(text)}</strong>")' }],
      task: 'The converter dies on the guide since bold text support was reworked.',
      runs: [
        { tool: 'python', cmd: 'python3 -m markup docs/guide.md', thought: 'Rendering the guide.' },
        { tool: 'unittest', variant: 'inline', cmd: `${UT} tests.test_inline`, thought: 'Running the inline tests.' },
      ],
    },
    {
      name: 'table-block',
      description: 'The parser emits a `table` block for lines starting with `|`, which the renderer does not know.',
      edits: [{ file: blocks, find: '        elif line.startswith(">"):\n            end = i', replace: '        elif line.startswith("|"):\n            blocks.append(Block("table", line))\n            i += 1\n        elif line.startswith(">"):\n            end = i' }],
      write: { 'docs/tables.md': '# Tables\n\n> A quote\n>\n> > holding a table:\n> >\n> > | a | b |\n' },
      task: 'Documents with tables in quoted lists crash the converter.',
      runs: [{ tool: 'python', cmd: 'python3 -m markup docs/guide.md docs/tables.md', thought: 'Rendering the guide and the tables example.' }],
    },
    {
      name: 'latin1-file',
      description: 'A document saved in Latin-1.',
      write: { 'docs/legacy.md': Buffer.from('# R\xe9sum\xe9\n\nCaf\xe9 notes.\n', 'latin1') },
      task: 'One old document cannot be converted.',
      runs: [{ tool: 'python', cmd: 'python3 -m markup docs/changelog.md docs/legacy.md', thought: 'Converting the changelog and the old document together.' }],
    },
    {
      name: 'heading-pattern-no-space',
      description: 'The heading pattern requires two spaces, and the parser trusts `match` after `startswith`.',
      edits: [
        { file: blocks, find: 'HEADING = re.compile(r"^(#{1,6})\\s+(.*)$")', replace: 'HEADING = re.compile(r"^(#{1,6})\\s\\s+(.*)$")' },
        { file: blocks, find: '        elif match := HEADING.match(line):\n', replace: '        elif line.startswith("#"):\n            match = HEADING.match(line)\n' },
      ],
      task: 'The converter crashes on every document with headings.',
      runs: [
        { tool: 'python', cmd: 'python3 -m markup docs/guide.md', thought: 'Rendering the guide.' },
        { tool: 'unittest', variant: 'verbose', cmd: `${UT} -v`, thought: 'Verbose unit test run.' },
      ],
    },
    {
      name: 'children-optional',
      description: '`Block.children` made optional.',
      edits: [{ file: blocks, find: '    children: list[Block] = field(default_factory=list)', replace: '    children: list[Block] | None = None' }],
      task: 'The type check of the markup package fails after a change to blocks.',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'Running mypy.' },
        { tool: 'mypy', variant: 'pretty', cmd: 'mypy --pretty markup', thought: 'mypy with code excerpts.' },
        { tool: 'mypy', variant: 'strict-with-tests', cmd: 'mypy --strict markup tests', thought: 'Strict check of the package and its tests.' },
      ],
    },
    {
      name: 'render-may-return-none',
      description: '`render_block` annotated to return an optional string.',
      edits: [{ file: render, find: 'def render_block(block: Block) -> str:', replace: 'def render_block(block: Block) -> str | None:' }],
      task: 'Type errors in the renderer.',
      runs: [
        { tool: 'mypy', cmd: 'mypy markup/render.py', thought: 'Type checking the renderer.' },
        { tool: 'mypy', variant: 'strict-with-tests', cmd: 'mypy --strict markup tests', thought: 'Strict check including the tests.' },
      ],
    },
  ],
};
