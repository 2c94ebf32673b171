// Faults and runs on fixtures/corpus-projects/javascript-router (mocha, node:test, eslint and
// crashes of the ESM replay script, some thrown inside ajv).
const app = 'src/app.js';
const pattern = 'src/pattern.js';
const query = 'src/query.js';
const compose = 'src/compose.js';
const store = 'src/store.js';
const service = 'src/service.js';
const replay = 'bin/replay.js';

const MOCHA = 'npx mocha';
const NODE_TEST = 'node --test test-node/';
const REPLAY = 'node bin/replay.js';

export const routerProject = {
  project: 'javascript-router',
  name: 'router',
  faults: [
    {
      name: 'method-fallback-inverted',
      description: '`findRoute` answers 405 for unknown paths and 404 for a known path with another method.',
      edits: [{ file: app, find: "return pathMatched ? 'method' : null;", replace: "return pathMatched ? null : 'method';" }],
      task: 'Clients get "method not allowed" for URLs that do not exist.',
      runs: [
        { tool: 'mocha', cmd: MOCHA, thought: 'Running the mocha specs.' },
        { tool: 'mocha', variant: 'service', cmd: `${MOCHA} test/service.spec.js`, thought: 'Only the service specs.' },
        { tool: 'node', cmd: REPLAY, thought: 'Replaying the recorded requests.' },
        { tool: 'node', variant: 'verbose', cmd: `${REPLAY} --verbose`, thought: 'Replaying verbosely to see every response.' },
      ],
    },
    {
      name: 'wildcard-name-dropped',
      description: 'An unnamed wildcard no longer defaults its parameter name.',
      edits: [{ file: pattern, find: "names.push(segment.slice(1) || 'rest');", replace: 'names.push(segment.slice(1));' }],
      task: 'Routes with a bare wildcard lose their captured path.',
      runs: [
        { tool: 'mocha', variant: 'pattern', cmd: `${MOCHA} test/pattern.spec.js`, thought: 'Running the pattern specs.' },
        { tool: 'mocha', variant: 'dot', cmd: `${MOCHA} --reporter dot`, thought: 'All specs with the dot reporter.' },
      ],
    },
    {
      name: 'plus-not-space',
      description: 'Query values keep `+` instead of turning it into a space.',
      edits: [{ file: query, find: "const value = decodeURIComponent(rawValue.replace(/\\+/g, ' '));", replace: 'const value = decodeURIComponent(rawValue);' }],
      task: 'Searching by author with a space in the name finds nothing.',
      runs: [
        { tool: 'mocha', cmd: MOCHA, thought: 'Running all specs.' },
        { tool: 'mocha', variant: 'grep', cmd: `${MOCHA} --grep query`, thought: 'Only the query specs.' },
      ],
    },
    {
      name: 'nested-query-reset',
      description: 'A nested query key resets the object on every occurrence.',
      edits: [{ file: query, find: "out[outer] = out[outer] && typeof out[outer] === 'object' && !Array.isArray(out[outer]) ? out[outer] : {};", replace: 'out[outer] = {};' }],
      task: 'Only the last filter in the query string is applied.',
      runs: [{ tool: 'mocha', variant: 'query', cmd: `${MOCHA} test/query.spec.js`, thought: 'Running the query parser specs.' }],
    },
    {
      name: 'next-id-from-count',
      description: 'New book ids are counted from the number of books instead of the largest id.',
      edits: [{ file: store, find: 'this.nextId = Math.max(0, ...books.map((b) => b.id)) + 1;', replace: 'this.nextId = books.length + 1;' }],
      task: 'Adding a book sometimes overwrites an existing one.',
      runs: [
        { tool: 'node-test', cmd: NODE_TEST, thought: 'Running the node:test suite.' },
        { tool: 'node-test', variant: 'spec', cmd: 'node --test --test-reporter=spec test-node/', thought: 'Again with the spec reporter.' },
        { tool: 'node-test', variant: 'store', cmd: 'node --test test-node/store.test.js', thought: 'Only the store tests.' },
      ],
    },
    {
      name: 'double-next-allowed',
      description: 'The guard against calling next() twice removed.',
      edits: [{ file: compose, find: "      if (i <= last) return Promise.reject(new Error('next() called more than once'));\n", replace: '' }],
      task: 'A buggy middleware ran the route handler twice and nothing complained.',
      runs: [
        { tool: 'node-test', cmd: NODE_TEST, thought: 'Running the node:test suite.' },
        { tool: 'node-test', variant: 'spec-compose', cmd: 'node --test --test-reporter=spec test-node/compose.test.js', thought: 'Compose tests with the spec reporter.' },
      ],
    },
    {
      name: 'params-not-decoded',
      description: 'Path parameters are no longer URL-decoded.',
      edits: [{ file: pattern, find: 'params[name] = decodeURIComponent(m[i + 1]);', replace: 'params[name] = m[i + 1];' }],
      task: 'Names with accents in URLs come through garbled.',
      runs: [
        { tool: 'node-test', cmd: NODE_TEST, thought: 'Running the node:test suite.' },
        { tool: 'node-test', variant: 'spec', cmd: 'node --test --test-reporter=spec test-node/', thought: 'Spec reporter run.' },
        { tool: 'mocha', cmd: MOCHA, thought: 'And the mocha specs.' },
      ],
    },
    {
      name: 'param-spans-slashes',
      description: 'A path parameter matches across slashes.',
      edits: [{ file: pattern, find: "        return '([^/]+)';", replace: "        return '(.+)';" }],
      task: 'Requests to nested URLs hit the wrong handler.',
      runs: [
        { tool: 'mocha', variant: 'pattern', cmd: `${MOCHA} test/pattern.spec.js`, thought: 'Running the pattern specs.' },
        { tool: 'mocha', cmd: MOCHA, thought: 'Running all specs.' },
      ],
    },
    {
      name: 'author-filter-crash',
      description: 'The list handler lowercases the author parameter even when it is absent.',
      edits: [{ file: service, find: 'ctx.body = store.list({ author: ctx.query.author, limit, offset });', replace: 'ctx.body = store.list({ author: ctx.query.author.toLowerCase(), limit, offset });' }],
      task: 'Listing books without a filter crashes the service.',
      runs: [
        { tool: 'node', cmd: REPLAY, thought: 'Replaying the recorded requests.' },
        { tool: 'mocha', variant: 'service', cmd: `${MOCHA} test/service.spec.js`, thought: 'Running the service specs.' },
      ],
    },
    {
      name: 'schema-keyword-typo',
      description: 'A misspelt keyword in the book schema (ajv strict mode rejects it).',
      edits: [{ file: service, find: "year: { type: 'integer', minimum: 1450, maximum: 2100 },", replace: "year: { type: 'integer', minimun: 1450, maximum: 2100 }," }],
      task: 'The service will not start after I tightened the book validation.',
      runs: [
        { tool: 'node', cmd: REPLAY, thought: 'Starting the replay, which loads the service.' },
        { tool: 'mocha', cmd: MOCHA, thought: 'Running the specs.' },
      ],
    },
    {
      name: 'schema-bad-type',
      description: 'The schema gives `int` as a JSON type.',
      edits: [{ file: service, find: "year: { type: 'integer', minimum: 1450, maximum: 2100 },", replace: "year: { type: 'int', minimum: 1450, maximum: 2100 }," }],
      task: 'Service start-up fails on the validation schema.',
      runs: [{ tool: 'node', cmd: REPLAY, thought: 'Running the replay.' }],
    },
    {
      name: 'middleware-not-awaited',
      description: 'The header middleware calls next() without awaiting it.',
      edits: [{ file: service, find: '    try {\n      await next();\n    } finally {', replace: '    try {\n      next();\n    } finally {' }],
      task: 'Since the header middleware change the replay reports wrong statuses for some requests.',
      runs: [{ tool: 'node', cmd: `${REPLAY} --verbose`, thought: 'Replaying verbosely.' }],
    },
    {
      name: 'truncated-recording',
      description: 'A recorded request line cut short.',
      edits: [{ file: 'fixtures/requests.jsonl', find: '{"method":"DELETE","url":"/books/3","expect":204}', replace: '{"method":"DELETE","url":"/books/3","exp' }],
      task: 'The replay fails to read the new recording.',
      runs: [{ tool: 'node', cmd: REPLAY, thought: 'Running the replay.' }],
    },
    {
      name: 'missing-named-export',
      description: 'service.js imports a name app.js does not export.',
      edits: [{ file: service, find: "import { createApp, HttpError } from './app.js';", replace: "import { createApp, HttpErr as HttpError } from './app.js';" }],
      task: 'The service does not load after an import edit.',
      runs: [
        { tool: 'node', cmd: REPLAY, thought: 'Running the replay.' },
        { tool: 'mocha', cmd: MOCHA, thought: 'Running the specs.' },
      ],
    },
    {
      name: 'missing-module-file',
      description: 'replay.js imports the store from a file that does not exist.',
      edits: [{ file: replay, find: "import { BookStore } from '../src/store.js';", replace: "import { BookStore } from '../src/books.js';" }],
      task: 'The replay script cannot start after I reorganised the sources.',
      runs: [{ tool: 'node', cmd: REPLAY, thought: 'Running it.' }],
    },
    {
      name: 'lint-sloppy-handlers',
      description: 'Loose equality, `var`, shadowed and unused names added to the sources.',
      edits: [
        { file: app, find: '      const [path, search = \'\'] = request.url.split(\'?\');', replace: '      var [path, search = \'\'] = request.url.split(\'?\');\n      const started = Date.now();' },
        { file: app, find: '    if (route.method === method) return { route, params };', replace: '    if (route.method == method) return { route, params };' },
        { file: query, find: '    const nested = /^([^[\\]]+)\\[([^[\\]]+)\\]$/.exec(key);', replace: '    let nested = /^([^[\\]]+)\\[([^[\\]]+)\\]$/.exec(key);' },
        { file: pattern, find: '  compiled.names.forEach((name, i) => {', replace: '  compiled.names.forEach((name, i) => {\n    const m = name;' },
        { file: store, find: '    if (author) books = books.filter((b) => b.author.toLowerCase() === author.toLowerCase());', replace: '    if (author != null) books = books.filter((books) => books.author.toLowerCase() === author.toLowerCase());' },
      ],
      task: 'The lint step fails after a batch of quick fixes.',
      runs: [
        { tool: 'eslint', cmd: 'npx eslint .', thought: 'Running ESLint.' },
      ],
    },
    {
      name: 'final-not-a-function',
      description: 'The app passes the route lookup to compose as an object instead of a function.',
      edits: [{ file: app, find: '        await run(ctx, async () => {', replace: '        await run(ctx, {\n          async handle() {' }, { file: app, find: '          await found.route.handler(ctx);\n        });', replace: '          await found.route.handler(ctx);\n        } });' }],
      task: 'Every request fails after I restructured how the app runs its routes.',
      runs: [{ tool: 'node', cmd: REPLAY, thought: 'Replaying the recorded requests.' }],
    },
    {
      name: 'deep-middleware-throw',
      description: 'A hundred pass-through middleware and a path-header middleware that reads a missing property.',
      edits: [{ file: service, find: '  app.route(\'GET\', \'/books\', (ctx) => {', replace: "  for (let i = 0; i < 100; i++) app.use((ctx, next) => next());\n  app.use((ctx, next) => {\n    ctx.headers['x-route'] = ctx.route.pattern;\n    return next();\n  });\n  app.route('GET', '/books', (ctx) => {" }],
      task: 'After adding the route header middleware the service crashes on every request.',
      runs: [
        { tool: 'node', cmd: REPLAY, thought: 'Replaying the requests.' },
        { tool: 'node', variant: 'debug', cmd: `${REPLAY} --debug`, thought: 'With --debug for the full stack.' },
        { tool: 'mocha', variant: 'bail', cmd: `${MOCHA} --bail`, thought: 'Running the specs, stopping at the first failure.' },
      ],
    },
    {
      name: 'author-filter-case-sensitive',
      description: 'The author filter compares without lowercasing.',
      edits: [{ file: store, find: 'books = books.filter((b) => b.author.toLowerCase() === author.toLowerCase());', replace: 'books = books.filter((b) => b.author === author);' }],
      task: 'Filtering books by author only works with the exact spelling.',
      runs: [
        { tool: 'node-test', cmd: NODE_TEST, thought: 'Running the node:test suite.' },
        { tool: 'node-test', variant: 'spec', cmd: 'node --test --test-reporter=spec test-node/', thought: 'Spec reporter run.' },
        { tool: 'mocha', variant: 'service', cmd: `${MOCHA} test/service.spec.js`, thought: 'And the service specs.' },
      ],
    },
    {
      name: 'compose-sync-throw-escapes',
      description: '`compose` no longer turns a synchronous throw into a rejection.',
      edits: [{ file: compose, find: '      try {\n        return Promise.resolve(fn(ctx, () => dispatch(i + 1)));\n      } catch (error) {\n        return Promise.reject(error);\n      }', replace: '      return Promise.resolve(fn(ctx, () => dispatch(i + 1)));' }],
      task: 'A middleware that throws takes the whole request pipeline down instead of failing the request.',
      runs: [
        { tool: 'node-test', cmd: NODE_TEST, thought: 'Running node:test.' },
        { tool: 'node-test', variant: 'compose', cmd: 'node --test test-node/compose.test.js', thought: 'Only the compose tests.' },
      ],
    },
  ],
};
