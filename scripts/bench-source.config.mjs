// Source-compression figures with the real Claude Code, Codex, Copilot CLI and opencode CLIs (not part of `npm test`): npx vitest run --config scripts/bench-source.config.mjs
export default { test: { include: ['scripts/bench-source.gen.ts'], testTimeout: 3_600_000 } };
