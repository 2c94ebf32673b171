#!/usr/bin/env node
// A scripted stand-in for a coding agent CLI, for `headroom wrap` tests and benchmarks.
// It finds its model API the way the real agent does (the one named by --as):
//   claude  ANTHROPIC_BASE_URL + /v1/messages
//   codex   -c model_provider="headroom" and -c model_providers.headroom={... base_url="..." ...}, + /responses
//   copilot COPILOT_PROVIDER_BASE_URL + /chat/completions
//   gemini  GOOGLE_GEMINI_BASE_URL + /v1beta/models/M:generateContent
//   aider   OPENAI_API_BASE + /chat/completions
// FAKE_AGENT_MODE picks what it does:
//   ask      one model request carrying FAKE_TOOL_OUTPUT_FILE as a tool output; prints ROUTE and ANSWER lines
//            (with FAKE_STAY=1 it then stays until q is typed, raw mode, instead of exiting)
//   echo     raw mode, writes every input byte back; q quits
//   keys     raw mode, prints each input chunk as hex; q quits
//   size     prints SIZE rows cols now and on every SIGWINCH; q quits (raw mode)
//   cooked   canonical mode; prints GOT SIGINT / GOT SIGTSTP-free lines; exits 130 on SIGINT
//   alt-die  turns on the alternate screen, mouse, bracketed paste and a hidden cursor, then SIGKILLs itself
//   flood    writes FAKE_FLOOD_MB megabytes of text as fast as the terminal takes it, then exits
//   exit     exits at once with FAKE_EXIT_CODE
//   signal   kills itself with FAKE_SIGNAL
//   wait     prints PID n and waits until killed (FAKE_IGNORE_SIGNALS=SIGTERM,SIGHUP: those do not end it)
// Every mode prints TTY yes|no first. Exit code: FAKE_EXIT_CODE (default 0).
import { readFileSync } from 'node:fs';

const argv = process.argv.slice(2);
const asIdx = argv.indexOf('--as');
const as = asIdx >= 0 ? argv[asIdx + 1] : 'claude';
const args = asIdx >= 0 ? [...argv.slice(0, asIdx), ...argv.slice(asIdx + 2)] : argv;
const mode = process.env.FAKE_AGENT_MODE ?? 'ask';
const exitCode = Number(process.env.FAKE_EXIT_CODE ?? 0);
const out = (s) => process.stdout.write(s);

out(`TTY ${process.stdout.isTTY && process.stdin.isTTY ? 'yes' : 'no'}\r\n`);

function onKeys(handler) {
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.on('data', (d) => {
    if (d.includes(0x71)) {
      if (process.stdin.isTTY) process.stdin.setRawMode(false);
      process.exit(exitCode);
    }
    handler(d);
  });
  process.stdin.resume();
}

function codexBase() {
  const overrides = [];
  for (let i = 0; i < args.length; i++) if (args[i] === '-c') overrides.push(args[++i] ?? '');
  if (!overrides.includes('model_provider="headroom"')) return undefined;
  const def = overrides.find((o) => o.startsWith('model_providers.headroom='));
  const base = def && /base_url="([^"]+)"/.exec(def)?.[1];
  const envKey = def && /env_key="([^"]+)"/.exec(def)?.[1];
  return base ? { base, key: process.env[envKey ?? ''] } : undefined;
}

/** The request the named agent would send, with `tool` as a tool output. */
function request(tool) {
  const q = 'Which line explains the failure?';
  switch (as) {
    case 'claude': {
      const base = process.env.ANTHROPIC_BASE_URL;
      return base && {
        url: `${base}/v1/messages`,
        headers: { 'x-api-key': 'dummy', 'anthropic-version': '2023-06-01', 'user-agent': 'claude-cli/0.0.0-fake (external, cli)', 'x-claude-code-session-id': `fake-${process.pid}` },
        body: { model: 'claude-sonnet-4-5', max_tokens: 64, tools: [{ name: 'Bash', description: 'run', input_schema: { type: 'object' } }], messages: [
          { role: 'user', content: q },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'cat log' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: tool }] },
        ] },
      };
    }
    case 'codex': {
      const c = codexBase();
      return c && {
        url: `${c.base}/responses`,
        headers: { authorization: `Bearer ${c.key ?? ''}`, 'user-agent': 'codex_exec/0.0.0-fake', session_id: `fake-${process.pid}` },
        body: { model: 'gpt-5', tools: [{ type: 'function', name: 'shell', parameters: { type: 'object' } }], input: [
          { type: 'message', role: 'user', content: [{ type: 'input_text', text: q }] },
          { type: 'function_call', call_id: 'call_1', name: 'shell', arguments: '{"command":["cat","log"]}' },
          { type: 'function_call_output', call_id: 'call_1', output: tool },
        ] },
      };
    }
    case 'copilot':
    case 'aider': {
      const base = as === 'copilot' ? process.env.COPILOT_PROVIDER_BASE_URL : process.env.OPENAI_API_BASE;
      return base && {
        url: `${base}/chat/completions`,
        headers: { authorization: 'Bearer dummy', ...(as === 'copilot' ? { 'x-initiator': 'user' } : { 'user-agent': 'litellm/0.0.0-fake' }) },
        body: { model: 'gpt-4.1', tools: [{ type: 'function', function: { name: 'bash', parameters: { type: 'object' } } }], messages: [
          { role: 'user', content: q },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'bash', arguments: '{"command":"cat log"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: tool },
        ] },
      };
    }
    case 'gemini': {
      const base = process.env.GOOGLE_GEMINI_BASE_URL;
      return base && {
        url: `${base}/v1beta/models/gemini-2.5-flash:generateContent`,
        headers: { 'x-goog-api-key': process.env.GEMINI_API_KEY ?? '', 'user-agent': 'GeminiCLI/0.0.0-fake' },
        body: { tools: [{ functionDeclarations: [{ name: 'run_shell_command', parameters: { type: 'object' } }] }], contents: [
          { role: 'user', parts: [{ text: q }] },
          { role: 'model', parts: [{ functionCall: { name: 'run_shell_command', args: { command: 'cat log' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'run_shell_command', response: { output: tool } } }] },
        ] },
      };
    }
  }
  return undefined;
}

function answerText(json) {
  return (
    json?.content?.find?.((b) => b.type === 'text')?.text ??
    json?.choices?.[0]?.message?.content ??
    json?.output?.find?.((o) => o.type === 'message')?.content?.[0]?.text ??
    json?.candidates?.[0]?.content?.parts?.[0]?.text ??
    JSON.stringify(json)
  );
}

async function ask() {
  const tool = process.env.FAKE_TOOL_OUTPUT_FILE ? readFileSync(process.env.FAKE_TOOL_OUTPUT_FILE, 'utf8') : 'no output';
  const r = request(tool);
  if (!r) {
    out(`NOT ROUTED: ${as} found no base URL\r\n`);
    process.exit(3);
  }
  out(`ROUTE ${r.url}\r\n`);
  const res = await fetch(r.url, { method: 'POST', headers: { 'content-type': 'application/json', ...r.headers }, body: JSON.stringify(r.body) });
  const json = await res.json();
  // Staying: raw mode before the answer is printed, so a q typed once it shows is read as a key.
  if (process.env.FAKE_STAY === '1') onKeys(() => undefined);
  out(`STATUS ${res.status} SAVED ${res.headers.get('x-headroom-tokens-saved') ?? 'none'}\r\n`);
  out(`ANSWER ${answerText(json)}\r\n`);
  if (process.env.FAKE_STAY !== '1') process.exit(exitCode);
}

switch (mode) {
  case 'ask':
    await ask();
    break;
  // READY only once raw mode is on: a key typed before it would meet the cooked line discipline.
  case 'echo':
    onKeys((d) => process.stdout.write(d));
    out('READY\r\n');
    break;
  case 'keys':
    onKeys((d) => out(`KEYS ${d.toString('hex')}\r\n`));
    out('READY\r\n');
    break;
  case 'size': {
    const size = () => out(`SIZE ${process.stdout.rows} ${process.stdout.columns}\r\n`);
    process.on('SIGWINCH', size);
    size();
    onKeys(() => undefined);
    break;
  }
  case 'cooked':
    process.on('SIGINT', () => {
      out('GOT SIGINT\r\n');
      process.exit(130);
    });
    out('READY\r\n');
    process.stdin.on('data', (d) => out(`LINE ${d.toString().trim()}\r\n`));
    process.stdin.resume();
    break;
  case 'alt-die':
    out('\x1b[?1049h\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[?25l\x1b[>1uALT SCREEN\r\n');
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), 100);
    break;
  case 'flood': {
    const total = Number(process.env.FAKE_FLOOD_MB ?? 10) * 1024 * 1024;
    const line = 'The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz.\r\n';
    const block = Buffer.from(line.repeat(Math.ceil(65536 / line.length)));
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        sent += block.length;
        if (!process.stdout.write(block)) return process.stdout.once('drain', pump);
      }
      process.stdout.write('FLOOD DONE\r\n', () => process.exit(exitCode));
    };
    pump();
    break;
  }
  case 'exit':
    process.exit(exitCode);
    break;
  case 'signal':
    process.kill(process.pid, process.env.FAKE_SIGNAL ?? 'SIGTERM');
    break;
  case 'wait':
    for (const s of (process.env.FAKE_IGNORE_SIGNALS ?? '').split(',').filter(Boolean)) process.on(s, () => undefined);
    out(`PID ${process.pid}\r\n`);
    setInterval(() => undefined, 1 << 30);
    break;
  default:
    out(`unknown FAKE_AGENT_MODE ${mode}\r\n`);
    process.exit(2);
}
