import { Command } from 'commander';
import { CliError } from './exit-codes.js';

/** `headroom mcp ...`: headroom's tools as an MCP server, and registering it with agents. */

const AGENT_NAMES = 'claude, codex or gemini';
const install = () => import('../mcp/install.js');

async function agentOf(name: string) {
  const lib = await install();
  if (!lib.isMcpAgent(name)) throw new CliError(`unknown agent "${name}": use ${AGENT_NAMES}`);
  return { agent: name, lib };
}

export function mcpCommand(): Command {
  const mcp = new Command('mcp').description("headroom's tools (compress, retrieve, stats, shared memory) for any agent that speaks MCP.");
  mcp.addHelpText(
    'after',
    `
Tools offered: headroom_compress, headroom_retrieve, headroom_stats, memory_search, memory_save.
install writes the agent's user-level MCP settings (Claude Code: ~/.claude.json or
$CLAUDE_CONFIG_DIR/.claude.json; Codex: $CODEX_HOME/config.toml, default ~/.codex; Gemini CLI:
~/.gemini/settings.json), after copying the file to HEADROOM_HOME/backups/. uninstall puts the
file back as it was.

Examples:
  headroom mcp install claude
  headroom mcp uninstall claude
  claude mcp add headroom -- headroom mcp serve     (the same, by hand, with Claude Code's own command)`,
  );

  mcp
    .command('serve')
    .description('Run the MCP server over stdin/stdout (agents start this themselves).')
    .addHelpText('after', '\nThe memory tools use the project of the directory the server starts in.\n\nExample:\n  headroom mcp serve')
    .action(async () => {
      const { serveStdio } = await import('../mcp/server.js');
      await serveStdio();
    });

  mcp
    .command('install')
    .description('Register `headroom mcp serve` with an agent, for your user (every project).')
    .argument('<agent>', AGENT_NAMES)
    .addHelpText('after', '\nExamples:\n  headroom mcp install claude\n  CODEX_HOME=~/.codex-work headroom mcp install codex')
    .action(async (name: string) => {
      const { agent, lib } = await agentOf(name);
      const r = lib.installMcp(agent);
      process.stdout.write(`${r.created ? 'created' : 'updated'} ${r.file}: MCP server "headroom" added${r.backup ? ` (previous file saved as ${r.backup})` : ''}\nundo with: headroom mcp uninstall ${agent}\n`);
    });

  mcp
    .command('uninstall')
    .description('Undo `headroom mcp install`: put the agent\'s settings file back as it was.')
    .argument('<agent>', AGENT_NAMES)
    .addHelpText('after', '\nIf the agent changed the file since install, only headroom\'s entry is taken out.\n\nExample:\n  headroom mcp uninstall gemini')
    .action(async (name: string) => {
      const { agent, lib } = await agentOf(name);
      const r = lib.uninstallMcp(agent);
      const what = r.action === 'deleted' ? 'removed (install had created it)' : r.action === 'restored' ? 'restored as it was before install' : 'changed since install: removed only the "headroom" server';
      process.stdout.write(`${r.file}: ${what}\n`);
    });
  return mcp;
}
