// Whole sessions of the real Claude Code and Codex CLIs against a simulated prompt cache (not part of `npm test`): node scripts/bench-sessions.mjs
export default { test: { include: ['scripts/bench-sessions.gen.ts'], testTimeout: 7_200_000 } };
