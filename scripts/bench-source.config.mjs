// Source-compression figures with the real Claude Code CLI (not part of `npm test`): npx vitest run --config scripts/bench-source.config.mjs
export default { test: { include: ['scripts/bench-source.gen.ts'], testTimeout: 1_200_000 } };
