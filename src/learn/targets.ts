import { resolve } from 'node:path';
import type { Agent } from '../agents/types.js';
import type { Rule } from './types.js';
import { planWrite, readTarget, type WritePlan } from './writer.js';

export interface TargetOptions {
  projectRoot: string;
  /** The agents that may be named in rules (each rule goes to the files of the agents it was seen in). */
  agents: readonly Agent[];
  /** One file for every rule instead (`--target`), relative to the current directory. */
  target?: string;
}

/**
 * The instruction files the rules go to, each with the plan for it: a rule seen in Claude Code
 * sessions goes to CLAUDE.md, one seen in Codex or Copilot CLI sessions to AGENTS.md, and so on
 * (a rule seen in both goes to both), all relative to the project root. `--target` puts every
 * rule in one file. Reads the files; writes nothing. Throws ManagedSectionError / WriteTargetError.
 */
export async function planTargets(rules: readonly Rule[], opts: TargetOptions): Promise<WritePlan[]> {
  const byPath = new Map<string, Rule[]>();
  const put = (path: string, rule: Rule): void => {
    const list = byPath.get(path) ?? [];
    if (!list.some((r) => r.key === rule.key)) list.push(rule);
    byPath.set(path, list);
  };
  for (const rule of rules) {
    if (opts.target !== undefined) {
      put(resolve(opts.target), rule);
      continue;
    }
    for (const name of rule.agents) {
      const agent = opts.agents.find((a) => a.name === name);
      if (agent) put(resolve(opts.projectRoot, agent.learnFile), rule);
    }
  }
  const plans: WritePlan[] = [];
  for (const [path, list] of byPath) plans.push(planWrite(path, await readTarget(path), list));
  return plans;
}
