import { Box, renderToString, Text } from 'ink';
import type { Tally } from '../wrap/tally.js';
import { count } from '../plural.js';
import { compactNumber, duration, percent, usd } from './format.js';

export interface ExitSummaryProps {
  agentTitle: string;
  tally: Tally;
  elapsedMs: number;
  /** The agent's exit code, or the signal that ended it. */
  exit: { code: number; signal?: string };
  /** The date of the price table, for the money estimate. */
  pricesTaken: string;
  /** --memory was on: show the memories recalled and saved. */
  memory?: boolean;
}

/** What a wrapped session saved, printed once the agent has exited. */
export function ExitSummary({ agentTitle, tally, elapsedMs, exit, pricesTaken, memory }: ExitSummaryProps) {
  const saved = tally.tokensBefore - tally.tokensAfter;
  const kinds = Object.entries(tally.byKind)
    .map(([kind, k]) => ({ kind, saved: k.before - k.after, before: k.before }))
    .filter((k) => k.saved > 0)
    .sort((a, b) => b.saved - a.saved)
    .slice(0, 4);
  const ended = exit.signal ? `ended by ${exit.signal}` : `exited with code ${exit.code}`;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text>
        <Text color="cyan" bold>
          headroom
        </Text>{' '}
        · {agentTitle} {ended} after {duration(elapsedMs)}
      </Text>
      {tally.requests === 0 ? (
        <Text dimColor>  no model requests went through headroom</Text>
      ) : (
        <>
          <Text>
            {'  '}
            {count(tally.requests, 'request')} · tool outputs {compactNumber(tally.tokensBefore)} → {compactNumber(tally.tokensAfter)} tokens ·{' '}
            <Text color="green">
              saved {compactNumber(saved)} ({percent(saved, tally.tokensBefore)})
            </Text>
          </Text>
          <Text>
            {'  '}estimated money saved ~{usd(tally.usdSaved)}
            <Text dimColor>
              {' '}
              (cache-aware, prices of {pricesTaken}
              {tally.unpriced > 0 ? `; ${count(tally.unpriced, 'request')} of unpriced models not counted` : ''})
            </Text>
          </Text>
          {kinds.length > 0 ? (
            <Text>
              {'  '}top kinds: {kinds.map((k) => `${k.kind} ${compactNumber(k.saved)} (${percent(k.saved, k.before)})`).join(' · ')}
            </Text>
          ) : null}
          <Text>
            {'  '}retrievals: {tally.retrievals}
            {tally.upstreamErrors > 0 ? <Text color="red"> · upstream errors: {tally.upstreamErrors}</Text> : null}
          </Text>
        </>
      )}
      {tally.source.outputs > 0 ? (
        <Text>
          {'  '}at the source: {count(tally.source.outputs, 'big command output')} {compactNumber(tally.source.tokensBefore)} →{' '}
          {compactNumber(tally.source.tokensAfter)} tokens, before the agent cut them
        </Text>
      ) : null}
      {memory ? (
        <Text>
          {'  '}memory: {tally.memoriesRecalled} recalled into the agent's turns · {tally.memoriesSaved} new saved
        </Text>
      ) : null}
    </Box>
  );
}

export function renderExitSummary(props: ExitSummaryProps, columns: number): string {
  return renderToString(<ExitSummary {...props} />, { columns });
}
