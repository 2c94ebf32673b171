// Go part of the tool-output corpus: go test, go build, go vet and crashing `go run` programs on
// two small projects (fixtures/corpus-projects/go-ledger, go-jobs), each with injected faults.
// `node scripts/corpus/go.mjs [--only SUBSTRING] [--dry]`. Needs Go (Debian: apt-get install golang-go);
// only the standard library is used, no module is downloaded.
import { buildFamily } from './case-builder.mjs';
import * as goBuild from './label-go-build.mjs';
import * as goPanic from './label-go-panic.mjs';
import * as goTest from './label-go-test.mjs';

const TOOLS = [{ name: 'go', version: 'go version', install: 'apt-get install golang-go (Debian 12 ships Go 1.19)' }];

const LEDGER = { project: 'go-ledger', short: 'ledger', language: 'go', toolName: 'go' };
const JOBS = { project: 'go-jobs', short: 'jobs', language: 'go', toolName: 'go' };

const test = { kind: 'test-run', tool: 'go-test', labeller: goTest, expectStatus: 'nonzero' };
const build = { kind: 'compile', tool: 'go-build', labeller: goBuild, expectStatus: 'nonzero' };
const vet = { kind: 'compile', tool: 'go-vet', labeller: goBuild, expectStatus: 'nonzero' };
const run = { kind: 'traceback', tool: 'go-run', labeller: goPanic, expectStatus: 'nonzero' };

const edit = (file, from, to) => ({ file, from, to });

/** One fault with the runs made of it: each run is [shape, variant, command, task, thought, extra]. */
function fault(base, f, runs) {
  return runs.map(([shape, variant, command, task, thought, extra]) => ({ ...base, ...shape, fault: f, variant, command, task, thought, ...(extra ?? {}) }));
}

const LEDGER_CASES = [
  ...fault(LEDGER, {
    id: 'half-up-rounding',
    desc: 'MulRate rounds a half cent up instead of to even (`r > 5000` became `r >= 5000`).',
    edits: [edit('money/money.go', 'case r > 5000, r == 5000 && q%2 != 0:', 'case r >= 5000:')],
  }, [
    [test, null, 'go test ./...', 'Interest amounts on some accounts are a cent off after my refactor of the money package. Find out why.', 'Let me run the whole test suite first to see what breaks.', { expect: /MulRate/ }],
    [test, 'verbose', 'go test -v ./...', 'Monthly interest is a cent high for a few customers. Please fix the rounding in the money code.', 'I will run all tests verbosely to see every subtest result.', { expect: /MulRate/ }],
    [test, 'run-one', 'go test -v -run TestMulRate ./money', 'The rate multiplication helper seems to round wrongly at exact halves. Can you check it?', 'Running just the rate multiplication tests in the money package.', { expect: /money_test\.go/ }],
  ]),
  ...fault(LEDGER, {
    id: 'split-off-by-one',
    desc: 'Split hands the remainder cents to one part too many (`int64(i) < rem` became `<=`).',
    edits: [edit('money/money.go', 'if int64(i) < rem {', 'if int64(i) <= rem {')],
  }, [
    [test, null, 'go test ./...', 'Splitting a shared bill between friends charges a little too much in total. Investigate.', 'Start with the full test run.', { expect: /Split/ }],
    [test, 'verbose-ledger', 'go test -v ./ledger', 'Bill splitting withdraws too much from someone. Look at the ledger package.', 'Let me run the ledger package tests with -v.', { expect: /SplitBill|ledger_test/ }],
    [test, 'verbose', 'go test -v ./...', 'Split payments do not add up to the bill any more. Find the cause.', 'Verbose run of every package.', { expect: /Split/ }],
  ]),
  ...fault(LEDGER, {
    id: 'overdraft-sign',
    desc: 'Withdraw compares against the overdraft with the wrong sign (`< -a.Overdraft` became `< a.Overdraft`).',
    edits: [edit('ledger/ledger.go', 'if a.Balance-amount < -a.Overdraft {', 'if a.Balance-amount < a.Overdraft {')],
  }, [
    [test, null, 'go test ./ledger/...', 'Customers with an overdraft can no longer withdraw past zero, and some without one get refused too. Fix it.', 'I will run the ledger tests to reproduce.', { expect: /WithdrawLimits/ }],
    [test, 'verbose', 'go test -v ./...', 'Withdrawals are being refused that should be allowed. Can you find the bug?', 'Verbose run of everything to see which cases fail.', { expect: /WithdrawLimits/ }],
  ]),
  ...fault(LEDGER, {
    id: 'transfer-not-atomic',
    desc: 'Transfer withdraws before checking that the target account exists.',
    edits: [edit('ledger/ledger.go', `	if _, err := l.Get(to); err != nil {
		return err
	}
	if err := l.Withdraw(from, amount, memo); err != nil {`, `	if err := l.Withdraw(from, amount, memo); err != nil {`)],
  }, [
    [test, null, 'go test ./...', 'A transfer to a mistyped account took money out of the sender anyway. That must be all or nothing.', 'Let me see what the tests say.', { expect: /TransferUnknown/ }],
    [test, 'verbose', 'go test -v ./...', 'Failed transfers still debit the sender. Find and fix it.', 'Verbose run of all packages.', { expect: /TransferUnknown/ }],
  ]),
  ...fault(LEDGER, {
    id: 'statement-columns',
    desc: 'The statement memo column was narrowed from 12 to 10 characters.',
    edits: [edit('report/statement.go', '%4d  %-12s %10v %10v', '%4d  %-10s %10v %10v')],
  }, [
    [test, null, 'go test ./report', 'The printed account statements look misaligned since yesterday. Please check the report package.', 'Running the report tests.', { expect: /statement_test\.go/ }],
    [test, 'verbose', 'go test -v ./...', 'Statement layout changed unexpectedly; customers complained. Find the cause.', 'A verbose run of the whole module first.', { expect: /statement_test\.go/ }],
  ]),
  ...fault(LEDGER, {
    id: 'owner-tie-order',
    desc: 'ByOwner breaks ties between equal totals in reverse name order.',
    edits: [edit('report/statement.go', 'return out[i].Owner < out[j].Owner', 'return out[i].Owner > out[j].Owner')],
  }, [
    [test, null, 'go test ./report/', 'The top owners report lists people with equal totals in an odd order. Make it stable.', 'Let me run the report package tests.', { expect: /ByOwner|statement_test/ }],
    [test, 'verbose', 'go test -v ./...', 'Owners with the same total swap places in the report between runs. Fix the ordering.', 'Run every test verbosely.', { expect: /ByOwner|statement_test/ }],
  ]),
  ...fault(LEDGER, {
    id: 'nil-accounts-map',
    desc: 'New returns a ledger whose accounts map is nil.',
    edits: [edit('ledger/ledger.go', 'return &Ledger{accounts: make(map[string]*Account)}', 'return &Ledger{}')],
  }, [
    [test, null, 'go test ./...', 'After cleaning up the ledger constructor every test crashes. What happened?', 'Run the full suite to see the crash.', { expect: /nil map/ }],
    [test, 'verbose-ledger', 'go test -v ./ledger', 'Opening an account crashes the ledger tests now. Please fix.', 'Verbose run of the ledger package to see where it panics.', { expect: /nil map/ }],
    [test, 'verbose', 'go test -v ./...', 'Everything involving accounts panics in the test suite. Please fix.', 'Verbose run of the whole module.', { expect: /nil map/ }],
    [run, null, 'go run ./cmd/ledgerctl testdata/quarter.txt', 'The ledgerctl replay of the household script crashes immediately. Investigate.', 'Let me run the replay on the sample script.', { expect: /nil map/ }],
  ]),
  ...fault(LEDGER, {
    id: 'top-unclamped',
    desc: 'Top no longer clamps n to the number of owners.',
    edits: [edit('report/statement.go', `	if n > len(all) {
		n = len(all)
	}
`, '')],
  }, [
    [test, null, 'go test ./...', 'Asking the report for more top owners than exist crashes it. Find and fix.', 'Run all tests first.', { expect: /slice bounds|statement\.go/ }],
    [test, 'verbose', 'go test -v ./...', 'The report crashes for small ledgers. Investigate.', 'Verbose run of all packages.', { expect: /slice bounds|statement\.go/ }],
    [run, 'verbose', 'go run ./cmd/ledgerctl -v testdata/quarter.txt', 'ledgerctl dies at the very end after replaying the whole quarter. Why?', 'Let me replay the sample with -v so I see how far it gets.', { expect: /slice bounds|statement\.go/ }],
  ]),
  ...fault(LEDGER, {
    id: 'one-digit-fraction',
    desc: 'Parse no longer pads a one-digit fraction ("12.3" is read as 12.03).',
    edits: [edit('money/money.go', `		if len(frac) == 1 {
			frac += "0"
		}
`, '')],
  }, [
    [test, null, 'go test ./money', 'Amounts typed with a single decimal like 7.5 come out wrong. Check the parser.', 'Running the money package tests.', { expect: /Parse/ }],
    [test, 'verbose', 'go test -v ./money', 'Amounts with one decimal digit are parsed wrongly. Please fix the amount parser.', 'Verbose run of the money tests to list every parse case.', { expect: /Parse/ }],
    [test, 'verbose-all', 'go test -v ./...', 'Single-decimal amounts are misread everywhere. Run everything and fix the parser.', 'Verbose run of the whole module.', { expect: /Parse/ }],
  ]),
  ...fault(LEDGER, {
    id: 'bench-wrong-expectation',
    desc: 'The MulRate benchmark checks against a wrong expected value.',
    edits: [edit('money/money_test.go', 'if got := c.MulRate(250); got != 3086 {', 'if got := c.MulRate(250); got != 3087 {')],
  }, [
    [test, 'bench', 'go test -run ^$ -bench . -benchtime 2000x ./...', 'I want benchmark numbers for the money and ledger packages before optimising.', 'Run only the benchmarks, a fixed number of iterations.', { expect: /BenchmarkMulRate/ }],
    [test, 'verbose-bench', 'go test -v -bench . -benchtime 2000x ./...', 'Run the tests and the benchmarks of the whole module; something in the benchmarks looks off.', 'Verbose tests plus benchmarks, fixed iterations.', { expect: /BenchmarkMulRate/ }],
  ]),
  ...fault(LEDGER, {
    id: 'bad-amount-in-script',
    desc: 'The sample script has an amount written with a decimal comma, which the replay treats as a bug (panic).',
    edits: [edit('testdata/quarter.txt', 'withdraw chk-ann 39.18 pharmacy day 44', 'withdraw chk-ann 39,18 pharmacy day 44')],
  }, [
    [run, 'verbose', 'go run ./cmd/ledgerctl -v testdata/quarter.txt', 'The replay of this quarter\'s household script crashes somewhere in the middle. Find the bad input.', 'Run the replay verbosely to see the last operation before the crash.', { expect: /bad amount|main\.go/ }],
    [run, null, 'go run ./cmd/ledgerctl testdata/quarter.txt', 'ledgerctl crashes on the household script. Please look.', 'Let me reproduce it.', { expect: /bad amount|main\.go/ }],
  ]),
  ...fault(LEDGER, {
    id: 'renamed-mulrate',
    desc: 'MulRate was renamed to ApplyRate in money.go, its callers were not updated.',
    edits: [edit('money/money.go', 'func (c Cents) MulRate(basisPoints int64) Cents {', 'func (c Cents) ApplyRate(basisPoints int64) Cents {')],
  }, [
    [build, null, 'go build ./...', 'I renamed a method in the money package and now nothing builds. Sort it out.', 'Let me build everything.', { expect: /interest\.go/ }],
    [vet, null, 'go vet ./...', 'After the money refactor CI vet step is red. Fix whatever it reports.', 'Running go vet over the module.', { expect: /MulRate/ }],
    [test, null, 'go test ./...', 'Tests stopped compiling after I renamed something in money. Please repair.', 'Run the tests to see the build failures.', { expect: /MulRate/ }],
  ]),
  ...fault(LEDGER, {
    id: 'rate-type-mismatch',
    desc: 'InterestPolicy rates became money.Cents and ApplyInterest passes Cents where int64 is expected; one place mixes Cents and int.',
    edits: [
      edit('ledger/interest.go', `	CreditBP int64 // paid on positive balances, basis points per month
	DebitBP  int64 // charged on negative balances, basis points per month`, `	CreditBP money.Cents // paid on positive balances, basis points per month
	DebitBP  money.Cents // charged on negative balances, basis points per month`),
      edit('ledger/interest.go', '	var total money.Cents\n', '	var total money.Cents\n	var posted int\n'),
      edit('ledger/interest.go', '		total += amount\n', '		total += amount\n		posted += amount\n'),
    ],
  }, [
    [build, null, 'go build ./...', 'I changed the interest policy fields to use the money type and the build broke. Fix the types.', 'Build the module to see the type errors.', { expect: /interest\.go/ }],
    [vet, null, 'go vet ./ledger/ ./cmd/...', 'Vet fails on the ledger after the interest policy change. Look into it.', 'Vet the ledger and the command.', { expect: /interest\.go/ }],
  ]),
  ...fault(LEDGER, {
    id: 'missing-import',
    desc: 'The "sort" import was removed from report/statement.go and an unused "os" import and variable were added in ledger.go.',
    edits: [
      edit('report/statement.go', '\t"sort"\n', ''),
      edit('ledger/ledger.go', '\t"fmt"\n', '\t"fmt"\n\t"os"\n'),
      edit('ledger/ledger.go', '	out := make([]*Account, 0, len(l.accounts))', '	count := len(l.accounts)\n	out := make([]*Account, 0, len(l.accounts))'),
    ],
  }, [
    [build, null, 'go build ./...', 'I tidied imports by hand and the module no longer compiles. Please fix it.', 'Build to see what is missing.', { expect: /ledger\.go/ }],
    [test, null, 'go test ./...', 'Tests fail to build after an import cleanup. Repair them.', 'Run the tests to see the compile errors per package.', { expect: /\.go:\d+:\d+/ }],
    [test, 'verbose', 'go test -v ./...', 'After the import cleanup, which packages still pass? Run everything verbosely and fix the rest.', 'Verbose run of all packages.', { expect: /\.go:\d+:\d+/ }],
  ]),
  ...fault(LEDGER, {
    id: 'printf-verbs',
    desc: 'Statement and main use printf verbs that do not match their arguments.',
    edits: [
      edit('report/statement.go', 'fmt.Fprintf(&b, "Statement for %s (%s)\\n", a.ID, a.Owner)', 'fmt.Fprintf(&b, "Statement for %d (%s)\\n", a.ID, a.Owner)'),
      edit('report/statement.go', 'fmt.Fprintf(&b, "Closing balance: %v\\n", a.Balance)', 'fmt.Fprintf(&b, "Closing balance: %v %v\\n", a.Balance)'),
      edit('cmd/ledgerctl/main.go', 'log.Printf("line %d: %s", line, strings.Join(fields, " "))', 'log.Printf("line %d: %s", strings.Join(fields, " "))'),
    ],
  }, [
    [vet, null, 'go vet ./...', 'Run the linters on the ledger module before I open the PR and fix what they find.', 'go vet first.', { expect: /Fprintf|Printf/ }],
    [test, 'verbose', 'go test -v ./...', 'The report tests stopped running after my formatting changes. Find out why.', 'Verbose test run of the module.', { expect: /Fprintf|Printf/ }],
  ]),
];

const JOBS_CASES = [
  ...fault(JOBS, {
    id: 'priority-ties-reversed',
    desc: 'Jobs of equal priority are ordered by descending id.',
    edits: [edit('jobs/queue.go', 'return h[i].ID < h[j].ID', 'return h[i].ID > h[j].ID')],
  }, [
    [test, null, 'go test ./...', 'Jobs with the same priority no longer run first-come first-served. Fix the queue.', 'Run the test suite.', { expect: /QueueOrder/ }],
    [test, 'verbose', 'go test -v -count=1 ./jobs', 'The job queue ordering looks wrong for equal priorities. Investigate.', 'Verbose, uncached run of the jobs package.', { expect: /QueueOrder/ }],
  ]),
  ...fault(JOBS, {
    id: 'jitter-too-large',
    desc: 'Backoff jitter is computed as a tenth instead of a hundredth per step.',
    edits: [edit('jobs/backoff.go', 'jitter := time.Duration((id*7919)%10) * d / 100', 'jitter := time.Duration((id*7919)%10) * d / 10')],
  }, [
    [test, null, 'go test ./jobs', 'Retry waits are much longer than configured for some jobs. Check the backoff.', 'Let me run the jobs tests.', { expect: /Delay/ }],
    [test, 'verbose', 'go test -v ./...', 'Backoff delays look inflated. Run the whole suite verbosely and fix it.', 'Verbose run of all packages.', { expect: /Delay/ }],
  ]),
  ...fault(JOBS, {
    id: 'one-attempt-short',
    desc: 'The retry loop stops one attempt early (`attempt <= p.MaxAttempts` became `<`).',
    edits: [edit('jobs/pool.go', 'for attempt := 1; attempt <= p.MaxAttempts; attempt++ {', 'for attempt := 1; attempt < p.MaxAttempts; attempt++ {')],
  }, [
    [test, 'verbose', 'go test -v ./...', 'Flaky jobs that should succeed on the last retry are reported as failed. Look at the pool.', 'A verbose run shows which retry cases fail.', { expect: /PoolRetries/ }],
    [test, null, 'go test -run TestPoolRetries ./jobs', 'Retries seem to stop early. Check the retry tests.', 'Run only the retry tests.', { expect: /PoolRetries/ }],
  ]),
  ...fault(JOBS, {
    id: 'stats-race',
    desc: 'Results are counted inside the workers and Stats.add no longer takes the lock.',
    edits: [
      edit('jobs/pool.go', '	s.mu.Lock()\n	defer s.mu.Unlock()\n', ''),
      edit('jobs/pool.go', '				out <- p.runOne(j)', '				r := p.runOne(j)\n				p.Stats.add(r)\n				out <- r'),
      edit('jobs/pool.go', '		p.Stats.add(r)\n		if p.OnResult', '		if p.OnResult'),
    ],
  }, [
    [test, 'race', 'go test -race ./...', 'Pool statistics are sometimes off by one in production. Check for concurrency bugs.', 'Run the tests with the race detector.', { expect: /DATA RACE|pool\.go/ }],
    [test, 'race-all-verbose', 'go test -race -v ./...', 'Counters of the worker pool drift under load; run everything with the race detector, verbosely.', 'Race detector over all packages with -v.', { expect: /DATA RACE|pool\.go/ }],
    [test, 'race-verbose', 'go test -race -v -run TestPoolRunsEveryJob ./jobs', 'The succeeded counter of the worker pool is unreliable under load. Find out why.', 'Race detector on the pool test, verbose.', { expect: /DATA RACE|pool\.go/ }],
  ]),
  ...fault(JOBS, {
    id: 'unbuffered-results',
    desc: 'The results channel is unbuffered while results are only read after all workers finish.',
    edits: [edit('jobs/pool.go', 'out := make(chan Result, len(pending))', 'out := make(chan Result)')],
  }, [
    [test, null, 'go test -timeout 60s ./jobs', 'The pool tests hang since I touched the channels. Fix it.', 'Run the jobs tests with a short timeout so a hang fails fast.', { expect: /timed out|pool\.go/ }],
    [run, null, 'go run ./cmd/jobrun', 'jobrun freezes and crashes before printing anything. What is wrong?', 'Let me run the batch with the defaults.', { expect: /deadlock|pool\.go/ }],
    [run, 'many-workers', 'go run ./cmd/jobrun -workers 48 -n 400', 'With a larger batch and more workers jobrun crashes with a huge dump. Investigate.', 'Reproduce with the production-like worker count.', { expect: /deadlock|pool\.go/ }],
    [run, 'huge-pool', 'go run ./cmd/jobrun -workers 220 -n 2000', 'The nightly batch with the big worker pool died and left an enormous trace. What went wrong?', 'Rerun it with the nightly settings.', { expect: /deadlock|pool\.go/ }],
    [run, 'giant-pool', 'go run ./cmd/jobrun -workers 640 -n 6000', 'The month-end reprocessing run with 640 workers crashed. Find the cause.', 'Rerun it with the month-end settings.', { expect: /deadlock|pool\.go/ }],
  ]),
  ...fault(JOBS, {
    id: 'nil-handlers-map',
    desc: 'NewRegistry leaves the handlers map nil.',
    edits: [edit('jobs/registry.go', 'return &Registry{handlers: make(map[string]Handler)}', 'return &Registry{}')],
  }, [
    [test, null, 'go test ./...', 'Every pool test panics after my registry change. Fix it.', 'Run the suite.', { expect: /nil map/ }],
    [run, null, 'go run ./cmd/jobrun -n 10', 'jobrun crashes on startup. Please look.', 'A small batch is enough to reproduce.', { expect: /nil map/ }],
  ]),
  ...fault(JOBS, {
    id: 'size-class-past-end',
    desc: 'sizeClass returns len(sizes) for edges larger than every class.',
    edits: [
      edit('cmd/jobrun/main.go', '	return len(sizes) - 1\n}', '	return len(sizes)\n}'),
      edit('cmd/jobrun/main.go', 'return fmt.Sprintf("%s thumb %d (size class %d)", name, e, sizeClass(sizes, e)), nil', 'return fmt.Sprintf("%s thumb %d (size class %d, limit %d)", name, e, sizeClass(sizes, e), sizes[sizeClass(sizes, e)]), nil'),
      edit('cmd/jobrun/main.go', 'return fmt.Sprintf("img-%04d.png:%d", i, 64+(i%5)*32)', 'return fmt.Sprintf("img-%04d.png:%d", i, 64+(i%6)*32)'),
    ],
  }, [
    [run, null, 'go run ./cmd/jobrun', 'Thumbnail jobs for the biggest images crash the batch runner. Fix it.', 'Run the default batch.', { expect: /index out of range|main\.go/ }],
    [run, 'all-goroutines', 'GOTRACEBACK=all go run ./cmd/jobrun -workers 16 -n 300', 'The batch runner crashes and I need to know what every worker was doing. Investigate.', 'Run with all goroutine traces.', { expect: /index out of range|main\.go/, env: {} }],
  ]),
  ...fault(JOBS, {
    id: 'nil-handler-registered',
    desc: 'The thumbnail kind is registered with a nil handler.',
    edits: [edit('cmd/jobrun/main.go', '"thumbnail": thumbnail}', '"thumbnail": nil}')],
  }, [
    [run, null, 'go run ./cmd/jobrun -n 30', 'jobrun segfaults on thumbnail jobs after the handler table rewrite. Please fix.', 'A short batch should reproduce.', { expect: /nil pointer|SIGSEGV/ }],
    [run, 'all-goroutines', 'GOTRACEBACK=all go run ./cmd/jobrun -workers 24 -n 200', 'jobrun crashes under production settings; I need every worker\'s stack.', 'Run the production-sized batch with all goroutine traces.', { expect: /nil pointer|SIGSEGV/ }],
  ]),
  ...fault(JOBS, {
    id: 'double-close',
    desc: 'Run closes the results channel twice.',
    edits: [edit('jobs/pool.go', '	wg.Wait()\n	close(out)\n', '	wg.Wait()\n	close(out)\n	defer close(out)\n')],
  }, [
    [test, 'verbose', 'go test -v ./jobs', 'The pool panics when a run finishes. Find out why.', 'Verbose test run of the pool.', { expect: /closed channel/ }],
  ]),
  ...fault(JOBS, {
    id: 'pointer-assertion',
    desc: 'Queue.Pop asserts the popped value to *Job while the heap stores Job values.',
    edits: [edit('jobs/queue.go', 'return heap.Pop(&q.h).(Job), true', 'return *heap.Pop(&q.h).(*Job), true')],
  }, [
    [test, null, 'go test ./...', 'The queue panics when popping since my last edit. Please fix.', 'Run the tests.', { expect: /interface conversion/ }],
  ]),
  ...fault(JOBS, {
    id: 'renamed-field',
    desc: 'Stats.Succeeded was renamed to Succeded in pool.go only.',
    edits: [
      edit('jobs/pool.go', '	Succeeded int\n', '	Succeded int\n'),
      edit('jobs/pool.go', '		s.Succeeded++\n', '		s.Succeded++\n'),
    ],
  }, [
    [build, null, 'go build ./...', 'The batch runner no longer builds after a rename in the pool. Fix it.', 'Build the whole module.', { expect: /main\.go/ }],
    [vet, null, 'go vet ./...', 'Vet is failing on the jobs module. Please clean it up.', 'Running vet on everything.', { expect: /Succeeded/ }],
  ]),
  ...fault(JOBS, {
    id: 'lock-copied',
    desc: 'A Snapshot method returns Stats (which holds a mutex) by value and takes the pool by value.',
    edits: [edit('jobs/pool.go', '// Pool runs jobs on Workers', `// Snapshot returns the counters so far.
func (p Pool) Snapshot() Stats {
	return p.Stats
}

// Pool runs jobs on Workers`)],
  }, [
    [vet, null, 'go vet ./...', 'I added a way to read pool counters; please run the vet checks and fix what they find.', 'go vet on the module.', { expect: /lock/ }],
  ]),
  ...fault(JOBS, {
    id: 'lookup-arity',
    desc: 'Registry.Lookup returns only the handler, callers still take two values; Kinds returns the wrong type.',
    edits: [
      edit('jobs/registry.go', `func (r *Registry) Lookup(kind string) (Handler, bool) {
	h, ok := r.handlers[kind]
	return h, ok
}`, `func (r *Registry) Lookup(kind string) Handler {
	return r.handlers[kind]
}`),
      edit('jobs/registry.go', '	sort.Strings(out)\n	return out\n', '	sort.Strings(out)\n	return len(out)\n'),
    ],
  }, [
    [build, null, 'go build ./...', 'I simplified the registry API and the module stopped compiling. Fix the callers or the API.', 'Build it.', { expect: /registry\.go|pool\.go/ }],
    [test, 'verbose', 'go test -v ./...', 'Tests do not build after the registry change. Get them green again.', 'Verbose test run to see build and test output.', { expect: /\.go:\d+:\d+/ }],
  ]),
];

buildFamily({ script: 'go.mjs', tools: TOOLS, cases: [...LEDGER_CASES, ...JOBS_CASES], idPrefixes: ['go-'] });
