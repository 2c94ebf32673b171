import './no-color.js';
import { Box, renderToString, Text } from 'ink';
import type { Tally } from '../wrap/tally.js';
import { tallyTotals } from './tally-totals.js';
import { count } from '../plural.js';
import { compactNumber, percent, usd } from './format.js';

export interface StatusLineProps {
  agent: string;
  tally: Tally;
  /** Shown instead of the figures while nothing has gone through yet. */
  proxyUrl: string;
  /** --memory is on: show the memories recalled and saved. */
  memory?: boolean;
}

/**
 * The one-line live status under a wrapped agent. The saving and the money are the session's
 * total; when outputs were compressed at the source, the proxy's part and theirs follow.
 */
export function StatusLine({ agent, tally, proxyUrl, memory }: StatusLineProps) {
  const total = tallyTotals(tally);
  return (
    <Box>
      <Text wrap="truncate-end">
        <Text color="cyan" bold>
          headroom
        </Text>
        <Text dimColor> · {agent} · </Text>
        {tally.requests === 0 && tally.source.outputs === 0 ? (
          <Text dimColor>waiting for the first request on {proxyUrl}</Text>
        ) : (
          <>
            <Text>{tally.requests} req · </Text>
            <Text color="green">
              saved {compactNumber(total.saved)} tok ({percent(total.saved, total.tokensBefore)})
            </Text>
            {tally.billed.requests > 0 && tally.billed.usd > 0 ? (
              <Text>
                {' · '}billed {usd(tally.billed.usd)}, ~{usd(tally.billed.withoutUsd)} without headroom
              </Text>
            ) : (
              <Text>
                {' · '}~{usd(total.usdSaved)}
                {total.unpriced > 0 ? '+' : ''}
              </Text>
            )}
            {tally.busts > 0 ? <Text color="yellow"> · {count(tally.busts, 'cache bust')}{tally.guardStopped ? ', compression paused' : ''}</Text> : null}
            {tally.retrievals > 0 ? <Text> · {tally.retrievals} retrieved</Text> : null}
            {tally.source.outputs > 0 ? (
              <Text color="green">
                {' · '}proxy −{compactNumber(tally.tokensBefore - tally.tokensAfter)} · at source −{compactNumber(tally.source.tokensBefore - tally.source.tokensAfter)} tok
              </Text>
            ) : null}
            {memory ? (
              <Text color="magenta">
                {' · '}memory {tally.memoriesRecalled} recalled, {tally.memoriesSaved} saved
              </Text>
            ) : null}
            {tally.upstreamErrors > 0 ? <Text color="red"> · {count(tally.upstreamErrors, 'upstream error')}</Text> : null}
          </>
        )}
      </Text>
    </Box>
  );
}

/** The status line as terminal text exactly `columns` wide at most, on one line. */
export function renderStatusLine(props: StatusLineProps, columns: number): string {
  return renderToString(<StatusLine {...props} />, { columns: Math.max(1, columns - 1) }).split('\n')[0] ?? '';
}
