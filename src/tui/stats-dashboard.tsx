import './no-color.js';
import { Box, renderToString, Text } from 'ink';
import type { StatsBucket, StatsReport } from '../stats/ledger-stats.js';
import { count } from '../plural.js';
import { compactNumber, percent, usd } from './format.js';

export interface StatsDashboardProps {
  report: StatsReport;
  /** `--watch`: say that it follows the ledger and how to quit. */
  watching?: boolean;
}

const BAR_WIDTH = 24;

/** A bar of `part / whole` in BAR_WIDTH cells. */
function bar(part: number, whole: number): string {
  const filled = whole > 0 ? Math.max(0, Math.min(BAR_WIDTH, Math.round((BAR_WIDTH * part) / whole))) : 0;
  return '█'.repeat(filled) + '░'.repeat(BAR_WIDTH - filled);
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const padLeft = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);

/** Rows of one grouping (agent, model), biggest saving first. */
function BucketTable({ title, rows, limit = 8 }: { title: string; rows: Record<string, StatsBucket>; limit?: number }) {
  const entries = Object.entries(rows)
    .sort((a, b) => b[1].tokensSaved - a[1].tokensSaved || a[0].localeCompare(b[0]))
    .slice(0, limit);
  const nameWidth = Math.max(title.length, ...entries.map(([name]) => name.length)) + 2;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
        {pad(title, nameWidth)}
        {padLeft('requests', 9)}
        {padLeft('before', 9)}
        {padLeft('after', 9)}
        {padLeft('saved', 14)}
        {padLeft('money', 10)}
      </Text>
      {entries.map(([name, b]) => (
        <Text key={name}>
          {pad(name, nameWidth)}
          {padLeft(String(b.requests), 9)}
          {padLeft(compactNumber(b.tokensBefore), 9)}
          {padLeft(compactNumber(b.tokensAfter), 9)}
          <Text color="green">{padLeft(`${compactNumber(b.tokensSaved)} ${percent(b.tokensSaved, b.tokensBefore)}`, 14)}</Text>
          {padLeft(b.unpricedRequests === b.requests && b.tokensSaved > 0 && b.usdSaved === 0 ? 'unpriced' : usd(b.usdSaved), 10)}
        </Text>
      ))}
    </Box>
  );
}

/** Tokens saved per day, as bars against the best day. */
function Days({ days }: { days: Record<string, StatsBucket> }) {
  const entries = Object.entries(days).sort((a, b) => a[0].localeCompare(b[0])).slice(-14);
  const top = Math.max(0, ...entries.map(([, b]) => b.tokensSaved));
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>tokens saved per day</Text>
      {entries.map(([day, b]) => (
        <Text key={day}>
          {day} <Text color="green">{bar(b.tokensSaved, top)}</Text> {compactNumber(b.tokensSaved)} · {b.requests} req
        </Text>
      ))}
    </Box>
  );
}

/** Share of each content kind's tool-output tokens that compression removed. */
function Kinds({ kinds }: { kinds: StatsReport['byKind'] }) {
  const entries = Object.entries(kinds)
    .filter(([, k]) => k.tokensBefore > 0)
    .sort((a, b) => b[1].tokensSaved - a[1].tokensSaved || a[0].localeCompare(b[0]));
  if (entries.length === 0) return null;
  const width = Math.max(...entries.map(([kind]) => kind.length)) + 1;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>saved by content kind</Text>
      {entries.map(([kind, k]) => (
        <Text key={kind}>
          {pad(kind, width)} <Text color="cyan">{bar(k.tokensSaved, k.tokensBefore)}</Text> {percent(k.tokensSaved, k.tokensBefore)} of{' '}
          {compactNumber(k.tokensBefore)}
        </Text>
      ))}
    </Box>
  );
}

/** What headroom has saved, from the ledger. */
export function StatsDashboard({ report: r, watching }: StatsDashboardProps) {
  const t = r.totals;
  const src = r.source;
  const span = r.since ? `since ${r.since.slice(0, 16).replace('T', ' ')} UTC` : 'all time';
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan" bold>
          headroom stats
        </Text>{' '}
        · {span}
      </Text>
      <Text dimColor>
        {'  '}ledger {r.ledgerDir}
        {watching ? ' · following it, Ctrl-C to quit' : ''}
      </Text>
      {t.requests === 0 ? (
        <Text dimColor>  no requests in the ledger{r.since ? ' in this span' : ''} yet</Text>
      ) : (
        <>
          <Text>
            {'  '}
            {count(t.requests, 'request')} · tool outputs {compactNumber(t.tokensBefore)} → {compactNumber(t.tokensAfter)} tokens ·{' '}
            <Text color="green">
              saved {compactNumber(t.tokensSaved)} ({percent(t.tokensSaved, t.tokensBefore)})
            </Text>
          </Text>
          {src.outputs > 0 ? (
            <>
              <Text>
                {'  '}proxy: {compactNumber(r.proxy.tokensBefore)} → {compactNumber(r.proxy.tokensAfter)} tokens (saved {compactNumber(r.proxy.tokensSaved)})
              </Text>
              <Text>
                {'  '}at the source: {count(src.outputs, 'big command output')} {compactNumber(src.tokensBefore)} → {compactNumber(src.tokensAfter)} tokens (saved{' '}
                {compactNumber(src.tokensSaved)})
              </Text>
            </>
          ) : null}
          <Text>
            {'  '}estimated money saved ~{usd(t.usdSaved)}
            <Text dimColor>
              {' '}
              ({src.outputs > 0 ? `proxy ~${usd(r.proxy.usdSaved)}, at the source ~${usd(src.usdSaved)}; ` : ''}cache-aware, prices of {r.pricesTaken}
              {t.unpricedRequests > 0 ? `; ${count(t.unpricedRequests, 'request')} of unpriced models not counted` : ''}
              {src.unpricedOutputs > 0 ? `; ${count(src.unpricedOutputs, 'output')} at the source of unpriced models not counted` : ''})
            </Text>
          </Text>
          <Receipts report={r} />
          <Text>
            {'  '}retrievals: {r.retrievals.calls} ({percent(r.retrievals.requests, t.requests)} of requests needed one) · memories recalled:{' '}
            {r.memory.recalled} · memory tool calls: {r.memory.toolCalls}
          </Text>
          <BucketTable title="agent" rows={r.byAgent} />
          <BucketTable title="model" rows={r.byModel} />
          <Days days={r.byDay} />
          <Kinds kinds={r.byKind} />
        </>
      )}
      {r.corruptLines > 0 ? (
        <Text color="yellow">
          {'  '}
          {r.corruptLines} corrupt ledger line{r.corruptLines === 1 ? '' : 's'} skipped
        </Text>
      ) : null}
    </Box>
  );
}

/** Money from the providers' receipts, the holdout comparison and the cache guard, when the ledger has them. */
function Receipts({ report: r }: { report: StatsReport }) {
  const h = r.holdout;
  const diff = (c: { difference: number; interval: [number, number] | null }, f: (n: number) => string) =>
    `${c.difference < 0 ? '−' : '+'}${f(Math.abs(c.difference))}${c.interval ? ` (95% interval ${f(c.interval[0])} to ${f(c.interval[1])})` : ''}`;
  const money = (n: number) => (n < 0 ? `−${usd(-n)}` : usd(n));
  const points = (n: number) => `${(n * 100).toFixed(1)} pts`;
  return (
    <>
      {r.billed.requests > 0 ? (
        <Text>
          {'  '}billed {usd(r.billed.usd)}, ~{usd(r.withoutHeadroom.usd)} without headroom
          <Text dimColor>
            {' '}
            ({count(r.billed.requests, 'receipt')}: {compactNumber(r.billed.inputTokens)} input, {compactNumber(r.billed.cacheReadTokens)} cache read, {compactNumber(r.billed.cacheWriteTokens)} cache write,{' '}
            {compactNumber(r.billed.outputTokens)} output; without: {r.withoutHeadroom.method})
          </Text>
        </Text>
      ) : null}
      {h ? (
        <Text>
          {'  '}holdout: {h.counts.holdout.sessions} sessions untouched vs {h.counts.headroom.sessions} with headroom ·{' '}
          {h.tooLittle ?? `per session ${diff(h.perSession.usd, money)}, per turn ${diff(h.perTurn.usd, money)}, cache hit rate per turn ${diff(h.perTurn.cacheHitRate, points)} (${h.method})`}
        </Text>
      ) : null}
      {r.guard.busts > 0 || r.guard.stoppedConversations > 0 ? (
        <Text color="yellow">
          {'  '}cache guard: {count(r.guard.busts, 'prompt-cache bust')} headroom caused ({compactNumber(r.guard.bustTokens)} tokens written again)
          {r.guard.stoppedConversations > 0 ? `; compression of new outputs stopped in ${count(r.guard.stoppedConversations, 'conversation')} where busts cost more than it saved` : ''}
        </Text>
      ) : null}
    </>
  );
}

/** The dashboard as text; `watching` adds the note that it is following the ledger. */
export function renderStatsDashboard(report: StatsReport, columns = 100, { watching = false } = {}): string {
  return renderToString(<StatsDashboard report={report} watching={watching} />, { columns });
}
