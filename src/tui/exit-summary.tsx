import './no-color.js';
import { Box, renderToString, Text } from 'ink';
import type { Tally } from '../wrap/tally.js';
import { tallyTotals } from './tally-totals.js';
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

/**
 * What a wrapped session saved, printed once the agent has exited: the total (the proxy's savings
 * and those made at the source), then each part when there are both.
 */
export function ExitSummary({ agentTitle, tally, elapsedMs, exit, pricesTaken, memory }: ExitSummaryProps) {
  const total = tallyTotals(tally);
  const src = tally.source;
  const kinds = Object.entries(tally.byKind)
    .map(([kind, k]) => ({ kind, saved: k.before - k.after, before: k.before }))
    .filter((k) => k.saved > 0)
    .sort((a, b) => b.saved - a.saved)
    .slice(0, 4);
  const ended = exit.signal ? `ended by ${exit.signal}` : `exited with code ${exit.code}`;
  const atSource = `at the source: ${count(src.outputs, 'big command output')} ${compactNumber(src.tokensBefore)} → ${compactNumber(src.tokensAfter)} tokens`;
  const unpriced = [
    tally.unpriced > 0 ? `${count(tally.unpriced, 'request')} of unpriced models not counted` : '',
    src.unpriced > 0 ? `${count(src.unpriced, 'output')} at the source of an unpriced model not counted` : '',
  ].filter((x) => x !== '');
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
            {count(tally.requests, 'request')} · tool outputs {compactNumber(total.tokensBefore)} → {compactNumber(total.tokensAfter)} tokens ·{' '}
            <Text color="green">
              saved {compactNumber(total.saved)} ({percent(total.saved, total.tokensBefore)})
            </Text>
          </Text>
          {src.outputs > 0 ? (
            <>
              <Text>
                {'  '}proxy: {compactNumber(tally.tokensBefore)} → {compactNumber(tally.tokensAfter)} tokens (saved {compactNumber(tally.tokensBefore - tally.tokensAfter)})
              </Text>
              <Text>
                {'  '}
                {atSource} (saved {compactNumber(src.tokensBefore - src.tokensAfter)}), before the agent cut them
              </Text>
            </>
          ) : null}
          <Text>
            {'  '}estimated money saved ~{usd(total.usdSaved)}
            <Text dimColor>
              {' '}
              ({src.outputs > 0 ? `proxy ~${usd(tally.usdSaved)}, at the source ~${usd(src.usdSaved)}; ` : ''}cache-aware, prices of {pricesTaken}
              {unpriced.length > 0 ? `; ${unpriced.join('; ')}` : ''})
            </Text>
          </Text>
          {tally.billed.requests > 0 && tally.billed.usd > 0 ? (
            <Text>
              {'  '}billed {usd(tally.billed.usd)}, ~{usd(tally.billed.withoutUsd)} without headroom
              <Text dimColor> (the providers' usage receipts of {count(tally.billed.requests, 'request')})</Text>
            </Text>
          ) : null}
          {tally.busts > 0 ? (
            <Text color="yellow">
              {'  '}
              {count(tally.busts, 'prompt-cache bust')} headroom caused
              {tally.guardStopped ? '; it stopped compressing new outputs where they cost more than it saved' : ''}
            </Text>
          ) : null}
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
      {tally.requests === 0 && src.outputs > 0 ? (
        <Text>
          {'  '}
          {atSource}, before the agent cut them
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
