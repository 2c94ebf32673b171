import { join } from 'node:path';
import { Command, Option } from 'commander';
import { headroomHome } from '../config.js';
import { loadPricing, type PriceTable } from '../pricing.js';
import { LedgerReader, ledgerFiles, ledgerStats, StatsAggregator } from '../stats/ledger-stats.js';
import { parseSince } from '../stats/since.js';
import { frameWriter } from '../tui/frames.js';

/** `headroom stats`: what headroom has saved, read from the ledger the proxy writes. */

interface StatsOptions {
  since?: string;
  json?: boolean;
  watch?: boolean;
}

const WATCH_INTERVAL_MS = 1500;


/** Follows the ledger, redrawing the dashboard when it changes, until Ctrl-C. */
async function watch(dir: string, table: PriceTable, since: Date | undefined): Promise<void> {
  const { renderStatsDashboard } = await import('../tui/stats-dashboard.js');
  const agg = new StatsAggregator(dir, table, since);
  const reader = new LedgerReader(dir, agg);
  const draw = frameWriter(process.stdout);
  const redraw = () => draw(renderStatsDashboard(agg.report(), process.stdout.columns || 100, { watching: true }));
  await reader.poll();
  redraw();
  await new Promise<void>((resolve) => {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void reader
        .poll()
        .then(redraw)
        .catch(() => undefined) // a file rotated away mid-read: the next tick reads again
        .finally(() => (busy = false));
    }, WATCH_INTERVAL_MS);
    process.once('SIGINT', () => {
      clearInterval(timer);
      resolve();
    });
  });
}

async function runStats(opts: StatsOptions): Promise<void> {
  const since = opts.since === undefined ? undefined : parseSince(opts.since);
  const table = loadPricing();
  const dir = join(headroomHome(), 'ledger');
  if (opts.watch) return watch(dir, table, since);
  const report = await ledgerStats(dir, table, since);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  if ((await ledgerFiles(dir)).length === 0) {
    process.stdout.write(`headroom has recorded no requests yet: the ledger ${dir} is empty.\nRun an agent through headroom (\`headroom wrap claude\`) and its savings show up here.\n`);
    return;
  }
  const { renderStatsDashboard } = await import('../tui/stats-dashboard.js');
  process.stdout.write(`${renderStatsDashboard(report, process.stdout.columns || 100)}\n`);
}

export function statsCommand(): Command {
  return new Command('stats')
    .description('What headroom has saved: tokens, money, retrievals and memory, by agent, model, day and content kind (from HEADROOM_HOME/ledger).')
    .option('--since <when>', 'only requests since a span ago (30m, 24h, 7d, 2w) or a date (2026-11-01, 2026-11-01T09:00Z)')
    .addOption(new Option('--json', 'print the figures as one JSON document (a stable shape: keys are added, never renamed)').conflicts('watch'))
    .option('--watch', 'keep the dashboard open and follow new requests (a running `headroom wrap`); Ctrl-C to quit')
    .addHelpText(
      'after',
      `
Money is an estimate: tokens saved at the model's input price, or its cached-input price for
outputs replayed from earlier requests (cache-aware); models the price table does not know are
counted apart. Command outputs compressed at the source in \`headroom wrap\` count in the totals
too (and apart, as "at the source"): once each, at the input price of the session's model.
Prices: the bundled table, HEADROOM_HOME/pricing.json or HEADROOM_PRICING on top.

Examples:
  headroom stats
  headroom stats --since 7d
  headroom stats --since 2026-11-01 --json | jq .totals
  headroom stats --watch`,
    )
    .exitOverride()
    .action(async (opts: StatsOptions) => {
      await runStats(opts);
    });
}
