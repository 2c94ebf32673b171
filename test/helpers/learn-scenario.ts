import * as fs from 'node:fs';
import { join } from 'node:path';
import { GEMINI_ROUTE, isGeminiRoutingCall } from './agent-cli.js';
import type { Reply, Script } from './fake-upstream.js';

/**
 * The labelled scenario `headroom learn` is measured on. Each agent CLI runs the same sessions in a
 * sandbox project made by `learnProject`; the fake model makes it run real commands there, so the
 * failures and fixes in the transcripts are the real outputs of real commands.
 *
 * Recurring lessons (each in two sessions or more, so `learn` must find them):
 *  - fix: `npm test` fails (the project has no "test" script), `npm run check` then passes.
 *  - correction: `node build.js` fails, and the user says to use `make build` instead.
 * One-off noise (one session only, so `learn` must drop it):
 *  - `ls generated` fails (no such folder), then plain `ls` works.
 *  - a redirect that is no lesson: "Now summarise the README in one line."
 */

export const LESSONS = {
  fix: { failing: 'npm test', fixing: 'npm run check' },
  correction: { failing: 'node build.js', fixing: 'make build', quote: 'No, never run node build.js directly: use make build instead.' },
  noise: { failing: 'ls generated', fixing: 'ls' },
} as const;

/** One agent run: the prompt, and the shell commands the fake model makes the agent run, in order. */
export interface ScenarioRun {
  prompt: string;
  commands: string[];
  /** Continue the previous run's session (a correction in the same session) instead of starting a new one. */
  continues: boolean;
}

/** Three sessions; the second and third are followed by a correction in the same session. */
export const SCENARIO: ScenarioRun[] = [
  { prompt: 'Run the tests.', commands: [LESSONS.fix.failing, LESSONS.fix.fixing], continues: false },
  { prompt: 'Run the tests, then build the project.', commands: [LESSONS.fix.failing, LESSONS.fix.fixing, LESSONS.correction.failing], continues: false },
  { prompt: LESSONS.correction.quote, commands: [LESSONS.correction.fixing], continues: true },
  { prompt: 'Build the project and list the generated files.', commands: [LESSONS.correction.failing, LESSONS.noise.failing, LESSONS.noise.fixing], continues: false },
  { prompt: LESSONS.correction.quote, commands: [LESSONS.correction.fixing], continues: true },
  { prompt: 'Now summarise the README in one line.', commands: [], continues: true },
];

/** How each scenario command ends in the sandbox project learnProject writes (no "test" script, build.js exits 2, no generated/). */
export const SCENARIO_EXIT_CODES: Readonly<Record<string, number>> = { 'npm test': 1, 'npm run check': 0, 'node build.js': 2, 'make build': 0, 'ls generated': 2, ls: 0 };

/** The scenario's runs grouped by session: a run that continues joins the previous one. */
export function scenarioSessions(runs: readonly ScenarioRun[] = SCENARIO): ScenarioRun[][] {
  const out: ScenarioRun[][] = [];
  for (const run of runs) {
    if (run.continues && out.length > 0) out[out.length - 1]?.push(run);
    else out.push([run]);
  }
  return out;
}

/** Each session of the scenario as a reader test summarises it: `user: …`, `call <shellTool>: …`, `result <exit>[ error]`. */
export function scenarioSummaries(shellTool: string): string[][] {
  return scenarioSessions().map((runs) =>
    runs.flatMap((run) => [
      `user: ${run.prompt}`,
      ...run.commands.flatMap((c) => [`call ${shellTool}: ${c}`, `result ${SCENARIO_EXIT_CODES[c]}${SCENARIO_EXIT_CODES[c] ? ' error' : ''}`]),
    ]),
  );
}

/** Writes the sandbox project: no "test" script, a build.js that refuses to run, a Makefile with `build`. */
export function learnProject(cwd: string): void {
  const pkg = { name: 'scenario', version: '1.0.0', private: true, scripts: { check: 'node check.js' } };
  fs.writeFileSync(join(cwd, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  fs.writeFileSync(join(cwd, 'check.js'), "console.log('12 checks passed');\n");
  fs.writeFileSync(join(cwd, 'build.js'), "console.error('build.js: run through make, it needs BUILD_DIR'); process.exit(2);\n");
  fs.writeFileSync(join(cwd, 'Makefile'), 'build:\n\t@BUILD_DIR=out node -e "console.log(\'built into out/\')"\n');
  fs.writeFileSync(join(cwd, 'README.md'), '# scenario\n\nA tiny project for recording agent sessions.\n');
}

/** The call that runs `command` with the shell tool the request declares, or undefined when it declares none. */
function shellCall(toolNames: string[], command: string): Reply | undefined {
  if (toolNames.includes('Bash')) return { toolCalls: [{ name: 'Bash', input: { command, description: 'Run the command' } }] };
  if (toolNames.includes('exec_command')) return { toolCalls: [{ name: 'exec_command', input: { cmd: command } }] };
  if (toolNames.includes('bash')) return { toolCalls: [{ name: 'bash', input: { command, description: 'Run the command' } }] };
  if (toolNames.includes('run_shell_command')) return { toolCalls: [{ name: 'run_shell_command', input: { command, description: 'Run the command' } }] };
  return undefined;
}

/**
 * The fake model for one run: it asks for `commands` one at a time, each after the previous one's
 * output came back, then answers. Tool outputs of earlier runs in a continued session are not counted.
 */
export function runScript(run: ScenarioRun): Script {
  let base: number | undefined;
  return (call) => {
    if (isGeminiRoutingCall(call)) return GEMINI_ROUTE;
    const first = shellCall(call.toolNames, 'true');
    if (first === undefined) return '{"title": "Fake session"}';
    base ??= call.toolOutputs.length;
    const step = call.toolOutputs.length - base;
    const command = run.commands[step];
    return command === undefined ? `Done (${run.commands.length} commands).` : (shellCall(call.toolNames, command) as Reply);
  };
}
