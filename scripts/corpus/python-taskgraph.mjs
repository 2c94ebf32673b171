// Faults and runs on fixtures/corpus-projects/python-taskgraph (unittest, mypy and the CLI's
// tracebacks through asyncio, concurrent.futures, sqlite3, json and argparse frames).
const graph = 'taskgraph/graph.py';
const config = 'taskgraph/config.py';
const store = 'taskgraph/store.py';
const runner = 'taskgraph/runner.py';
const actions = 'taskgraph/actions.py';
const cli = 'taskgraph/cli.py';

const UT = 'python3 -m unittest';
const RUN = 'python3 -m taskgraph run';

export const taskgraph = {
  project: 'python-taskgraph',
  name: 'taskgraph',
  faults: [
    {
      name: 'unsorted-ready-queue',
      description: 'Tasks that are ready at the same time are no longer sorted by name.',
      edits: [{ file: graph, find: 'ready = deque(sorted(name for name, degree in indegree.items() if degree == 0))', replace: 'ready = deque(name for name, degree in indegree.items() if degree == 0)' }],
      task: 'The execution order of independent tasks changes between runs of the same pipeline; it should be stable.',
      runs: [
        { tool: 'unittest', cmd: UT, thought: 'Running the unit tests.' },
        { tool: 'unittest', variant: 'graph-verbose', cmd: `${UT} tests.test_graph -v`, thought: 'The ordering logic is in the graph module; running its tests verbosely.' },
      ],
    },
    {
      name: 'leaf-depth-one',
      description: 'A task without dependencies gets depth 1 instead of 0.',
      edits: [{ file: graph, find: '        if not task.deps:\n            return 0\n', replace: '        if not task.deps:\n            return 1\n' }],
      task: 'Pipeline levels are numbered wrong in the `order` output.',
      runs: [
        { tool: 'unittest', variant: 'verbose', cmd: `${UT} -v`, thought: 'Verbose unit test run.' },
        { tool: 'unittest', cmd: UT, thought: 'Running all unit tests.' },
        { tool: 'unittest', variant: 'depth-class', cmd: `${UT} tests.test_graph.DepthTest`, thought: 'Running just the depth tests.' },
      ],
    },
    {
      name: 'history-newest-first',
      description: 'Task history is ordered newest first.',
      edits: [{ file: store, find: 'WHERE task = ? ORDER BY run"', replace: 'WHERE task = ? ORDER BY run DESC"' }],
      task: 'The `history` command lists runs in the wrong order.',
      runs: [
        { tool: 'unittest', variant: 'store-verbose', cmd: `${UT} -v tests.test_store`, thought: 'History comes from the store; running its tests.' },
        { tool: 'unittest', variant: 'failfast', cmd: `${UT} -f`, thought: 'Running everything, stopping at the first failure.' },
      ],
    },
    {
      name: 'status-check-dropped',
      description: 'The CHECK constraint on result status removed from the schema.',
      edits: [{ file: store, find: " CHECK (status IN ('ok', 'failed', 'skipped'))", replace: '' }],
      task: 'Bad status values end up in the results database. Why is nothing stopping them?',
      runs: [{ tool: 'unittest', variant: 'verbose', cmd: `${UT} -v`, thought: 'Verbose run of the unit tests.' }],
    },
    {
      name: 'config-message-changed',
      description: 'The message for a task without a required field reads differently.',
      edits: [{ file: config, find: 'f"task #{index} lacks {exc}"', replace: 'f"task #{index} is missing field {exc}"' }],
      task: 'Someone reworded the pipeline loader errors and CI is unhappy.',
      runs: [
        { tool: 'unittest', variant: 'config', cmd: `${UT} tests.test_config`, thought: 'Running the config loader tests.' },
        { tool: 'unittest', variant: 'buffered-verbose', cmd: `${UT} -b -v`, thought: 'Verbose run with output buffering.' },
      ],
    },
    {
      name: 'aggregate-dict-values',
      description: 'The aggregate action no longer picks the field out of dict results (checks for a list).',
      edits: [{ file: actions, find: '        if isinstance(value, dict):', replace: '        if isinstance(value, list):' }],
      task: 'The aggregation step of the nightly pipeline blows up.',
      runs: [
        { tool: 'unittest', variant: 'runner-verbose', cmd: `${UT} tests.test_runner -v`, thought: 'The runner tests exercise the aggregate action; running them.' },
        { tool: 'python', variant: 'nightly', cmd: `${RUN} pipelines/nightly.json --db /tmp/headroom-corpus/taskgraph/runs.sqlite`, thought: 'Reproducing with the nightly pipeline.' },
        { tool: 'python', variant: 'nightly-verbose', cmd: `${RUN} pipelines/nightly.json -v`, thought: 'Again with progress logging to see how far it gets.' },
      ],
    },
    {
      name: 'count-lines-off-by-one',
      description: '`count_lines` skips a line.',
      edits: [{ file: actions, find: 'return sum(1 for _ in handle)', replace: 'return sum(1 for _ in handle) - 1' }],
      task: 'Line counts in the daily pipeline look one too small.',
      runs: [
        { tool: 'unittest', cmd: UT, thought: 'Running all unit tests.' },
        { tool: 'unittest', variant: 'runner', cmd: `${UT} tests/test_runner.py`, thought: 'Running the runner tests by file name.' },
      ],
    },
    {
      name: 'results-table-typo',
      description: 'The history query names a table that does not exist.',
      edits: [{ file: store, find: '"SELECT run, status, seconds FROM results WHERE', replace: '"SELECT run, status, seconds FROM result WHERE' }],
      task: 'Looking up a task\'s past runs fails.',
      runs: [
        { tool: 'unittest', variant: 'store', cmd: `${UT} tests.test_store -v`, thought: 'Running the store tests.' },
        { tool: 'python', variant: 'history', cmd: 'python3 -m taskgraph history orders-sum', thought: 'Trying the history command itself.' },
      ],
    },
    {
      name: 'record-inside-retry',
      description: 'A result is recorded on every attempt, so a retried task is stored twice.',
      edits: [
        { file: runner, find: '                value = await loop.run_in_executor(self.pool, action, task.args, deps)\n                break\n', replace: '                value = await loop.run_in_executor(self.pool, action, task.args, deps)\n                self.store.record(run, task.name, "ok", 0.0, value)\n                break\n' },
      ],
      task: 'Since the retry change every pipeline run dies right after the first task finishes.',
      runs: [
        { tool: 'python', cmd: `${RUN} pipelines/daily.json`, thought: 'Running the daily pipeline.' },
        { tool: 'unittest', variant: 'runner', cmd: `${UT} tests.test_runner`, thought: 'Running the runner tests.' },
        { tool: 'python', variant: 'nightly-verbose', cmd: `${RUN} pipelines/nightly.json -v`, thought: 'The nightly pipeline with progress logging.' },
      ],
    },
    {
      name: 'invalid-json',
      description: 'A trailing comma in pipelines/daily.json.',
      edits: [{ file: 'pipelines/daily.json', find: '"args": {\n        "field": "count"\n      }\n    },', replace: '"args": {\n        "field": "count",\n      }\n    },' }],
      task: 'The daily pipeline stopped loading after I edited it by hand.',
      runs: [
        { tool: 'python', cmd: `${RUN} pipelines/daily.json`, thought: 'Running the pipeline to get the error.' },
        { tool: 'python', variant: 'order', cmd: 'python3 -m taskgraph order pipelines/daily.json', thought: 'Just loading it with the order command.' },
      ],
    },
    {
      name: 'task-without-action',
      description: 'A task in the nightly pipeline lacks its action field.',
      edits: [{ file: 'pipelines/nightly.json', find: '"name": "west-07-count",\n   "action": "count-lines",', replace: '"name": "west-07-count",' }],
      task: 'The nightly pipeline no longer loads.',
      runs: [{ tool: 'python', cmd: `${RUN} pipelines/nightly.json`, thought: 'Running the nightly pipeline.' }],
    },
    {
      name: 'unknown-dependency',
      description: 'A dependency name misspelled in the daily pipeline.',
      edits: [{ file: 'pipelines/daily.json', find: '"deps": [\n        "orders-sum"\n      ]', replace: '"deps": [\n        "order-sum"\n      ]' }],
      task: 'The order command refuses the daily pipeline.',
      runs: [{ tool: 'python', cmd: 'python3 -m taskgraph order pipelines/daily.json', thought: 'Printing the order of the daily pipeline.' }],
    },
    {
      name: 'cycle-unchecked',
      description: 'The cycle check removed from `Graph.depth`, and a pipeline with a cycle.',
      edits: [
        { file: graph, find: '        if name in _visiting:\n            raise CycleError(f"cycle through {name}")\n', replace: '' },
        { file: graph, find: '        return 1 + max(self.depth(dep, _visiting | {name}) for dep in task.deps)', replace: '        return 1 + max(self.depth(dep) for dep in task.deps)' },
        { file: graph, find: '        for name in self.topo_order():\n            result.setdefault', replace: '        for name in sorted(self.tasks):\n            result.setdefault' },
      ],
      write: { 'pipelines/loop.json': '{"tasks": [\n  {"name": "fetch", "action": "sleep", "deps": ["publish"]},\n  {"name": "build", "action": "sleep", "deps": ["fetch"]},\n  {"name": "publish", "action": "sleep", "deps": ["build"]}\n]}\n' },
      task: 'Printing the order of a pipeline hangs for a while and then crashes.',
      runs: [
        { tool: 'python', cmd: 'python3 -m taskgraph order pipelines/loop.json', thought: 'Reproducing with the pipeline from the bug report.' },
        { tool: 'unittest', variant: 'graph', cmd: `${UT} tests.test_graph`, thought: 'Running the graph tests.' },
      ],
    },
    {
      name: 'missing-input-file',
      description: 'The daily pipeline points at an input file that does not exist.',
      edits: [{ file: 'pipelines/daily.json', find: '"action": "checksum",\n      "args": {\n        "path": "data/customers.csv"', replace: '"action": "checksum",\n      "args": {\n        "path": "data/customer.csv"' }],
      task: 'The daily pipeline fails in its first step.',
      runs: [
        { tool: 'python', cmd: `${RUN} pipelines/daily.json`, thought: 'Running the daily pipeline.' },
        { tool: 'python', variant: 'verbose', cmd: `${RUN} pipelines/daily.json -v --jobs 1`, thought: 'With logging and one worker, to read it step by step.' },
      ],
    },
    {
      name: 'two-missing-files',
      description: 'Two stats files of the nightly pipeline are missing.',
      edits: [
        { file: 'pipelines/nightly.json', find: '"path": "data/stats-north.json"', replace: '"path": "data/stats-nord.json"' },
        { file: 'pipelines/nightly.json', find: '"path": "data/stats-west.json"', replace: '"path": "data/stats-ouest.json"' },
      ],
      task: 'The nightly run fails; we renamed some data files last week.',
      runs: [
        { tool: 'python', cmd: `${RUN} pipelines/nightly.json`, thought: 'Running the nightly pipeline.' },
        { tool: 'python', variant: 'verbose', cmd: `${RUN} pipelines/nightly.json --verbose`, thought: 'Verbose nightly run.' },
      ],
    },
    {
      name: 'namespace-typo',
      description: 'The CLI reads `args.job` instead of `args.jobs`.',
      edits: [{ file: cli, find: 'Runner(graph, store, args.jobs)', replace: 'Runner(graph, store, args.job)' }],
      task: 'The run command crashes immediately, even on the daily pipeline.',
      runs: [{ tool: 'python', cmd: `${RUN} pipelines/daily.json`, thought: 'Running the daily pipeline.' }],
    },
    {
      name: 'pipeline-type-check',
      description: 'The pipeline argument goes through a checker that raises OSError on missing files.',
      edits: [
        { file: cli, find: 'def build_parser() -> argparse.ArgumentParser:', replace: 'def existing_file(text: str) -> Path:\n    path = Path(text)\n    path.stat()\n    return path\n\n\ndef build_parser() -> argparse.ArgumentParser:' },
        { file: cli, find: 'run.add_argument("pipeline", type=Path)', replace: 'run.add_argument("pipeline", type=existing_file)' },
      ],
      task: 'Passing a wrong pipeline path should print a friendly error, but it crashes.',
      runs: [{ tool: 'python', cmd: `${RUN} pipelines/weekly.json`, thought: 'Trying a path that does not exist.' }],
    },
    {
      name: 'renamed-loader',
      description: '`load_pipeline` renamed to `read_pipeline` in config.py only.',
      edits: [{ file: config, find: 'def load_pipeline(path: Path) -> Graph:', replace: 'def read_pipeline(path: Path) -> Graph:' }],
      task: 'After renaming the loader nothing starts.',
      runs: [
        { tool: 'python', cmd: `${RUN} pipelines/daily.json`, thought: 'Running the CLI.' },
        { tool: 'unittest', cmd: UT, thought: 'Running the unit tests.' },
      ],
    },
    {
      name: 'unclosed-paren',
      description: 'A closing parenthesis missing in runner.py.',
      edits: [{ file: runner, find: 'log.info("level %d: %d task(s)", level, len(names))', replace: 'log.info("level %d: %d task(s)", level, len(names)' }],
      task: 'The CLI does not even start after my last edit to the runner.',
      runs: [
        { tool: 'python', cmd: `${RUN} pipelines/daily.json`, thought: 'Running the CLI to see the error.' },
        { tool: 'unittest', variant: 'verbose', cmd: `${UT} -v`, thought: 'Running the unit tests verbosely.' },
      ],
    },
    {
      name: 'storage-module',
      description: 'runner.py imports the store from a module that does not exist.',
      edits: [{ file: runner, find: 'from .store import RunStore', replace: 'from .storage import RunStore' }],
      task: 'I moved some files around and the CLI no longer starts.',
      runs: [{ tool: 'python', cmd: `${RUN} pipelines/daily.json`, thought: 'Running the CLI.' }],
    },
    {
      name: 'deps-annotated-str',
      description: '`Task.deps` annotated as a string.',
      edits: [{ file: graph, find: '    deps: list[str] = field(default_factory=list)', replace: '    deps: str = ""' }],
      task: 'The type check job fails on the task graph module.',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'Running mypy.' },
        { tool: 'mypy', variant: 'pretty', cmd: 'mypy --pretty', thought: 'Again with source excerpts.' },
        { tool: 'mypy', variant: 'strict-with-tests', cmd: 'mypy --strict taskgraph tests', thought: 'Strict check of the package and its tests.' },
      ],
    },
    {
      name: 'history-tuple-order',
      description: '`RunStore.history` annotated with its tuple fields in the wrong order.',
      edits: [{ file: store, find: 'def history(self, task: str) -> list[tuple[int, str, float]]:', replace: 'def history(self, task: str) -> list[tuple[str, int, float]]:' }],
      task: 'Type errors around the run history after a refactor.',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'Running mypy.' },
        { tool: 'mypy', variant: 'strict-with-tests', cmd: 'mypy --strict taskgraph tests', thought: 'Strict check including the tests.' },
      ],
    },
  ],
};
