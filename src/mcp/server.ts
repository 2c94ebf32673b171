import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';
import { FileCcrStore } from '../compress/ccr-store.js';
import { compressText } from '../compress/compress-text.js';
import type { Memories } from '../memory/memory.js';
import { RETRIEVE_TOOL_DESCRIPTION, RETRIEVE_TOOL_NAME, answerRetrieve } from '../proxy/retrieval.js';
import { describeTotals, ledgerTotals } from './stats.js';
import { VERSION } from '../version.js';

/** headroom's tools for any MCP client: compress, retrieve, stats and the shared memory. */

const text = (t: string, structured?: Record<string, unknown>) => ({
  content: [{ type: 'text' as const, text: t }],
  ...(structured ? { structuredContent: structured } : {}),
});

export interface HeadroomMcpOptions {
  /** The project whose memory the memory tools use; default the process's cwd. */
  cwd?: string;
}

function createHeadroomMcpServer(opts: HeadroomMcpOptions = {}): { server: McpServer; close(): void } {
  const server = new McpServer({ name: 'headroom', version: VERSION });
  const store = new FileCcrStore();
  // LanceDB and the embedder load on the first memory call, so the other tools start fast.
  let memories: Promise<Memories> | undefined;
  const openMemories = () =>
    (memories ??= import('../memory/memory.js').then(({ Memories: M }) => M.open({ cwd: opts.cwd ?? process.cwd() })).catch((err: unknown) => {
      memories = undefined;
      throw err;
    }));
  const agent = () => server.server.getClientVersion()?.name ?? 'mcp';
  const session = `mcp-${process.pid}-${Date.now().toString(36)}`;

  server.registerTool(
    'headroom_compress',
    {
      description:
        'Compress a large tool output (logs, search results, JSON, code, test output) reversibly. Returns the compressed text; ' +
        'dropped parts stay retrievable with headroom_retrieve and the keys named in the markers.',
      inputSchema: { content: z.string().describe('The text to compress.'), query: z.string().optional().describe('The current task: relevant parts are kept.') },
    },
    ({ content, query }) => {
      const r = compressText(content, query !== undefined && query.trim() !== '' ? { query } : {});
      const summary = `[headroom: ${r.kind}, ${r.tokensBefore} -> ${r.tokensAfter} tokens${r.retrievalKeys.length ? `; retrieval keys ${r.retrievalKeys.join(', ')}` : ''}]`;
      return {
        content: [
          { type: 'text' as const, text: r.text },
          { type: 'text' as const, text: summary },
        ],
        structuredContent: { kind: r.kind, tokensBefore: r.tokensBefore, tokensAfter: r.tokensAfter, retrievalKeys: r.retrievalKeys },
      };
    },
  );

  server.registerTool(
    RETRIEVE_TOOL_NAME,
    {
      description: RETRIEVE_TOOL_DESCRIPTION,
      inputSchema: { key: z.string().describe('The 16-hex-digit key from a marker.'), query: z.string().optional().describe('Optional words to match; without it the whole original comes back.') },
    },
    (args) => text(answerRetrieve(args, store)),
  );

  server.registerTool('headroom_stats', { description: 'Tokens headroom has saved so far across the requests it proxied (from its ledger).', inputSchema: {} }, () => {
    const t = ledgerTotals();
    return text(describeTotals(t), { ...t });
  });

  const memoryTool = (name: 'memory_save' | 'memory_search') => async (input: Record<string, unknown>) => {
    const { answerMemoryTool } = await import('../memory/tools.js');
    try {
      return text(await answerMemoryTool(await openMemories(), { name, input }, { agent: agent(), session }));
    } catch (err) {
      return { ...text(`${name}: ${err instanceof Error ? err.message : String(err)}`), isError: true };
    }
  };
  server.registerTool(
    'memory_search',
    {
      description: 'Search the project memory shared by the coding agents the user runs here. Returns matching memories with their ids, the agents that saved them and when.',
      inputSchema: { query: z.string().describe('What to look for.'), k: z.number().int().min(1).max(20).optional().describe('How many memories at most (default 5).') },
    },
    memoryTool('memory_search'),
  );
  server.registerTool(
    'memory_save',
    {
      description:
        'Save a durable fact about this project to the memory shared by every coding agent the user runs here: conventions, commands that work, ' +
        'pitfalls and their fixes, stated preferences. One short fact per call; pass `replaces` with an id when it corrects an earlier memory.',
      inputSchema: { text: z.string().describe('The fact, self-contained.'), replaces: z.string().optional().describe('The id of a memory this one corrects.') },
    },
    memoryTool('memory_save'),
  );

  return {
    server,
    close: () => {
      void memories?.then((m) => m.close()).catch(() => undefined);
    },
  };
}

/** Serves over stdin/stdout until the client closes; stdout carries only the protocol. */
export async function serveStdio(opts: HeadroomMcpOptions = {}): Promise<void> {
  // Any library that logs to stdout would corrupt the protocol stream.
  console.log = console.error;
  console.info = console.error;
  console.debug = console.error;
  const { server, close } = createHeadroomMcpServer(opts);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  close();
  await server.close().catch(() => undefined);
}
