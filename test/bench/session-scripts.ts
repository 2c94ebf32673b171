/**
 * The scripted sessions of the session benchmark: what the model asks the agent to run, turn by
 * turn, in a clone of headroom's own repository (its sources, git history, real logs and test
 * outputs under fixtures/outputs). The agent really runs every command; only the model's choice
 * of command is scripted.
 */
export interface SessionScript {
  id: string;
  /** The user's prompt. */
  prompt: string;
  /** One shell command per model turn, in order. */
  commands: string[];
  /** The model's last answer. */
  answer: string;
}

/** A node:test file that fails until its filter is narrowed to the Anthropic models (the edit). */
const PRICING_TEST = `import { test } from 'node:test';
import assert from 'node:assert';
import { readFileSync } from 'node:fs';
const table = JSON.parse(readFileSync('data/pricing.json', 'utf8'));
const only = (name) => true;
for (const [name, p] of Object.entries(table.models)) {
  if (!only(name)) continue;
  test(name + ': a cache read costs a tenth of an input token', () => {
    assert.strictEqual(Math.round((p.cachedInput / p.input) * 1000) / 1000, 0.1);
  });
}
`;

const RUN_TEST = 'node --test scratch/ > test.log 2>&1; echo "exit $?"';

export const SESSIONS: SessionScript[] = [
  {
    id: 'failing-test',
    prompt: 'A check on the price table fails: find out why, fix the check, and show me it passes.',
    commands: [
      'git log --oneline -30',
      'grep -rn "countTokens" src | head -60',
      'cat src/compress/tokens.ts src/pricing.ts',
      'cat data/pricing.json',
      `mkdir -p scratch && cat > scratch/pricing.test.mjs <<'EOF'\n${PRICING_TEST}EOF\necho written`,
      RUN_TEST,
      'cat test.log',
      'grep -rn "cachedInput" --include=*.ts src | head -40',
      'cat fixtures/outputs/log/node-http-service.txt',
      'grep -n "ERROR\\|WARN" fixtures/outputs/log/node-http-service.txt | head -60',
      'cat fixtures/outputs/test/vitest-loans.txt',
      'sed -n 1,160p src/proxy/server.ts',
      'ls -la src src/proxy src/compress',
      'git show --stat HEAD~3',
      "sed -i \"s/const only = (name) => true;/const only = (name) => name.startsWith('claude');/\" scratch/pricing.test.mjs && grep -n only scratch/pricing.test.mjs",
      RUN_TEST,
      'cat test.log',
      'git status --short',
      'cat README.md',
      'grep -n "cache" README.md | head -80',
      'cat fixtures/outputs/test/jest.txt',
      'git log -5 --stat',
      "find src -name '*.ts' | xargs wc -l | sort -n | tail -40",
      'cat fixtures/outputs/test/node-test-tap.txt',
    ],
    answer: 'The check assumed every provider prices cache reads at a tenth of input; only Anthropic does. I narrowed it to the Anthropic models and it passes.',
  },
  {
    id: 'explore',
    prompt: 'Walk me through how the proxy keeps a session cache-stable, with the files involved.',
    commands: [
      "find . -path ./node_modules -prune -o -type f -name '*.ts' -print | head -300",
      'grep -rn "export function\\|export async function" src/proxy | head -150',
      'cat src/proxy/session.ts',
      'grep -rn "SessionState" --include=*.ts . | head -80',
      'cat src/compress/marker.ts',
      'git log --oneline -60',
      'git log -3 -p --stat -- src/compress | head -400',
      'cat fixtures/outputs/test/pytest-verbose.txt',
      'tail -200 fixtures/outputs/log/node-http-service.txt',
      'grep -rn "TODO\\|FIXME" --include=*.ts src test | head -100',
      'cat src/bench/cache-replay.ts',
      'cat package.json',
      'ls fixtures/workloads',
      'cat fixtures/workloads/p06-test-failure-express-cookie/question.txt',
      'head -c 20000 fixtures/workloads/p06-test-failure-express-cookie/request.json',
      'grep -rn "retrieve" src/proxy/*.ts | head -100',
      'cat src/proxy/retrieval.ts',
      'cat fixtures/outputs/test/go-test-verbose.txt',
      'git shortlog -sn HEAD | head',
      'du -sh src/* | sort -h',
      'cat fixtures/outputs/test/cargo-test.txt',
      'cat fixtures/outputs/test/mocha-spec.txt',
    ],
    answer: 'Each session keeps what it forwarded: a tool output compressed once is replayed byte for byte, so the prefix the provider cached stays the same.',
  },
];
