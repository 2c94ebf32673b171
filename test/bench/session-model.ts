import { codexExecScript } from '../helpers/agent-cli.js';
import type { ModelCall, Reply, Script } from '../helpers/fake-upstream.js';
import type { SessionScript } from './session-scripts.js';

/** A marker headroom leaves where it compressed: the proxy's (tool) or the source note (shell). */
const TOOL_MARKER = /headroom_retrieve key=([0-9a-f]{16})/;
const SHELL_MARKER = /headroom retrieve ([0-9a-f]{16})/;
/** What the model looks for in what was compressed (the sessions read logs and test runs). */
const RETRIEVE_QUERY = 'error';

export interface SessionModel {
  script: Script;
  /** Retrievals the model made (at most one: the first marker it saw). */
  retrievals(): number;
  /** Commands the model has asked for so far. */
  commandsSent(): number;
}

/**
 * The scripted model of one session: each agent turn (a request declaring the agent's shell
 * tool) gets the next command; the first time a tool output carries a headroom marker, the model
 * retrieves the lines of it that match `error`, once (headroom_retrieve when the request declares it, else `headroom retrieve`
 * in the shell). After the last command, the answer. Requests without tools (Claude Code's
 * session title) get a title.
 */
export function sessionModel(session: SessionScript): SessionModel {
  let next = 0;
  let retrieved = 0;
  const script: Script = (call) => {
    if (shellOf(call) === undefined) return '{"title": "Session"}';
    const last = call.toolOutputs[call.toolOutputs.length - 1] ?? '';
    if (retrieved === 0 && call.toolOutputs.length > 0) {
      const key = TOOL_MARKER.exec(last)?.[1];
      if (key && call.toolNames.includes('headroom_retrieve')) {
        retrieved++;
        return { toolCalls: [{ name: 'headroom_retrieve', input: { key, query: RETRIEVE_QUERY } }] };
      }
      const shellKey = key ?? SHELL_MARKER.exec(last)?.[1];
      if (shellKey) {
        retrieved++;
        return shellCall(call, `headroom retrieve ${shellKey} --query ${RETRIEVE_QUERY}`);
      }
    }
    if (next >= session.commands.length) return session.answer;
    return shellCall(call, session.commands[next++]!);
  };
  return { script, retrievals: () => retrieved, commandsSent: () => next };
}

type Shell = 'Bash' | 'exec_command' | 'shell' | 'exec';

function shellOf(call: ModelCall): Shell | undefined {
  for (const name of ['Bash', 'exec_command', 'shell', 'exec'] as const) if (call.toolNames.includes(name)) return name;
  return undefined;
}

function shellCall(call: ModelCall, command: string): Reply {
  switch (shellOf(call)) {
    case 'Bash':
      return { toolCalls: [{ name: 'Bash', input: { command, description: 'Run the command' } }] };
    case 'exec_command':
      return { toolCalls: [{ name: 'exec_command', input: { cmd: command } }] };
    case 'shell':
      return { toolCalls: [{ name: 'shell', input: { command: ['bash', '-lc', command] } }] };
    case 'exec':
      return { toolCalls: [{ name: 'exec', namespace: 'functions', input: {}, freeform: codexExecScript(command, false) }] };
    case undefined:
      throw new Error('the request declares no shell tool');
    default: {
      const never: never = shellOf(call) as never;
      throw new Error(`unhandled shell ${String(never)}`);
    }
  }
}
