import { afterEach, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { answerWith, runClaude, runCodex, runCopilot, runGemini, shellThenAnswer } from './helpers/agent-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type RecordedRequest } from './helpers/fake-upstream.js';

// The real Claude Code, Codex, Copilot and Gemini CLIs, driven offline against the fake upstream directly: the
// model asks for a shell command with a big log output, then answers from what came back.

/** A 25 KB application log (400 lines) with one ERROR line in the middle. */
const LOG_COMMAND =
  'seq 1 400 | awk \'{ if ($1 == 200) print "2026-03-01T12:03:20Z ERROR payment-api: connection pool exhausted (order 4711)"; ' +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';
const FIRST_LINE = '2026-03-01T12:00:01Z INFO worker-1 handled request 1 in 12ms';
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
const LAST_LINE = '2026-03-01T12:06:40Z INFO worker-0 handled request 400 in 12ms';

/** The same log at 1000 lines (62 KB), the ERROR line still at line 200. */
const BIG_LOG_COMMAND = LOG_COMMAND.replace('seq 1 400', 'seq 1 1000');
const BIG_LAST_LINE = '2026-03-01T12:16:40Z INFO worker-0 handled request 1000 in 12ms';

const answer = (output: string): string => `FINAL: ${output.includes(ERROR_LINE) ? 'ERROR seen' : 'no ERROR in view'}`;

let fake: FakeUpstream | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The model calls that declare tools: the agent's own turn, not side requests. */
function agentTurns(f: FakeUpstream): RecordedRequest[] {
  return f.modelRequests().filter((r) => ((r.json as { tools?: unknown[] }).tools?.length ?? 0) > 0);
}

function lastToolOutput(r: RecordedRequest): string {
  if (r.format === undefined) throw new Error(`not a model call: ${r.url}`);
  const outputs = toolOutputsOf(r.format, r.json);
  return outputs[outputs.length - 1] ?? '';
}

describe('Claude Code against the fake upstream', () => {
  it('runs the Bash call and answers from its whole output', async () => {
    fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const run = await runClaude({ baseUrl: fake.url, prompt: 'Check the app log for errors.' });

    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: ERROR seen');
    expect(run.outbound).toEqual([]);
    // Optional traffic off: no title request, so exactly the two turns. The HEAD / warm-up
    // probe is fire-and-forget: zero, one or two of them, racing the first turn.
    for (const r of fake.requests.filter((q) => q.method === 'HEAD')) expect(r.url).toBe('/');
    expect(fake.requests.filter((r) => r.method !== 'HEAD').map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /v1/messages?beta=true',
      'POST /v1/messages?beta=true',
    ]);
    const [first, second] = agentTurns(fake);
    expect(toolOutputsOf('anthropic', first?.json)).toEqual([]);
    expect(second?.headers['x-claude-code-session-id']).toBe(first?.headers['x-claude-code-session-id']);
    // Under Claude Code's ~30 KB limit the output arrives whole.
    const output = lastToolOutput(second!);
    expect(output.startsWith(FIRST_LINE)).toBe(true);
    expect(output).toContain(ERROR_LINE);
    expect(output.endsWith(LAST_LINE)).toBe(true);
  });

  it('with optional traffic on, also asks for a session title (a request with no tools)', async () => {
    fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const run = await runClaude({ baseUrl: fake.url, prompt: 'Check the app log for errors.', nonessentialTraffic: true });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: ERROR seen');
    const titleRequests = fake.modelRequests().filter((r) => !agentTurns(fake!).includes(r));
    expect(titleRequests).toHaveLength(1);
    expect(titleRequests[0]?.body).toContain('Generate a concise, sentence-case title');
    // It also tries api.anthropic.com directly, whatever the base URL (refused by the helper).
    expect(run.outbound).toContain('api.anthropic.com:443');
    expect(agentTurns(fake)).toHaveLength(2);
  });
});

describe('Codex against the fake upstream', () => {
  it('runs exec_command and answers from the head and tail Codex keeps', async () => {
    fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const run = await runCodex({ baseUrl: fake.url, prompt: 'Check the app log for errors.' });

    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    // exec prints only the final message on stdout; the transcript goes to stderr.
    expect(run.stdout.trim()).toBe('FINAL: no ERROR in view');
    expect(run.outbound).toEqual([]);
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/responses', 'POST /v1/responses']);
    const [first, second] = agentTurns(fake);
    expect(first?.headers.authorization).toBe('Bearer dummy');
    expect(toolOutputsOf('openai-responses', first?.json)).toEqual([]);
    // Codex cuts tool output to ~10 KB, keeping head and tail: the middle (the ERROR) is gone.
    const output = lastToolOutput(second!);
    expect(output).toContain('Warning: truncated output');
    expect(output).toContain(FIRST_LINE);
    expect(output.trimEnd().endsWith(LAST_LINE)).toBe(true);
    expect(output).not.toContain(ERROR_LINE);
    expect(output.length).toBeLessThan(12_000);
  });

  it('passes the whole output when tool_output_token_limit is raised', async () => {
    fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const run = await runCodex({ baseUrl: fake.url, prompt: 'Check the app log for errors.', config: ['tool_output_token_limit=100000'] });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: ERROR seen');
    const output = lastToolOutput(agentTurns(fake)[1]!);
    expect(output).not.toContain('truncated output');
    expect(output).toContain(ERROR_LINE);
  });
});

describe('Copilot CLI against the fake upstream', () => {
  it('answers a plain prompt over Chat Completions, with nothing sent anywhere else', async () => {
    fake = await startFakeUpstream(answerWith('FINAL: plain answer'));
    const run = await runCopilot({ baseUrl: fake.url, prompt: 'Say hello.', timeoutMs: 30_000 });

    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: plain answer');
    expect(run.outbound).toEqual([]);
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/chat/completions']);
    const [req] = fake.requests;
    expect(req?.headers.authorization).toBe('Bearer dummy');
    expect(req?.headers['user-agent']).toMatch(/^OpenAI\/JS /);
    expect(req?.headers['x-initiator']).toBe('user');
    expect(req?.json).toMatchObject({ model: 'gpt-fake', stream: true });
  });

  it('runs the bash call; an output over ~20 KB is saved to a file and only a 500-char preview sent', async () => {
    fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-copilot-home-'));
    try {
      const run = await runCopilot({ baseUrl: fake.url, prompt: 'Check the app log for errors.', home, timeoutMs: 30_000 });

      expect(run.timedOut).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('FINAL: no ERROR in view');
      expect(run.outbound).toEqual([]);
      expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/chat/completions', 'POST /v1/chat/completions']);
      const [first, second] = agentTurns(fake);
      expect(toolOutputsOf('openai-chat', first?.json)).toEqual([]);
      // The follow-up after a tool call is marked as the agent's, not the user's.
      expect([first?.headers['x-initiator'], second?.headers['x-initiator']]).toEqual(['user', 'agent']);
      const output = lastToolOutput(second!);
      expect(output).toMatch(/^Output too large to read at once \(24\.\d KB\)\. Saved to: /);
      expect(output).toContain('Preview (first 500 chars):');
      expect(output).toContain(FIRST_LINE);
      expect(output).not.toContain(ERROR_LINE);
      expect(output.trimEnd().endsWith('<shellId: 0 completed with exit code 0>')).toBe(true);
      // The whole output went to a file in TMPDIR (the helper keeps it inside the sandbox home),
      // for the model to read during the session; Copilot deletes it when the session ends.
      const saved = /Saved to: (\S+)/.exec(output)?.[1] ?? '';
      expect(saved.startsWith(join(home, 'tmp'))).toBe(true);
      expect(fs.existsSync(saved)).toBe(false);
      // Its transcript: ~/.copilot/session-state/<session>/events.jsonl.
      const [session] = fs.readdirSync(join(home, '.copilot/session-state')).filter((d) => !d.startsWith('.'));
      const events = fs.readFileSync(join(home, '.copilot/session-state', session!, 'events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
      expect(events.map((e) => e.type)).toContain('tool.execution_complete');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('passes the whole output when COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES is raised', async () => {
    fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const run = await runCopilot({ baseUrl: fake.url, prompt: 'Check the app log for errors.', env: { COPILOT_LARGE_OUTPUT_THRESHOLD_BYTES: '100000' }, timeoutMs: 30_000 });

    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: ERROR seen');
    const output = lastToolOutput(agentTurns(fake)[1]!);
    expect(output.startsWith(FIRST_LINE)).toBe(true);
    expect(output).toContain(ERROR_LINE);
    expect(output).toContain(`${LAST_LINE}\n<shellId: 0 completed with exit code 0>`);
  });
});

describe('Gemini CLI against the fake upstream', () => {
  it('routes, then answers a plain prompt over streamGenerateContent, with nothing sent anywhere else', async () => {
    fake = await startFakeUpstream(answerWith('FINAL: plain answer'));
    const run = await runGemini({ baseUrl: fake.url, prompt: 'Say hello.', timeoutMs: 30_000 });

    expect(run.timedOut).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('FINAL: plain answer');
    expect(run.stderr).not.toContain('[Routing]');
    expect(run.outbound).toEqual([]);
    const urls = fake.requests.map((r) => `${r.method} ${r.url}`);
    expect(urls).toEqual([expect.stringMatching(/^POST \/v1beta\/models\/[^/:]+:generateContent$/), expect.stringMatching(/^POST \/v1beta\/models\/[^/:]+:streamGenerateContent\?alt=sse$/)]);
    const [route, turn] = fake.requests;
    // The routing call declares no tools and asks for JSON with a complexity score.
    expect(route?.json).not.toHaveProperty('tools');
    expect(route?.json).toHaveProperty('generationConfig.responseJsonSchema.properties.complexity_score');
    expect(route?.headers['x-goog-api-key']).toBe('dummy');
    expect(turn?.headers['user-agent']).toMatch(/^GeminiCLI-tui\/0\.61\.0\//);
    expect(turn?.headers['x-goog-api-client']).toMatch(/^google-genai-sdk\//);
  });

  it('runs run_shell_command (yolo) and answers from its output', async () => {
    fake = await startFakeUpstream(shellThenAnswer(LOG_COMMAND, answer));
    const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-gemini-home-'));
    try {
      const run = await runGemini({ baseUrl: fake.url, prompt: 'Check the app log for errors.', home, timeoutMs: 30_000 });

      expect(run.timedOut).toBe(false);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('FINAL: ERROR seen');
      expect(run.outbound).toEqual([]);
      // One routing call per prompt, not per tool round; a low score picks the flash model.
      expect(fake.requests.map((r) => r.url.replace(/models\/[^/:]+/, 'models/M'))).toEqual([
        '/v1beta/models/M:generateContent',
        '/v1beta/models/M:streamGenerateContent?alt=sse',
        '/v1beta/models/M:streamGenerateContent?alt=sse',
      ]);
      expect(fake.requests[1]?.url).toContain('flash');
      const [first, second] = agentTurns(fake);
      expect(toolOutputsOf('gemini', first?.json)).toEqual([]);
      // The functionResponse is {output}: the text wrapped as untrusted, with the process group.
      const { output } = JSON.parse(lastToolOutput(second!)) as { output: string };
      expect(output.startsWith(`<untrusted_context>\nOutput: ${FIRST_LINE}\n`)).toBe(true);
      expect(output).toContain(ERROR_LINE);
      expect(output).toContain(`${LAST_LINE}\nProcess Group PGID: `);
      expect(output).toMatch(/\nProcess Group PGID: \d+\n<\/untrusted_context>$/);
      // Its transcript: ~/.gemini/tmp/<project>/chats/session-*.jsonl.
      const tmp = join(home, '.gemini/tmp');
      const chats = fs.readdirSync(tmp).flatMap((p) => (fs.existsSync(join(tmp, p, 'chats')) ? fs.readdirSync(join(tmp, p, 'chats')) : []));
      expect(chats).toEqual([expect.stringMatching(/^session-.*\.jsonl$/)]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('keeps the first 20% and last 80% of 40,000 chars of a bigger output, the full one saved to a file', async () => {
    fake = await startFakeUpstream(shellThenAnswer(BIG_LOG_COMMAND, answer));
    const home = fs.mkdtempSync(join(os.tmpdir(), 'headroom-gemini-home-'));
    try {
      const run = await runGemini({ baseUrl: fake.url, prompt: 'Check the app log for errors.', home, timeoutMs: 30_000 });

      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout.trim()).toBe('FINAL: no ERROR in view');
      const response = JSON.parse(lastToolOutput(agentTurns(fake)[1]!)) as { output: string };
      expect(response.output).toMatch(/^Output too large\. Showing first 8,000 and last 32,000 characters\. For full output see: \S+\n<untrusted_context>\nOutput: /);
      expect(response.output).toContain(FIRST_LINE);
      expect(response.output).toMatch(/\.\.\. \[[\d,]+ characters omitted\] \.\.\./);
      expect(response.output).toContain(BIG_LAST_LINE);
      expect(response.output).not.toContain(ERROR_LINE);
      const saved = /For full output see: (\S+)/.exec(response.output)?.[1] ?? '';
      expect(saved.startsWith(join(home, '.gemini/tmp'))).toBe(true);
      expect(fs.readFileSync(saved, 'utf8')).toContain(ERROR_LINE);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
