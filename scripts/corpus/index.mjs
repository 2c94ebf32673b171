// Writes fixtures/corpora/tools/index.json (every case's meta and a summary by kind, language and
// tool) and the corpus README, after any generator ran. Usage: node scripts/corpus/index.mjs
import { writeIndex } from './lib.mjs';

const README = `
# The tool-output corpus

Real outputs of real tools run on small projects written for headroom
(\`fixtures/corpus-projects/\`), each with a fault injected: a wrong constant, a renamed
function, a thrown error, a type mismatch, a missing definition, a use after free. Every case
is one agent step: the task, the agent's thought and the command it ran, and the tool's output
captured verbatim (stdout and stderr in the order written, no colour). Its needles are the lines
an agent needs next, labelled by the output's structure, never by hand: the failing test's name,
its assertion message and expected/actual lines, the \`file:line\` of each diagnostic, the
exception line and the frames in the project's own files. A case whose task or thought names a
needle's specific text is rejected, so no case is solved by matching the question.

Each case directory holds \`request.json\` (an Anthropic Messages request: task, tool call,
output), \`needles.json\`, \`question.txt\`, \`meta.json\` and a \`SOURCE.md\` giving the
project, the fault as a diff, the command, the exit status and the tool's version.

## Tools and versions

| Language | Tools | Generator |
|---|---|---|
| Python 3.11 | pytest, unittest, doctest, mypy, crashing scripts | \`node scripts/corpus/python.mjs\` |
| JavaScript / TypeScript (Node 20) | jest, vitest, mocha, node:test, tsc, eslint, crashing scripts | \`node scripts/corpus/javascript.mjs\` |
| Go 1.19 | go test, go build, go vet, panicking \`go run\` | \`node scripts/corpus/go.mjs\` |
| Rust 1.95 (rustup stable) | cargo test, cargo build/check/clippy, panicking \`cargo run\` | \`node scripts/corpus/rust.mjs\` |
| Java 17 | javac, JUnit 4.13 (JUnitCore and Maven Surefire, offline), stack traces | \`node scripts/corpus/java.mjs\` |
| C / C++ (gcc 12, clang 14) | make, CMake and ctest, linker errors, test harnesses, ASan/UBSan, crashes | \`node scripts/corpus/c-cpp.mjs\` |

Each generator checks that its tools are installed and says how to install a missing one. The
Node test runners come from this project's devDependencies; nothing is downloaded while a
corpus is generated. .NET is not in the corpus: no .NET SDK is installable from the package
sources these machines have. After a generator ran, \`node scripts/corpus/index.mjs\` rewrites
\`index.json\` and this README.

## Using it

\`headroom bench --corpus tools\` compresses every output at the size policy's budget and reports,
per kind and per language, the tokens saved and the needles kept in view, next to a head+tail
cut of the same token size.
`;

const summary = writeIndex('tools', README);
console.log(`${summary.cases} cases, ${summary.needles} needles`);
console.log(summary.byKind, summary.byLanguage);
