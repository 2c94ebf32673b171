#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { memoryCommand } from './cli/memory-command.js';
import { learnCommand } from './cli/learn-command.js';
import { statsCommand } from './cli/stats-command.js';
import { mcpCommand } from './cli/mcp-command.js';
import { AGENT_NAMES } from './agents/names.js';
import { EXIT, reportFailure } from './cli/exit-codes.js';
import { CONTENT_KINDS } from './compress/types.js';
import { VERSION } from './version.js';

// Each command's module is imported when it runs: loading all of them (tokenizer tables,
// tree-sitter grammars, LanceDB) would slow every command down.

// A reader that stops early (`headroom exec -- make | head`) closes the pipe: end quietly, as a
// shell tool does, instead of a stack trace. A terminal that hung up (EIO) takes no more output;
// the command running ends as it does on a hang-up (`wrap` ends its agent first).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EIO') return;
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EIO' && err.code !== 'EPIPE') throw err;
});

/** Text gets a final newline; bytes (an input passed through) are written as they are. */
function write(out: string | Buffer): void {
  if (typeof out !== 'string') process.stdout.write(out);
  else process.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
}

const program = new Command()
  .name('headroom')
  .description('A context layer for AI coding agents: compresses what the agent reads, reversibly.')
  .version(VERSION)
  .exitOverride()
  .enablePositionalOptions()
  .showHelpAfterError('(run with --help for usage)');

program
  .command('compress')
  .description('Compress a tool output (FILE, or - / piped standard input) and print the result.')
  .argument('[file]', 'the tool output to compress; - for standard input')
  .option('-q, --query <text>', "the agent's current task: relevant parts are kept")
  .option('-c, --command <text>', 'the command (or tool call) that produced the output: its paths, names and line ranges are kept first')
  .option('-k, --kind <kind>', `skip detection: ${CONTENT_KINDS.join(', ')}`)
  .option('--keep <factor>', 'keep more (2) or less (0.5) than the size policy; default 1')
  .option('-r, --request <file.json>', 'compress every tool output of a request body and print the body')
  .option('--provider <format>', 'wire format of --request: anthropic, openai-chat, openai-responses, gemini', 'anthropic')
  .option('--json', 'print {kind, tokensBefore, tokensAfter, retrievalKeys, ms} instead of the text')
  .addHelpText(
    'after',
    `
Examples:
  rg -n onSend . | headroom compress --query "where is onSend run?"
  pytest -x 2>&1 | headroom compress --command "pytest -x" --query "fix the failing cart test"
  headroom compress build.log --json
  headroom compress --request request.json > compressed.json`,
  )
  .action(async (file: string | undefined, opts) => {
    const { compressCommand } = await import('./cli/compress-command.js');
    write(await compressCommand(file, opts));
  });

program
  .command('retrieve')
  .description('Print the original behind a retrieval key from a compression marker.')
  .argument('<key>', 'the key=... named in a marker')
  .option('-q, --query <text>', 'print only the lines matching this query (with a line of context)')
  .addHelpText('after', '\nExample:\n  headroom retrieve 3f9a2b7c1d0e4a5b --query "deadlock"')
  .action(async (key: string, opts) => {
    const { retrieveCommand } = await import('./cli/retrieve-command.js');
    write(retrieveCommand(key, opts));
  });

program
  .command('exec')
  .description('Run a command and print its output, compressed when large (the original kept for `headroom retrieve`).')
  .argument('<command...>', 'one shell string (run by bash -c as written) or a program and its arguments, after --')
  .option('-q, --query <text>', 'what the output is read for (HEADROOM_QUERY; in `headroom wrap`, the latest user message)')
  .option('--min-tokens <n>', 'outputs smaller than this are printed unchanged (default 2000)')
  .option('--timeout <seconds>', 'stop the command after this long (SIGTERM, then SIGKILL)')
  .option('--max-chars <n>', 'keep a compressed output under this many characters (HEADROOM_EXEC_MAX_CHARS; default no limit)')
  .passThroughOptions()
  .addHelpText(
    'after',
    `
stdout and stderr are printed together, in the order written. headroom exits with the command's
exit code (128 + signal number when a signal ended it). Files the command writes are untouched;
binary output is printed as it is. A compressed output ends with a line naming its key:
  headroom retrieve KEY --query "..."    prints the original, or the lines matching the query.

Examples:
  headroom exec -- "npm test"
  headroom exec --query "which test fails?" -- pytest -x
  HEADROOM_RAW=1 npm test                 (in a wrapped session: this command is left alone)`,
  )
  .action(async (command: string[], opts) => {
    const { execCli } = await import('./cli/exec-command.js');
    process.exitCode = await execCli(command, opts);
  });

program
  .command('hook', { hidden: true })
  .description('Run by an agent as a per-session hook that `headroom wrap` installed (reads the hook input on stdin).')
  .argument('<event>', 'the hook event, e.g. claude-post-tool-use')
  .action(async (event: string) => {
    const { hookCommand } = await import('./cli/hook-command.js');
    await hookCommand(event);
  });

program
  .command('bench')
  .description('Compress every workload of every benchmark corpus, check its needles next to a head+tail cut of the same size, print the tables.')
  .option('--corpus <name...>', 'only these corpora (default: all present; bundled: workloads, and each folder of fixtures/corpora)')
  .option('--corpus-dir <[name=]dir...>', 'add a corpus: a folder of workloads in the same layout')
  .option('-w, --workloads <dir>', 'one folder of workloads instead of the bundled corpora')
  .option('--curve', 'also compress each corpus at 0.25, 0.5, 2 and 4 times the size policy: needles in view against saving, next to head+tail')
  .option('--json', 'print the results as JSON')
  .addHelpText(
    'after',
    `
For each corpus: tool-output tokens before and after, the saving, and how many needles (the
lines or facts the task needs) stay in view, next to a blind head+tail cut of every output to
the same number of tokens; by kind of output, language and output size. The query is what
each request says: the user's task and the agent's step that produced the output.

Exits 1 when a needle is lost (neither in view nor retrievable).

Example:
  npx headroom bench
  npx headroom bench --corpus tools --json > tools.json
  npx headroom bench --corpus-dir ../shared/bench/trajectories`,
  )
  .action(async (opts) => {
    const { benchCommand } = await import('./cli/bench-command.js');
    const showProgress = !opts.json && process.stderr.isTTY;
    const { output, exitCode } = benchCommand(opts, (line) => {
      if (showProgress) process.stderr.write(`\r\x1b[K${line}`);
    });
    if (showProgress) process.stderr.write('\r\x1b[K');
    write(output);
    process.exitCode = exitCode;
  });

program
  .command('proxy')
  .description('Run the compressing proxy: point an agent at it and its tool outputs reach the model compressed.')
  .option('--host <host>', 'address to listen on (default 127.0.0.1; others need --allow-remote and --token)')
  .option('-p, --port <port>', 'port (default 8787, HEADROOM_PORT; 0 picks a free one)')
  .option('--anthropic-upstream <url>', 'Anthropic API base (HEADROOM_ANTHROPIC_UPSTREAM, default https://api.anthropic.com)')
  .option('--openai-upstream <url>', 'OpenAI API base (HEADROOM_OPENAI_UPSTREAM, default https://api.openai.com)')
  .option('--gemini-upstream <url>', 'Gemini API base (HEADROOM_GEMINI_UPSTREAM, default https://generativelanguage.googleapis.com)')
  .option('--allow-remote [hosts]', 'host names clients reach the proxy by, comma-separated (name or name:port); needed for a non-loopback --host (with --token)')
  .option('--token <token>', 'require this value in the x-headroom-token header (HEADROOM_PROXY_TOKEN)')
  .option('--max-body-mb <mb>', 'largest request body accepted (HEADROOM_MAX_BODY_MB, default 50)')
  .option('--retrieve-tool <mode>', 'when to add headroom_retrieve: always (cache-stable, default), when-compressed, never (HEADROOM_RETRIEVE_TOOL)')
  .option('--verify', "ask the provider's free count endpoint for each rewritten request's original body, after the response, so stats show the provider's own count without headroom (HEADROOM_VERIFY=1)")
  .option('--holdout <percent>', 'share of sessions passed through untouched but recorded, a control group for `headroom stats` (HEADROOM_HOLDOUT, default 0)')
  .option('--no-ledger', 'do not append per-request savings records to HEADROOM_HOME/ledger')
  .option('--quiet', 'no per-request log lines')
  .option('--memory', "shared memory of the current directory's project: recall into user turns, memory_save/memory_search tools")
  .addHelpText(
    'after',
    `
Routes compressed: POST /v1/messages (+ count_tokens), /v1/chat/completions, /v1/responses,
/v1beta/models/M:generateContent and :streamGenerateContent. Everything else passes through.
Operations: GET /livez /readyz /health /stats /metrics (with --token, all but /livez need it).
Requests must name the proxy by 127.0.0.1, localhost or [::1] with its port, or a host given
to --allow-remote; requests from web pages of any other origin get a 403.

Examples:
  headroom proxy --port 8787
  headroom proxy --host 0.0.0.0 --allow-remote devbox.lan,10.0.0.5 --token "$TOKEN"
  ANTHROPIC_BASE_URL=http://127.0.0.1:8787 claude`,
  )
  .action(async (opts) => {
    const { proxyCommand } = await import('./cli/proxy-command.js');
    await proxyCommand(opts);
  });

program
  .command('wrap')
  .description('Run a coding agent through an embedded compressing proxy, with a live savings line under it.')
  .argument('<agent>', AGENT_NAMES.join(' | '))
  .argument('[agent-args...]', "the agent's own arguments; options for the agent go after --")
  .option('--port <port>', 'port of the embedded proxy (default: a free one)')
  .option('--no-status', 'no status line (the agent gets every row)')
  .option('--no-exec-hook', 'do not compress big command outputs at the source (the per-session hook for Claude Code, Codex, Copilot CLI and opencode)')
  .option('--memory', 'shared project memory: recall into the agent\'s turns, memory_save/memory_search tools, "remember ..." captured from its transcript')
  .option('--anthropic-upstream <url>', "Anthropic API base (HEADROOM_ANTHROPIC_UPSTREAM; default the agent's own setting, else https://api.anthropic.com)")
  .option('--openai-upstream <url>', 'OpenAI API base (HEADROOM_OPENAI_UPSTREAM)')
  .option('--gemini-upstream <url>', 'Gemini API base (HEADROOM_GEMINI_UPSTREAM)')
  .option('--max-body-mb <mb>', 'largest request body accepted (HEADROOM_MAX_BODY_MB, default 50)')
  .option('--retrieve-tool <mode>', 'when to add headroom_retrieve: always (default), when-compressed, never')
  .option('--verify', "ask the provider's free count endpoint for each rewritten request's original body, after the response (HEADROOM_VERIFY=1)")
  .option('--holdout <percent>', 'share of sessions passed through untouched but recorded, a control group (HEADROOM_HOLDOUT, default 0)')
  .option('--no-ledger', 'do not record the savings in HEADROOM_HOME/ledger')
  .showHelpAfterError("(the agent's own options go after --, e.g. headroom wrap claude -- -p \"why does the build fail?\")")
  // No passThroughOptions: headroom's options are read after the agent name too
  // (`headroom wrap claude --no-status --port 8080`); only what follows `--` is the agent's.
  .addHelpText(
    'after',
    `
The agent runs in the current directory, under a pseudo-terminal with the status line on the
last row when stdin and stdout are a terminal, else with plain stdio (pipes, CI, print mode).
Its model traffic is routed through the proxy for this run only; no config file is changed:
  claude   ANTHROPIC_BASE_URL            codex    -c model_provider overrides (needs OPENAI_API_KEY)
  gemini   GOOGLE_GEMINI_BASE_URL (API-key auth: GEMINI_API_KEY)
  copilot  COPILOT_PROVIDER_BASE_URL (bring-your-own-key mode only)
  aider    OPENAI_API_BASE, ANTHROPIC_API_BASE
  opencode OPENCODE_CONFIG_CONTENT (its anthropic and openai providers; others go direct. learn
           and "remember ..." capture skip it: it keeps its sessions in SQLite)
  qwen     OPENAI_BASE_URL, ANTHROPIC_BASE_URL (its openai and anthropic auth types; Qwen OAuth,
           Gemini and Vertex AI go direct)
  kilo     KILO_CONFIG_CONTENT (as opencode: its anthropic and openai providers; Kilo Gateway and
           others go direct. learn and "remember ..." capture skip it: sessions in SQLite)
  continue --config with a copy of your config.yaml for this run, its openai and anthropic models'
           apiBase the proxy (Continue CLI, \`cn\`; hub assistants are refused; learn skips it)
  cline    its sandbox mode, a per-run data folder whose providers.json points its anthropic,
           openai-compatible or openai-native provider at the proxy (learn skips it; no hub daemon)
Not wrapped: Crush (its install downloads the binary from GitHub; untested here, so not offered).
headroom exits with the agent's exit code (128 + signal number when a signal ended it).

Examples:
  headroom wrap claude
  headroom wrap codex --memory -- --model gpt-5
  headroom wrap claude --no-status -- -p "why does the build fail?"`,
  )
  .action(async (agent: string, agentArgs: string[], opts) => {
    // Commander drops the first `--` itself: `headroom wrap claude -- -p hi` gives ['-p', 'hi'].
    const { wrapCommand } = await import('./cli/wrap-command.js');
    process.exitCode = await wrapCommand(agent, agentArgs, opts);
  });

program.addCommand(memoryCommand());
program.addCommand(statsCommand());
program.addCommand(learnCommand());
program.addCommand(mcpCommand());

// A failure of a command asked for --json is printed as JSON too.
let json = false;
program.hook('preAction', (_program, action) => {
  json = action.opts().json === true;
});

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commander has printed its own usage errors already.
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else process.exitCode = reportFailure(err, { json, stdout: process.stdout, stderr: process.stderr });
}
