import { describe, expect, it } from 'vitest';
import { AGENTS } from '../../src/agents/index.js';
import { AGENT_NAMES, LEARNABLE_AGENT_NAMES } from '../../src/agents/names.js';

describe('the agent names the CLI lists without loading the agents', () => {
  it('are the registry’s names, in its order', () => {
    expect([...AGENT_NAMES]).toEqual(AGENTS.map((a) => a.name));
  });

  it('the learnable ones are the agents whose sessions learn can read', () => {
    expect([...LEARNABLE_AGENT_NAMES]).toEqual(AGENTS.filter((a) => a.unreadableSessions === undefined).map((a) => a.name));
  });
});
