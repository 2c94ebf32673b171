// Source-compression figures with the real Claude Code, Codex and Copilot CLIs (not part of `npm test`): npx vitest run --config scripts/bench-source.config.mjs
export default { test: { include: ['scripts/bench-source.gen.ts'], testTimeout: 3_600_000 } };
