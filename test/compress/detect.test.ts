import { describe, expect, it } from 'vitest';
import { detectKind } from '../../src/compress/detect.js';
import { toolOutputs } from './fixtures.js';

/** [workload, tool_result_index, expected kind, what the output is]. */
const WORKLOAD_CASES: Array<[string, number, string, string]> = [
  ['p01', 0, 'search', 'ripgrep results'],
  ['p02', 0, 'log', 'PostgreSQL server log'],
  ['p03', 0, 'log', 'nginx error log'],
  ['p03', 1, 'log', 'nginx access log'],
  ['p04', 0, 'json', 'GitHub issues API'],
  ['p05', 0, 'listing', '`find` file listing'],
  ['p05', 1, 'code', 'cat -n of index.js'],
  ['p05', 2, 'code', 'cat -n of lib/application.js'],
  ['p05', 3, 'code', 'cat -n of the router'],
  ['p06', 0, 'test', 'mocha test output'],
  ['p07', 0, 'build', 'tsc errors'],
  ['p08', 0, 'diff', 'git log --stat'],
  ['p09', 0, 'diff', 'git show'],
  ['p10', 0, 'json', 'GitHub repos API'],
  ['p11', 0, 'test', 'TAP test output'],
  ['p11', 1, 'search', 'rg results'],
  ['p11', 2, 'code', 'cat -n source'],
  ['p11', 3, 'diff', 'git log -p'],
  ['p12', 0, 'log', 'application log'],
  ['p12', 3, 'log', 'redis server log'],
  ['p13', 0, 'json', 'npm ls --all --json'],
];

describe('detectKind on real tool outputs', () => {
  it.each(WORKLOAD_CASES)('%s[%i] is %s (%s)', (id, index, kind) => {
    const output = toolOutputs(id)[index];
    expect(output, `${id} has a tool output ${index}`).toBeTypeOf('string');
    expect(detectKind(output!).kind).toBe(kind);
  });

  it('names the language of the p05 source reads', () => {
    for (const i of [1, 2, 3]) expect(detectKind(toolOutputs('p05')[i]!).language).toBe('javascript');
  });
});

const MARKDOWN_TABLE = `| Package | Current | Wanted | Latest | Location |
|---------|---------|--------|--------|----------|
| express | 4.18.2 | 4.21.2 | 5.1.0 | node_modules/express |
| mocha | 10.2.0 | 10.8.2 | 11.1.0 | node_modules/mocha |
| typescript | 5.3.3 | 5.3.3 | 5.9.3 | node_modules/typescript |
| eslint | 8.56.0 | 8.57.1 | 9.20.0 | node_modules/eslint |
| supertest | 6.3.3 | 6.3.4 | 7.0.0 | node_modules/supertest |`;

const CSV = `id,name,email,plan,seats,mrr_usd
1042,Acme Corp,billing@acme.example,enterprise,250,18750.00
1043,Globex,ops@globex.example,team,25,1225.00
1044,Initech,it@initech.example,team,12,588.00
1045,Umbrella,admin@umbrella.example,free,1,0.00
1046,Hooli,platform@hooli.example,enterprise,900,67500.00`;

/** The same export with an ISO date column (see the known-bug test below). */
const CSV_WITH_DATES = `id,name,email,created_at,plan,seats
1042,Acme Corp,billing@acme.example,2024-03-01T09:12:44Z,enterprise,250
1043,Globex,ops@globex.example,2024-03-02T11:40:02Z,team,25
1044,Initech,it@initech.example,2024-03-02T15:03:19Z,team,12
1045,Umbrella,admin@umbrella.example,2024-03-04T08:55:51Z,free,1
1046,Hooli,platform@hooli.example,2024-03-05T17:21:09Z,enterprise,900`;

const HTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Release notes - Example</title>
<link rel="stylesheet" href="/assets/site.css"></head>
<body>
<nav><a href="/">Home</a> <a href="/docs">Docs</a></nav>
<main>
<h1>Release notes</h1>
<section><h2>v2.4.0</h2>
<ul><li>Added streaming uploads.</li><li>Fixed a memory leak in the router.</li></ul>
<p>This release drops support for Node 16.</p></section>
</main>
<script src="/assets/app.js"></script>
</body>
</html>`;

const PROSE = `The middleware stack is evaluated in the order in which it was registered. When a request
arrives, the router walks through each layer and checks whether its path matches the request
path. If it does, the handler is invoked with the request, the response and a callback that
passes control to the next layer. Error handlers are recognised by their arity: a function that
takes four arguments is only called once an earlier layer has passed an error along.

Because the order matters, applications usually mount body parsers and authentication first,
then their routes, and finally a catch-all handler that renders a friendly page for anything
that was not matched. Mounting a sub-application at a prefix strips that prefix from the path
seen by the inner router, which keeps nested routers unaware of where they are mounted.`;

const TIMESTAMPED_LOG = `2024-05-14 10:21:03,118 INFO  [main] Starting service on port 8080
2024-05-14 10:21:03,422 INFO  [pool-1] Connected to postgres://db:5432/app
2024-05-14 10:21:07,019 WARN  [pool-1] Slow query: 1203 ms
10:21:09.551 worker-3: retrying job 7781 (attempt 2)
10:21:12.004 worker-3: job 7781 done
2024-05-14 10:21:15,930 ERROR [http-7] Request failed: timeout after 30000 ms`;

/** A window of a Java class as an agent's file viewer shows it: javadoc and two constructors, no method. */
const JAVA_WINDOW = [
  '[File: /repo/src/main/java/org/example/inventory/StockLedger.java (812 lines total)]',
  '(140 more lines above)',
  ...[
    '    /**',
    '     * Creates an empty ledger that records movements in the given',
    '     * warehouse, using the clock of the system for every timestamp',
    '     * it writes and the default rounding of quantities.',
    '     */',
    '    public StockLedger(Warehouse warehouse) {',
    '        this(warehouse, Clock.systemUTC(), Rounding.HALF_EVEN);',
    '    }',
    '',
    '    /**',
    '     * Copies another ledger, sharing its warehouse but none of the',
    '     * movements recorded so far, so that either one can be changed',
    '     * without the other seeing it.',
    '     */',
    '    protected StockLedger(StockLedger other)',
    '    {',
    '        _warehouse = other._warehouse;',
    '        _clock = other._clock;',
    '        _movements = new ArrayList<Movement>(other._movements);',
    '        _rounding = other._rounding;',
    '    }',
  ].map((line, i) => `${141 + i}:${line}`),
  '(650 more lines below)',
].join('\n');

describe('detectKind on small real-looking inputs', () => {
  it.each([
    ['markdown table', MARKDOWN_TABLE, 'table'],
    ['CSV', CSV, 'table'],
    ['HTML page', HTML, 'html'],
    ['English prose', PROSE, 'prose'],
    ['timestamped log', TIMESTAMPED_LOG, 'log'],
    ['numbered Java window of javadoc and constructors', JAVA_WINDOW, 'code'],
  ])('%s is %s', (_name, text, kind) => {
    expect(detectKind(text).kind).toBe(kind);
  });

  it('CSV with an ISO date column is table, not search', () => {
    expect(detectKind(CSV_WITH_DATES).kind).toBe('table');
  });

  it('does not take timestamped lines for search results', () => {
    const lines = ['2024-05-14:10:21:03: started', '10:21:09:551: worker-3 retrying', '2024-05-14-10-21-07-019 slow query'];
    expect(detectKind(TIMESTAMPED_LOG).kind).not.toBe('search');
    expect(detectKind(lines.join('\n')).kind).not.toBe('search');
  });
});
