import { afterEach, describe, expect, it } from 'vitest';
import { runClaude, runCodex, shellThenAnswer } from './helpers/agent-cli.js';
import { startFakeUpstream, toolOutputsOf, type FakeUpstream, type RecordedRequest } from './helpers/fake-upstream.js';

// The real Claude Code and Codex CLIs, driven offline against the fake upstream directly: the
// model asks for a shell command with a big log output, then answers from what came back.

/** A 25 KB application log (400 lines) with one ERROR line in the middle. */
const LOG_COMMAND =
  'seq 1 400 | awk \'{ if ($1 == 200) print "2026-03-01T12:03:20Z ERROR payment-api: connection pool exhausted (order 4711)"; ' +
  'else printf "2026-03-01T12:%02d:%02dZ INFO worker-%d handled request %d in 12ms\\n", int($1/60), $1%60, $1%8, $1 }\'';
const FIRST_LINE = '2026-03-01T12:00:01Z INFO worker-1 handled request 1 in 12ms';
const ERROR_LINE = 'ERROR payment-api: connection pool exhausted (order 4711)';
const LAST_LINE = '2026-03-01T12:06:40Z INFO worker-0 handled request 400 in 12ms';

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
