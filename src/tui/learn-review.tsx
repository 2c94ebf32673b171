import './no-color.js';
import { Box, renderToString, Text } from 'ink';
import { evidenceLine, ruleFacts } from '../learn/report.js';
import type { Rule } from '../learn/types.js';
import { frameWriter } from './frames.js';

/** The review's state: which rule the cursor is on and which rules are accepted. */
export interface ReviewState {
  cursor: number;
  accepted: boolean[];
}

export type ReviewAction = 'up' | 'down' | 'accept' | 'reject' | 'toggle' | 'all' | 'none' | 'write' | 'quit';

/** The action a key press (raw terminal bytes) asks for, if any. */
export function keyAction(key: string): ReviewAction | undefined {
  switch (key) {
    case '\x1b[A':
    case 'k':
      return 'up';
    case '\x1b[B':
    case 'j':
      return 'down';
    case 'y':
    case 'a':
      return 'accept';
    case 'n':
    case 'r':
      return 'reject';
    case ' ':
      return 'toggle';
    case 'A':
      return 'all';
    case 'N':
      return 'none';
    case '\r':
    case '\n':
    case 'w':
      return 'write';
    case 'q':
    case '\x1b':
    case '\x03':
      return 'quit';
    default:
      return undefined;
  }
}

/** The state after an action; accepting or rejecting moves on to the next rule. */
export function reduce(state: ReviewState, action: ReviewAction): ReviewState {
  const n = state.accepted.length;
  const set = (value: boolean): ReviewState => {
    const accepted = [...state.accepted];
    accepted[state.cursor] = value;
    return { cursor: Math.min(n - 1, state.cursor + 1), accepted };
  };
  switch (action) {
    case 'up':
      return { ...state, cursor: Math.max(0, state.cursor - 1) };
    case 'down':
      return { ...state, cursor: Math.min(n - 1, state.cursor + 1) };
    case 'accept':
      return set(true);
    case 'reject':
      return set(false);
    case 'toggle': {
      const accepted = [...state.accepted];
      accepted[state.cursor] = !accepted[state.cursor];
      return { ...state, accepted };
    }
    case 'all':
      return { ...state, accepted: state.accepted.map(() => true) };
    case 'none':
      return { ...state, accepted: state.accepted.map(() => false) };
    default:
      return state;
  }
}

const HELP = '↑/↓ move · y accept · n reject · space toggle · A all · N none · enter write the accepted · q quit, write nothing';

/** One frame of the review: the rules (a window of them around the cursor), then the current rule's evidence. */
function ReviewScreen({ rules, state, rows }: { rules: readonly Rule[]; state: ReviewState; rows: number }) {
  const rule = rules[state.cursor]!;
  const window = Math.max(3, rows - 10 - Math.min(rule.evidence.length, 3));
  const first = Math.max(0, Math.min(state.cursor - Math.floor(window / 2), rules.length - window));
  const shown = rules.slice(first, first + window);
  const accepted = state.accepted.filter(Boolean).length;
  return (
    <Box flexDirection="column">
      <Text>
        <Text color="cyan" bold>
          headroom learn
        </Text>{' '}
        · review {rules.length} rule{rules.length === 1 ? '' : 's'} · {accepted} accepted
      </Text>
      <Text dimColor>{HELP}</Text>
      <Text> </Text>
      {shown.map((r, i) => {
        const index = first + i;
        const on = index === state.cursor;
        return (
          <Text key={r.key} inverse={on} wrap="truncate-end">
            {on ? '›' : ' '} {state.accepted[index] ? <Text color="green">✓</Text> : <Text color="red">✗</Text>} {index + 1}. {r.text}
          </Text>
        );
      })}
      <Text> </Text>
      <Text bold wrap="truncate-end">
        Rule {state.cursor + 1}: {ruleFacts(rule)}
      </Text>
      {rule.evidence.slice(0, 3).map((e, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {'  '}- {evidenceLine(e)}
        </Text>
      ))}
    </Box>
  );
}

/**
 * Lets the user accept or reject each rule in the terminal (every rule starts accepted). Resolves
 * with the accepted rules when they press enter, or undefined when they quit. Needs a TTY on stdin
 * and stdout; restores the terminal's mode on every exit path.
 */
export function reviewRules(rules: readonly Rule[], io: { input: NodeJS.ReadStream; output: NodeJS.WriteStream } = { input: process.stdin, output: process.stdout }): Promise<Rule[] | undefined> {
  const { input, output } = io;
  let state: ReviewState = { cursor: 0, accepted: rules.map(() => true) };
  const draw = frameWriter(output);
  const frame = () => draw(renderToString(<ReviewScreen rules={rules} state={state} rows={output.rows || 24} />, { columns: output.columns || 80 }));
  const wasRaw = input.isRaw === true;
  return new Promise((done) => {
    const finish = (result: Rule[] | undefined) => {
      input.off('data', onData);
      output.off('resize', frame);
      input.setRawMode?.(wasRaw);
      input.pause();
      done(result);
    };
    const onData = (data: Buffer) => {
      const key = data.toString('utf8');
      const action = keyAction(key) ?? (key.length > 1 && !key.startsWith('\x1b') ? keyAction(key[0]!) : undefined);
      if (action === 'write') return finish(rules.filter((_, i) => state.accepted[i]));
      if (action === 'quit') return finish(undefined);
      if (action) {
        state = reduce(state, action);
        frame();
      }
    };
    input.setRawMode?.(true);
    input.resume();
    input.on('data', onData);
    output.on('resize', frame);
    frame();
  });
}
