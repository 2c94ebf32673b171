import { describe, expect, it } from 'vitest';
import { combineContext, latestUserText, NO_INJECTED_CONTEXT, realUserText, withoutInjectedContext, type InjectedContext, type NeutralRequest } from '../../src/wire/index.js';

/** The neutral view leaves out exactly the context blocks its caller names, and no others. */

const REMINDERS: InjectedContext = { tags: ['system-reminder'], preambles: [] };
const ENVIRONMENT: InjectedContext = { tags: ['environment_context', 'a.b+c'], preambles: ['# AGENTS.md instructions'] };

describe('withoutInjectedContext', () => {
  it('removes blocks of the named tags, attributes or not, and keeps the rest', () => {
    expect(withoutInjectedContext('<system-reminder n="2">x</system-reminder> fix the bug ', REMINDERS)).toBe('fix the bug');
    expect(withoutInjectedContext('<environment_context>x</environment_context>fix', REMINDERS)).toBe('<environment_context>x</environment_context>fix');
  });

  it('keeps every text when no blocks are named', () => {
    expect(withoutInjectedContext(' <system-reminder>x</system-reminder>', NO_INJECTED_CONTEXT)).toBe('<system-reminder>x</system-reminder>');
  });

  it('counts an unclosed block or a named preamble as context all the way down', () => {
    expect(withoutInjectedContext('<system-reminder>never closed', REMINDERS)).toBe('');
    expect(withoutInjectedContext('# AGENTS.md instructions for /repo\n...', ENVIRONMENT)).toBe('');
    expect(withoutInjectedContext('# AGENTS.md instructions for /repo', REMINDERS)).toBe('# AGENTS.md instructions for /repo');
  });

  it('matches tag names literally', () => {
    expect(withoutInjectedContext('<a.b+c>x</a.b+c>kept', ENVIRONMENT)).toBe('kept');
    expect(withoutInjectedContext('<aXbbc>x</aXbbc>kept', ENVIRONMENT)).toBe('<aXbbc>x</aXbbc>kept');
  });
});

describe('latestUserText and realUserText', () => {
  const request: NeutralRequest = {
    model: 'm',
    stream: false,
    system: [],
    tools: [],
    messages: [
      { role: 'user', parts: [{ type: 'text', text: 'first task' }] },
      { role: 'assistant', parts: [{ type: 'text', text: 'done' }] },
      { role: 'user', parts: [{ type: 'text', text: '<system-reminder>r</system-reminder>' }, { type: 'text', text: '<environment_context>e</environment_context>' }] },
    ],
  };

  it('skip user turns that are context only, by the blocks given', () => {
    expect(latestUserText(request, combineContext(REMINDERS, ENVIRONMENT))).toBe('first task');
    expect(latestUserText(request, REMINDERS)).toBe('<environment_context>e</environment_context>');
    expect(realUserText(request.messages[2]!, NO_INJECTED_CONTEXT)).toBe('<system-reminder>r</system-reminder>\n<environment_context>e</environment_context>');
  });

  it('combines several agents’ blocks without repeats', () => {
    expect(combineContext(REMINDERS, ENVIRONMENT, REMINDERS)).toEqual({ tags: ['system-reminder', 'environment_context', 'a.b+c'], preambles: ['# AGENTS.md instructions'] });
  });
});
