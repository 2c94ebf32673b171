// Rust part of the tool-output corpus: cargo test, cargo build/check/clippy and panicking
// `cargo run` programs on two small std-only crates (fixtures/corpus-projects/rust-calc,
// rust-stock), each with injected faults.
// `node scripts/corpus/rust.mjs [--only SUBSTRING] [--dry] [--reuse]`. Needs cargo and rustc
// (rustup's stable toolchain with clippy); no crate is downloaded.
import { buildFamily } from './case-builder.mjs';
import * as cargoTest from './label-cargo-test.mjs';
import * as rustPanic from './label-rust-panic.mjs';
import * as rustc from './label-rustc.mjs';

const TOOLS = [
  { name: 'cargo', version: 'cargo --version && rustc --version', install: 'rustup toolchain install stable (cargo and rustc)' },
  { name: 'clippy', version: 'cargo clippy --version', install: 'rustup component add clippy' },
];

const CALC = { project: 'rust-calc', short: 'calc', language: 'rust', toolName: 'cargo' };
const STOCK = { project: 'rust-stock', short: 'stock', language: 'rust', toolName: 'cargo' };

const test = { kind: 'test-run', tool: 'cargo-test', labeller: cargoTest, expectStatus: 'nonzero' };
const build = { kind: 'compile', tool: 'cargo-build', labeller: rustc, expectStatus: 'nonzero' };
const check = { kind: 'compile', tool: 'cargo-check', labeller: rustc, expectStatus: 'nonzero' };
const clippy = { kind: 'compile', tool: 'cargo-clippy', labeller: rustc, toolName: 'clippy' };
const run = { kind: 'traceback', tool: 'cargo-run', labeller: rustPanic, expectStatus: 'nonzero' };
const bt1 = { env: { RUST_BACKTRACE: '1' } };
const btFull = { env: { RUST_BACKTRACE: 'full' } };

const edit = (file, from, to) => ({ file, from, to });

function fault(base, f, runs) {
  return runs.map(([shape, variant, command, task, thought, extra]) => ({ ...base, ...shape, fault: f, variant, command, task, thought, ...(extra ?? {}) }));
}

const CALC_CASES = [
  ...fault(CALC, {
    id: 'power-left-assoc',
    desc: 'The parser treats `^` as left-associative (the right operand is parsed at prec + 1 for every operator).',
    edits: [edit('src/parser.rs', "let next_min = if op == '^' { prec } else { prec + 1 };", 'let next_min = prec + 1;')],
  }, [
    [test, null, 'cargo test', 'Chained powers like 2^3^2 give the wrong answer in the calculator. Fix the parser.', 'Let me run the whole test suite.', { expect: /power/ }],
    [test, 'no-fail-fast-backtrace', 'cargo test --no-fail-fast', 'Exponentiation order is wrong; show me every failing test with backtraces.', 'Run all binaries with backtraces.', { ...bt1, expect: /power/ }],
    [test, 'one-binary', 'cargo test --test eval_tests', 'Exponent chains evaluate incorrectly. Please check the evaluator tests.', 'Running only the evaluation test binary.', { expect: /power/ }],
    [test, 'backtrace', 'cargo test power', 'Power expressions are evaluated in the wrong order. Show me why.', 'Filter the tests on power, with backtraces on.', { ...bt1, expect: /power/ }],
  ]),
  ...fault(CALC, {
    id: 'flat-precedence',
    desc: 'Multiplication, division and remainder get the same precedence as addition.',
    edits: [edit('src/parser.rs', "        '*' | '/' | '%' => 2,", "        '*' | '/' | '%' => 1,")],
  }, [
    [test, null, 'cargo test --no-fail-fast', 'Lots of calculator results are wrong since I touched the operator table. Fix it.', 'Run every test binary without stopping at the first failure.', { expect: /conformance|precedence/ }],
    [test, 'conformance-backtrace', 'cargo test --test conformance', 'The conformance table from the user guide fails badly. I need to see where the panics come from.', 'Run the conformance binary with backtraces.', { ...bt1, expect: /conformance\.rs/ }],
    [test, 'parser-backtrace', 'cargo test --lib parser', 'Operator precedence is broken; show me the parser unit test failures with backtraces.', 'Parser unit tests with RUST_BACKTRACE=1.', { ...bt1, expect: /precedence|parser\.rs/ }],
  ]),
  ...fault(CALC, {
    id: 'floored-division',
    desc: 'Division floors its result.',
    edits: [edit('src/eval.rs', "'/' => Ok(x / y),", "'/' => Ok((x / y).floor()),")],
  }, [
    [test, null, 'cargo test --no-fail-fast', 'Division results lost their fractions. Find the bug in the calculator.', 'Run every test binary.', { expect: /div|conformance/ }],
    [test, 'backtrace', 'cargo test --no-fail-fast', 'Division is broken; get me backtraces for all the failing tests.', 'All binaries with RUST_BACKTRACE=1.', { ...bt1, expect: /div|conformance/ }],
  ]),
  ...fault(CALC, {
    id: 'subtraction-adds',
    desc: 'The `-` operator adds its operands.',
    edits: [edit('src/eval.rs', "'-' => Ok(x - y),", "'-' => Ok(x + y),")],
  }, [
    [test, null, 'cargo test --no-fail-fast', 'Subtraction gives wrong answers after the evaluator refactor. Please fix.', 'Run all tests, every binary.', { expect: /conformance|sub/ }],
    [test, 'conformance-backtrace-full', 'cargo test --test conformance arith_0', 'The arithmetic rows of the user-guide conformance table fail; I want complete backtraces for the report.', 'The first arithmetic rows of the conformance binary, full backtraces.', { ...btFull, expect: /conformance/ }],
  ]),
  ...fault(CALC, {
    id: 'truncating-remainder',
    desc: 'The `%` operator uses the truncating remainder instead of rem_euclid.',
    edits: [edit('src/eval.rs', "'%' => Ok(x.rem_euclid(y)),", "'%' => Ok(x % y),")],
  }, [
    [test, null, 'cargo test', 'Modulo of negative numbers returns negative results now. It should not.', 'Run the tests to see which cases break.', { expect: /rem_negative|eval_tests/ }],
    [test, 'no-fail-fast', 'cargo test --no-fail-fast -- --test-threads=1', 'The remainder operator misbehaves for some inputs. Investigate across all test binaries.', 'Run every test binary even after failures, single-threaded for stable order.', { expect: /rem/ }],
    [test, 'backtrace-full', 'cargo test --no-fail-fast', 'Remainders of negative numbers are wrong; give me full backtraces of the failing tests.', 'All binaries, full backtraces.', { ...btFull, expect: /rem/ }],
  ]),
  ...fault(CALC, {
    id: 'round-scale-off',
    desc: 'round() scales by one extra decimal place.',
    edits: [edit('src/eval.rs', 'let scale = 10f64.powi(vals[1] as i32);', 'let scale = 10f64.powi(vals[1] as i32 + 1);')],
  }, [
    [test, null, 'cargo test --no-fail-fast', 'Rounded results in budget scripts have one decimal too many. Fix rounding.', 'Let me run every test binary, not stopping at the first failure.', { expect: /round|script_tests|conformance/ }],
    [test, 'backtrace-full', 'cargo test --no-fail-fast', 'The round function gives wrong values. I need the full picture of what fails.', 'All test binaries with full backtraces.', { ...btFull, expect: /round/ }],
  ]),
  ...fault(CALC, {
    id: 'exponent-sign-dropped',
    desc: 'The lexer no longer accepts a sign after the exponent marker.',
    edits: [edit('src/lexer.rs', `                    if i < chars.len() && (chars[i] == '-' || chars[i] == '+') {
                        i += 1;
                    }
`, '')],
  }, [
    [test, null, 'cargo test --lib', 'Numbers like 2E-2 fail to lex. Look at the tokenizer.', 'Run the unit tests of the library.', { expect: /exponent_numbers|lexer\.rs/ }],
    [test, 'verbose', 'cargo test --lib -- --nocapture --test-threads=1', 'Scientific notation with negative exponents broke. Please fix.', 'Library unit tests with output shown, one thread.', { expect: /exponent_numbers|lexer\.rs/ }],
  ]),
  ...fault(CALC, {
    id: 'domain-message-changed',
    desc: 'The sqrt domain error message no longer says "domain error", which a should_panic test expects.',
    edits: [edit('src/eval.rs', 'EvalError::Domain(m) => write!(f, "domain error: {}", m),', 'EvalError::Domain(m) => write!(f, "invalid input: {}", m),')],
  }, [
    [test, null, 'cargo test --test eval_tests', 'I reworded an error message and now an evaluator test fails. Sort it out.', 'Run the evaluator tests.', { expect: /expected substring|did not contain|sqrt_of_negative/ }],
  ]),
  ...fault(CALC, {
    id: 'history-not-kept',
    desc: 'Env::set no longer records assignments in history.',
    edits: [edit('src/eval.rs', '        self.history.push((name.to_string(), value));\n', '')],
  }, [
    [test, null, 'cargo test', 'The assignment history is always empty. Find out why.', 'Run the full test suite.', { expect: /assignments_are_remembered|left/ }],
    [test, 'backtrace-full', 'cargo test --no-fail-fast', 'History of assignments is lost; I want the complete picture with backtraces.', 'Run all test binaries with full backtraces.', { ...btFull, expect: /assignments_are_remembered|left/ }],
  ]),
  ...fault(CALC, {
    id: 'doc-example-wrong',
    desc: 'The crate documentation example asserts a wrong value.',
    edits: [edit('src/lib.rs', '//! assert_eq!(calc::evaluate("x ^ 2 - 1", &mut env).unwrap(), 35.0);', '//! assert_eq!(calc::evaluate("x ^ 2 - 1", &mut env).unwrap(), 36.0);')],
  }, [
    [test, null, 'cargo test --doc', 'Docs CI is red for the calculator crate. Fix the example.', 'Run the doc tests.', { expect: /lib\.rs/ }],
    [test, 'all', 'cargo test', 'Something in the calculator test suite fails since my docs edit. Fix it.', 'Run everything including doc tests.', { expect: /lib\.rs/ }],
  ]),
  ...fault(CALC, {
    id: 'mixed-float-int',
    desc: 'round passes an f64 where i32 is expected, and mean returns the count instead of the average.',
    edits: [
      edit('src/eval.rs', 'let scale = 10f64.powi(vals[1] as i32);', 'let scale = 10f64.powi(vals[1]);'),
      edit('src/eval.rs', 'Ok(vals.iter().sum::<f64>() / vals.len() as f64)', 'Ok(vals.len())'),
    ],
  }, [
    [build, null, 'cargo build', 'I simplified some numeric code in the evaluator and now it does not build. Fix the types.', 'Build the crate.', { expect: /E0308/ }],
    [test, null, 'cargo test', 'Tests fail to compile after my evaluator cleanup. Please repair.', 'Run the tests to see the compile errors.', { expect: /E0308/ }],
  ]),
  ...fault(CALC, {
    id: 'borrow-conflicts',
    desc: 'Env::run keeps a borrow of the history across set(), and set() takes two mutable borrows of vars.',
    edits: [
      edit('src/eval.rs', `                let v = self.eval(e)?;
                self.set(name, v);
                Ok(v)`, `                let v = self.eval(e)?;
                let before = &self.history;
                self.set(name, v);
                Ok(v + before.len() as f64 * 0.0)`),
      edit('src/eval.rs', `        self.vars.insert(name.to_string(), value);`, `        let vars = &mut self.vars;
        let again = &mut self.vars;
        vars.insert(name.to_string(), value);
        again.entry(name.to_string()).or_insert(value);`),
    ],
  }, [
    [check, null, 'cargo check', 'I tried to track history size in the evaluator and the borrow checker is unhappy. Fix it.', 'cargo check is the quickest way to see the errors.', { expect: /E0502|E0499/ }],
    [build, 'all-targets', 'cargo build --all-targets', 'The evaluator no longer compiles after my history change. Please fix.', 'Build all targets.', { expect: /E0502|E0499/ }],
  ]),
  ...fault(CALC, {
    id: 'unresolved-import',
    desc: 'eval.rs imports a Program type that does not exist and a HashSet it never uses.',
    edits: [edit('src/eval.rs', 'use crate::parser::{Expr, Stmt};\nuse std::collections::HashMap;', 'use crate::parser::{Expr, Program, Stmt};\nuse std::collections::{HashMap, HashSet};')],
  }, [
    [build, null, 'cargo build', 'Build is broken after I started on multi-statement programs. Fix it for now.', 'Build to see the errors.', { expect: /E0432/ }],
  ]),
  ...fault(CALC, {
    id: 'lifetime-dropped',
    desc: 'The Parser struct lost its lifetime parameter.',
    edits: [edit('src/parser.rs', `pub struct Parser<'a> {
    toks: &'a [Token],`, `pub struct Parser {
    toks: &[Token],`)],
  }, [
    [build, null, 'cargo build', 'I removed what looked like noise from the parser struct and now nothing compiles. Fix it.', 'Build the crate.', { expect: /E0106|E0107/ }],
    [check, 'tests', 'cargo check --tests', 'The parser struct change broke the build, tests included. Please fix.', 'Check everything including tests.', { expect: /E0106|E0107/ }],
  ]),
  ...fault(CALC, {
    id: 'renamed-tokenize',
    desc: 'lexer::tokenize was renamed to lex; its callers were not updated.',
    edits: [edit('src/lexer.rs', 'pub fn tokenize(src: &str) -> Result<Vec<Token>, LexError> {', 'pub fn lex(src: &str) -> Result<Vec<Token>, LexError> {')],
  }, [
    [test, null, 'cargo test', 'I renamed the tokenizer entry point and the test suite no longer builds. Fix the callers.', 'Run the tests to see what breaks.', { expect: /E0425|E0432/ }],
    [build, null, 'cargo build', 'Build fails after renaming the tokenizer function. Please fix.', 'Build first.', { expect: /E0425|E0432/ }],
  ]),
  ...fault(CALC, {
    id: 'lint-debt',
    desc: 'Leftovers from debugging: an unused variable, an unused helper, a needless return and a manual clamp.',
    edits: [
      edit('src/eval.rs', 'fn arity(name: &str, vals: &[f64], expected: usize) -> Result<(), EvalError> {', `fn clamp_scale(s: i32) -> i32 {
    if s > 12 {
        return 12;
    }
    if s < -12 {
        return -12;
    }
    return s;
}

fn arity(name: &str, vals: &[f64], expected: usize) -> Result<(), EvalError> {`),
      edit('src/eval.rs', '            let scale = 10f64.powi(vals[1] as i32);', '            let places = vals[1] as i32;\n            let scale = 10f64.powi(vals[1] as i32);'),
      edit('src/lexer.rs', "            ' ' | '\\t' => i += 1,", "            ' ' | '\\t' => i = i + 1,"),
      edit('src/parser.rs', '        if self.pos < self.toks.len() {', '        if self.toks.len() > 0 && self.pos < self.toks.len() {'),
    ],
  }, [
    [clippy, null, 'cargo clippy', 'Run clippy on the calculator and clean up what it reports before release.', 'Let me see what clippy says.', { expect: /warning/ }],
    [clippy, 'all-targets', 'cargo clippy --all-targets -- -D warnings', 'CI runs clippy with warnings denied and it fails. Fix the lints.', 'Same flags as CI.', { expectStatus: 'nonzero', expect: /error/ }],
    [build, 'warnings', 'cargo build', 'I want a clean build of the calculator; check for compiler warnings.', 'Build and read the warnings.', { expectStatus: 'any', expect: /warning/ }],
    [clippy, 'pedantic', 'cargo clippy --all-targets -- -W clippy::pedantic', 'We want to adopt clippy pedantic for the calculator. See what it reports and fix the worst.', 'Run clippy with the pedantic group on.', { expect: /warning/ }],
  ]),
  ...fault(CALC, {
    id: 'unknown-variable-in-script',
    desc: 'The example budget script misspells a variable (`insurence`).',
    edits: [edit('examples/budget.calc', 'month = rent + utilities + food + transport + insurance', 'month = rent + utilities + food + transport + insurence')],
  }, [
    [run, null, 'cargo run -q -- examples/budget.calc', 'The quarterly budget example crashes. Find the problem.', 'Run the example script.', { expect: /Unknown|unwrap/ }],
    [run, 'backtrace', 'cargo run -- examples/budget.calc', 'The budget example panics; I want to know where in our code.', 'Run it with a backtrace.', { ...bt1, expect: /main\.rs/ }],
    [run, 'backtrace-full', 'cargo run -- examples/budget.calc', 'The budget example panics; attach the complete backtrace to the ticket.', 'Run it with RUST_BACKTRACE=full.', { ...btFull, expect: /main\.rs/ }],
  ]),
  ...fault(CALC, {
    id: 'deep-nesting',
    desc: 'A generated script line nests 60,000 parentheses, so the recursive parser overflows the stack.',
    edits: [{ file: 'examples/nested.calc', create: `# stress input from the fuzzer\nx = 1\n${'('.repeat(60000)}x${')'.repeat(60000)}\n` }],
  }, [
    [run, null, 'cargo run -q -- examples/nested.calc', 'The calculator aborts on a fuzzer-generated input. What happens?', 'Run the fuzzer input.', { expect: /overflow/ }],
  ]),
  ...fault(CALC, {
    id: 'unhandled-operator',
    desc: 'The lexer and precedence table accept `&`, but the evaluator has no arm for it.',
    edits: [
      edit('src/lexer.rs', "'+' | '-' | '*' | '/' | '^' | '%' => {", "'+' | '-' | '*' | '/' | '^' | '%' | '&' => {"),
      edit('src/parser.rs', "        '*' | '/' | '%' => 2,", "        '*' | '/' | '%' | '&' => 2,"),
      edit('examples/budget.calc', 'gym = 29', 'gym = 29 & 31'),
    ],
  }, [
    [run, 'backtrace-full', 'cargo run -- examples/budget.calc', 'I started adding a bitwise and operator; the budget example now crashes. Investigate.', 'Run the example with full backtraces.', { ...btFull, expect: /unreachable/ }],
    [run, 'backtrace', 'cargo run -q -- examples/budget.calc', 'The calculator hits an internal error on the budget example. Why?', 'Run with RUST_BACKTRACE=1.', { ...bt1, expect: /unreachable/ }],
  ]),
  ...fault(CALC, {
    id: 'round-arity-unchecked',
    desc: 'round() no longer checks its argument count, and the example calls it with one argument.',
    edits: [
      edit('src/eval.rs', '            arity(name, vals, 2)?;\n', ''),
      edit('examples/budget.calc', 'buffer = round(sqrt(quarter) * 10, 1)', 'buffer = round(sqrt(quarter) * 10)'),
    ],
  }, [
    [run, null, 'cargo run -q -- examples/budget.calc', 'The budget example crashes near the end. Please fix.', 'Run the example.', { expect: /index out of bounds/ }],
    [run, 'backtrace', 'cargo run -q -- examples/budget.calc', 'Calling round with a single argument crashes the calculator. Find where.', 'Run again with a backtrace.', { ...bt1, expect: /eval\.rs/ }],
    [run, 'backtrace-full', 'cargo run -- examples/budget.calc', 'round() with one argument crashes; I need the full backtrace with addresses.', 'Run with full backtraces.', { ...btFull, expect: /eval\.rs/ }],
  ]),
];

const STOCK_CASES = [
  ...fault(STOCK, {
    id: 'issues-newest-first',
    desc: 'issue takes units from the newest lot instead of the oldest.',
    edits: [
      edit('src/stock.rs', 'let lot = lots.front_mut().expect("on_hand covered the request");', 'let lot = lots.back_mut().expect("on_hand covered the request");'),
      edit('src/stock.rs', '                lots.pop_front();', '                lots.pop_back();'),
    ],
  }, [
    [test, null, 'cargo test', 'Cost of goods issued looks too high since the stock refactor. We use FIFO costing.', 'Run the whole suite.', { expect: /fifo_cost|a_week/ }],
    [test, 'backtrace', 'cargo test', 'FIFO costing is broken. Show me where the tests fail.', 'Run tests with a backtrace.', { ...bt1, expect: /fifo_cost|a_week/ }],
    [test, 'backtrace-full', 'cargo test --no-fail-fast', 'FIFO costing is broken everywhere; collect full backtraces from every failing test.', 'All binaries with RUST_BACKTRACE=full.', { ...btFull, expect: /fifo_cost|a_week/ }],
  ]),
  ...fault(STOCK, {
    id: 'reorder-quantity-short',
    desc: 'to_reorder suggests one unit fewer than needed.',
    edits: [edit('src/stock.rs', '.map(|(sku, at)| (sku.clone(), at - self.on_hand(sku) + 1))', '.map(|(sku, at)| (sku.clone(), at - self.on_hand(sku)))')],
  }, [
    [test, null, 'cargo test', 'The reorder suggestions are one short. Check the stock module.', 'Run all tests.', { expect: /reorder/ }],
    [test, 'backtrace-full', 'cargo test --no-fail-fast', 'Reorder quantities are off by one; I want full backtraces from the failing tests.', 'Every binary with RUST_BACKTRACE=full.', { ...btFull, expect: /reorder/ }],
  ]),
  ...fault(STOCK, {
    id: 'lowercase-sku-accepted',
    desc: 'Sku parsing accepts lower-case families.',
    edits: [edit('src/sku.rs', '&& family.chars().all(|c| c.is_ascii_uppercase())', '&& family.chars().all(|c| c.is_ascii_alphabetic())')],
  }, [
    [test, null, 'cargo test --lib sku', 'Lower-case SKU codes are slipping through validation. Fix it.', 'Run the sku unit tests.', { expect: /rejects_malformed|sku\.rs/ }],
    [test, 'backtrace-full', 'cargo test --lib sku', 'SKU validation lets bad codes through; get the full backtrace of the failing test.', 'The sku tests with RUST_BACKTRACE=full.', { ...btFull, expect: /rejects_malformed|sku\.rs/ }],
  ]),
  ...fault(STOCK, {
    id: 'reorder-underflow',
    desc: 'to_reorder no longer filters out SKUs above their reorder point, so `at - on_hand` underflows.',
    edits: [edit('src/stock.rs', '            .filter(|(sku, at)| self.on_hand(sku) <= **at)\n', '')],
  }, [
    [run, null, 'cargo run -q --bin stockctl journal.txt', 'stockctl crashes at the end of the journal replay. Please look.', 'Replay the journal.', { expect: /overflow/ }],
    [run, 'backtrace', 'cargo run --bin stockctl journal.txt', 'The reorder report at the end of stockctl crashes. Find where.', 'Replay with a backtrace.', { ...bt1, expect: /stock\.rs/ }],
    [run, 'backtrace-full', 'cargo run --bin stockctl journal.txt', 'stockctl crashes after replaying everything; I need the complete backtrace for the bug report.', 'Replay with full backtraces.', { ...btFull, expect: /stock\.rs/ }],
    [test, null, 'cargo test', 'Reorder logic crashes in tests. Fix it.', 'Run the suite.', { expect: /overflow/ }],
  ]),
  ...fault(STOCK, {
    id: 'over-issue-unchecked',
    desc: 'issue no longer refuses requests larger than the stock on hand; the journal over-issues pins.',
    edits: [
      edit('src/stock.rs', `        if qty > on_hand {
            return Err(StockError::Short { sku: sku.clone(), wanted: qty, on_hand });
        }
`, ''),
      edit('journal.txt', 'recv NUT-0010 271 10\n', 'recv NUT-0010 271 10\nissue PIN-0006 5000\n'),
    ],
  }, [
    [run, 'backtrace-full', 'cargo run --bin stockctl journal.txt', 'stockctl panics on this journal instead of refusing the order. Investigate.', 'Replay with full backtraces.', { ...btFull, expect: /on_hand covered|stock\.rs/ }],
  ]),
  ...fault(STOCK, {
    id: 'bad-sku-in-journal',
    desc: 'A journal line has a lower-case SKU.',
    edits: [edit('journal.txt', 'issue NUT-0010 8\n', 'issue nut-0010 8\n')],
  }, [
    [run, null, 'cargo run -q --bin stockctl journal.txt', 'The journal replay stops with a panic. Which entry is bad?', 'Replay it.', { expect: /bad sku/ }],
    [run, 'backtrace-full', 'cargo run --bin stockctl journal.txt', 'The journal replay panics on a bad entry; capture the full backtrace.', 'Replay with RUST_BACKTRACE=full.', { ...btFull, expect: /bad sku/ }],
  ]),
  ...fault(STOCK, {
    id: 'sku-moved',
    desc: 'receive takes the Sku by value and uses it after moving it; the CLI passes a reference.',
    edits: [
      edit('src/stock.rs', `    pub fn receive(&mut self, sku: &Sku, qty: u32, unit_cost: u64) {
        self.lots.entry(sku.clone()).or_default().push_back(Lot { qty, unit_cost });`, `    pub fn receive(&mut self, sku: Sku, qty: u32, unit_cost: u64) {
        self.lots.entry(sku).or_default().push_back(Lot { qty, unit_cost });
        self.reorder.entry(sku).or_insert(0);`),
    ],
  }, [
    [build, null, 'cargo build', 'I changed receive to take ownership of the SKU and the crate does not compile. Fix it.', 'Build the crate.', { expect: /E0382|E0308/ }],
    [test, null, 'cargo test', 'Tests do not compile after the receive signature change. Please fix.', 'Run the tests.', { expect: /E0382|E0308/ }],
  ]),
  ...fault(STOCK, {
    id: 'display-missing',
    desc: 'stockctl prints lots with {} though Lot has no Display, and sorts SKUs by a key without Ord.',
    edits: [
      edit('src/bin/stockctl.rs', '    println!("issued at cost {}, on hand {}", money(issued_cost), money(stock.value()));', `    println!("issued at cost {}, on hand {}", money(issued_cost), money(stock.value()));
    let sample = stockroom::Lot { qty: 1, unit_cost: 1 };
    println!("sample lot {}", sample);
    let mut costs = vec![(1.5f64, "a"), (0.5f64, "b")];
    costs.sort();`),
    ],
  }, [
    [build, null, 'cargo build --bin stockctl', 'I added a lot printout to stockctl and it fails to build. Fix it.', 'Build the binary.', { expect: /E0277/ }],
  ]),
  ...fault(STOCK, {
    id: 'variant-unhandled',
    desc: 'A new StockError::Expired variant is not handled in Display.',
    edits: [edit('src/stock.rs', '    Short { sku: Sku, wanted: u32, on_hand: u32 },\n}', '    Short { sku: Sku, wanted: u32, on_hand: u32 },\n    Expired { sku: Sku, lot: usize },\n}')],
  }, [
    [check, null, 'cargo check', 'I added an error variant for expired lots; the crate stopped compiling. Fix it.', 'Check the crate.', { expect: /E0004/ }],
    [clippy, null, 'cargo clippy --all-targets', 'Run clippy on stockroom and fix what it reports.', 'clippy over all targets.', { expectStatus: 'nonzero', expect: /E0004/ }],
  ]),
];

buildFamily({ script: 'rust.mjs', tools: TOOLS, cases: [...CALC_CASES, ...STOCK_CASES], idPrefixes: ['rust-'] });
