// C and C++ part of the tool-output corpus: gcc/g++ and clang diagnostics through make and CMake,
// linker errors, hand-written test harnesses and ctest, AddressSanitizer/UBSan reports and crashes,
// on two small projects (fixtures/corpus-projects/c-kvstore, cpp-routes) with injected faults.
// `node scripts/corpus/c-cpp.mjs [--only SUBSTRING] [--dry] [--reuse]`.
// Needs Debian's build-essential, cmake, clang and gdb: apt-get install build-essential cmake clang gdb.
import { buildFamily } from './case-builder.mjs';
import * as cTests from './label-c-tests.mjs';
import * as gcc from './label-gcc.mjs';
import * as sanitizer from './label-sanitizer.mjs';

const TOOLS = [
  { name: 'gcc', version: 'gcc --version && make --version', install: 'apt-get install build-essential' },
  { name: 'clang', version: 'clang --version', install: 'apt-get install clang' },
  { name: 'gdb', version: 'gdb --version', install: 'apt-get install gdb' },
  { name: 'cmake', version: 'cmake --version && g++ --version', install: 'apt-get install cmake g++' },
];

const KV = { project: 'c-kvstore', short: 'kvstore', language: 'c', toolName: 'gcc' };
const ROUTES = { project: 'cpp-routes', short: 'routes', language: 'cpp', toolName: 'cmake' };

const makeTest = { kind: 'test-run', tool: 'make-test', labeller: cTests, expectStatus: 'nonzero' };
const makeBuild = { kind: 'compile', tool: 'gcc', labeller: gcc, expectStatus: 'nonzero' };
const clangBuild = { kind: 'compile', tool: 'clang', labeller: gcc, toolName: 'clang', expectStatus: 'nonzero' };
const analyzer = { kind: 'compile', tool: 'gcc-analyzer', labeller: gcc, expectStatus: 'any' };
const ANALYZE = 'make clean && make CFLAGS="-std=c11 -g -Wall -Wextra -fanalyzer"';
const asanRun = { kind: 'traceback', tool: 'asan', labeller: sanitizer, expectStatus: 'nonzero' };
const crash = { kind: 'traceback', tool: 'native-crash', labeller: sanitizer, expectStatus: 'nonzero' };
const ctest = { kind: 'test-run', tool: 'ctest', labeller: cTests, expectStatus: 'nonzero' };
const cmakeBuild = { kind: 'compile', tool: 'cmake-gcc', labeller: gcc, expectStatus: 'nonzero' };
const cmakeClang = { kind: 'compile', tool: 'cmake-clang', labeller: gcc, toolName: 'clang', expectStatus: 'nonzero' };

const edit = (file, from, to) => ({ file, from, to });

function fault(base, f, runs) {
  return runs.map(([shape, variant, command, task, thought, extra]) => ({ ...base, ...shape, fault: f, variant, command, task, thought, ...(extra ?? {}) }));
}

const KVDUMP = 'make build/kvdump && ./build/kvdump data/fleet.ini';
const KVDUMP_GDB = 'make build/kvdump && gdb -q -batch -ex run -ex bt --args ./build/kvdump data/fleet.ini';
const KVDUMP_ASAN = 'make build/kvdump SANITIZE="-fsanitize=address,undefined -fno-omit-frame-pointer" && ./build/kvdump data/fleet.ini';

const KV_CASES = [
  ...fault(KV, {
    id: 'trim-keeps-trailing',
    desc: 'trim() no longer strips trailing whitespace.',
    edits: [edit('src/ini.c', `    while (end > s && isspace((unsigned char)end[-1])) {
        *--end = '\\0';
    }
`, '')],
  }, [
    [makeTest, null, 'make test', 'Config values with trailing spaces are not found any more. Fix the INI parser.', 'Build and run the C tests.', { expect: /test_ini\.c/ }],
    [makeTest, 'verbose', 'make && ./build/tests -v', 'Lookups of INI keys fail for some files. Investigate the parser.', 'Build everything and run the tests verbosely.', { expect: /test_ini\.c/ }],
    [makeTest, 'clang', 'make CC=clang test', 'INI values keep trailing blanks with the clang build too. Please fix.', 'Build with clang and run the tests.', { toolName: 'clang', expect: /test_ini\.c/ }],
  ]),
  ...fault(KV, {
    id: 'section-dropped',
    desc: 'Keys inside a section are stored without the section prefix.',
    edits: [edit('src/ini.c', 'snprintf(full, sizeof full, "%s.%s", section, key);', 'snprintf(full, sizeof full, "%s", key);')],
  }, [
    [makeTest, null, 'make test', 'Settings from different INI sections overwrite each other. Please fix.', 'Run the test suite.', { expect: /test_ini\.c/ }],
    [makeTest, 'clang-verbose', 'make CC=clang && ./build/tests -v', 'Section names vanish from config keys; check with the clang build.', 'Build with clang, run the tests verbosely.', { toolName: 'clang', expect: /test_ini\.c/ }],
  ]),
  ...fault(KV, {
    id: 'overwrite-counted',
    desc: 'Overwriting an existing key increments the map length.',
    edits: [edit('src/hashmap.c', `        free(m->slots[i].value);
        m->slots[i].value = v;
        return 0;`, `        free(m->slots[i].value);
        m->slots[i].value = v;
        m->len++;
        return 0;`)],
  }, [
    [makeTest, null, 'make test', 'The key count of the config map is too high after updates. Find the bug.', 'Run the tests.', { expect: /test_hashmap\.c/ }],
  ]),
  ...fault(KV, {
    id: 'octal-numbers',
    desc: 'ini_get_long parses numbers in base 8.',
    edits: [edit('src/ini.c', 'long n = strtol(v, &end, 10);', 'long n = strtol(v, &end, 8);')],
  }, [
    [makeTest, null, 'make test', 'Port numbers read from the config are wrong. Check number parsing.', 'Run the unit tests.', { expect: /test_ini\.c/ }],
    [makeTest, 'clang', 'make CC=clang test', 'Numeric settings come out wrong when built with clang too. Investigate.', 'Build with clang and run the tests.', { toolName: 'clang', expect: /test_ini\.c/ }],
  ]),
  ...fault(KV, {
    id: 'zero-capacity',
    desc: 'kv_init sets the capacity to 0, so the first hash is taken modulo zero.',
    edits: [edit('src/hashmap.c', '    m->cap = KV_INITIAL_CAP;', '    m->cap = 0;')],
  }, [
    [makeTest, null, 'make test', 'The test binary dies without reporting any result. Find out why.', 'Run make test.', { expect: /Floating point|Error/ }],
  ]),
  ...fault(KV, {
    id: 'null-slots',
    desc: 'kv_init leaves the slot array NULL.',
    edits: [edit('src/hashmap.c', '    m->slots = calloc(KV_INITIAL_CAP, sizeof(kv_slot));', '    m->slots = NULL;')],
  }, [
    [makeTest, null, 'make test', 'The map tests crash right away after my allocation cleanup. Please fix.', 'Run the tests.', { expect: /Segmentation fault|Error/ }],
    [makeTest, 'asan', 'make asan', 'The C tests segfault; get me a sanitizer report to see where.', 'Rebuild and run the tests with ASan and UBSan.', { expect: /SEGV|hashmap\.c/ }],
  ]),
  ...fault(KV, {
    id: 'dup-no-terminator',
    desc: 'dup() allocates strlen(s) bytes, one short for the terminating NUL.',
    edits: [edit('src/hashmap.c', '    size_t n = strlen(s) + 1;\n    char *p = malloc(n);', '    size_t n = strlen(s) + 1;\n    char *p = malloc(n - 1);')],
  }, [
    [makeTest, 'asan', 'make asan', 'Valgrind complained about the key-value map; run the tests under the sanitizers and fix what they find.', 'make asan runs the tests with ASan and UBSan.', { expect: /heap-buffer-overflow/ }],
    [asanRun, null, KVDUMP_ASAN, 'kvdump prints garbage for some keys. Check it with ASan.', 'Build kvdump with sanitizers and dump the fleet config.', { expect: /heap-buffer-overflow/ }],
  ]),
  ...fault(KV, {
    id: 'use-after-grow',
    desc: 'grow() frees the old slots before copying them into the bigger table.',
    edits: [edit('src/hashmap.c', `    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].used) {
            size_t j = find(&bigger, m->slots[i].key);`, `    free(m->slots);
    for (size_t i = 0; i < m->cap; i++) {
        if (m->slots[i].used) {
            size_t j = find(&bigger, m->slots[i].key);`),
    edit('src/hashmap.c', `    free(m->slots);
    *m = bigger;`, `    *m = bigger;`)],
  }, [
    [asanRun, null, KVDUMP_ASAN, 'kvdump crashes on large config files. Use the sanitizers to find out why.', 'Sanitizer build of kvdump on the fleet file.', { expect: /heap-use-after-free/ }],
    [analyzer, null, ANALYZE, 'Before chasing the crash in map resizing, see what gcc\'s static analyzer finds.', 'Rebuild with -fanalyzer.', { expect: /warning/ }],
    [makeTest, 'asan', 'make asan', 'Map resizing is broken; run the test suite under ASan.', 'make asan.', { expect: /heap-use-after-free/ }],
  ]),
  ...fault(KV, {
    id: 'double-free',
    desc: 'kv_free frees each value twice (the key is never freed).',
    edits: [edit('src/hashmap.c', `        if (m->slots[i].used) {
            free(m->slots[i].key);
            free(m->slots[i].value);
        }
    }
    free(m->slots);`, `        if (m->slots[i].used) {
            free(m->slots[i].value);
            free(m->slots[i].value);
        }
    }
    free(m->slots);`)],
  }, [
    [asanRun, null, KVDUMP_ASAN, 'kvdump prints the whole fleet and then crashes on exit. Find out why with the sanitizers.', 'Sanitizer build, then dump the fleet file.', { expect: /double-free/ }],
    [analyzer, null, ANALYZE, 'Run the gcc static analyzer over the key-value store; something is wrong with freeing.', 'Rebuild everything with -fanalyzer.', { expect: /warning/ }],
    [{ ...crash, expectStatus: 'any' }, 'gdb', KVDUMP_GDB, 'kvdump aborts right after printing the dump. Investigate.', 'Rebuild kvdump and run it under gdb for a backtrace.', { expect: /SIGABRT|hashmap\.c/ }],
  ]),
  ...fault(KV, {
    id: 'signed-hash',
    desc: 'The string hash accumulates in a signed long, which overflows.',
    edits: [
      edit('src/hashmap.c', 'static unsigned long hash(const char *s) {\n    unsigned long h = 5381;', 'static unsigned long hash(const char *s) {\n    long h = 5381;'),
      edit('src/hashmap.c', '    return h;', '    return (unsigned long)(h < 0 ? -h : h);'),
    ],
  }, [
    [{ ...asanRun, tool: 'ubsan', expectStatus: 'any' }, null, KVDUMP_ASAN, 'Run kvdump under UBSan before the release and fix any undefined behaviour.', 'Sanitizer build and a run over the fleet config.', { expect: /runtime error/ }],
  ]),
  ...fault(KV, {
    id: 'null-value-printed',
    desc: 'kvdump prints a looked-up value with strlen-based formatting that does not handle unset keys.',
    edits: [edit('tools/kvdump.c', '            printf("%s = %s\\n", argv[i], v ? v : "(unset)");', '            printf("%s = %.*s\\n", argv[i], (int)strlen(v), v);'),
      edit('tools/kvdump.c', '#include <stdlib.h>\n', '#include <stdlib.h>\n#include <string.h>\n')],
  }, [
    [{ ...crash, expectStatus: 'any' }, 'gdb', `${KVDUMP_GDB} node-01.host node-07.port node-77.host`, 'kvdump crashes when I ask for particular keys. Please fix.', 'Rebuild and run the same query under gdb to get a backtrace.', { expect: /SIGSEGV|kvdump\.c/ }],
    [asanRun, 'asan', `${KVDUMP_ASAN} node-01.host node-77.host`, 'Asking kvdump for a missing key crashes it; get a sanitizer trace.', 'Sanitizer build, then the same query.', { expect: /SEGV|kvdump\.c/ }],
  ]),
  ...fault(KV, {
    id: 'put-signature',
    desc: 'kv_put\'s definition takes an int value while the header still says const char *; callers pass strings.',
    edits: [
      edit('src/hashmap.c', 'int kv_put(kv_map *m, const char *key, const char *value) {', 'int kv_put(kv_map *m, const char *key, int value) {'),
      edit('src/hashmap.c', '    char *v = dup(value);', '    char buf[24];\n    snprintf(buf, sizeof buf, "%d", value);\n    char *v = dup(buf);'),
      edit('src/hashmap.c', '#include <string.h>', '#include <stdio.h>\n#include <string.h>'),
    ],
  }, [
    [makeBuild, null, 'make', 'I started storing numbers directly in the map and now the build fails. Fix it.', 'Build everything.', { expect: /conflicting types/ }],
    [clangBuild, null, 'make CC=clang', 'The map no longer compiles with clang either. Please fix.', 'Build with clang.', { expect: /conflicting types/ }],
  ]),
  ...fault(KV, {
    id: 'missing-definition',
    desc: 'kv_clear is declared and used by kvdump but never defined; the test runner registers a test with a misspelled name.',
    edits: [
      edit('src/hashmap.h', 'void kv_free(kv_map *m);', 'void kv_free(kv_map *m);\n/* Removes every entry, keeping the capacity. */\nvoid kv_clear(kv_map *m);'),
      edit('tools/kvdump.c', '    kv_free(&m);\n    return 0;', '    kv_clear(&m);\n    kv_free(&m);\n    return 0;'),
      edit('tests/test_main.c', 'void test_numbers(void);', 'void test_number(void);'),
      edit('tests/test_main.c', '{"test_numbers", test_numbers},', '{"test_numbers", test_number},'),
    ],
  }, [
    [makeBuild, null, 'make -k', 'The build breaks at the link step after my last change. Fix it.', 'Run make, keeping going past the first failure.', { expect: /undefined reference/ }],
    [clangBuild, 'weverything', 'make -k CC=clang CFLAGS="-std=c11 -g -Weverything"', 'Build with every clang warning on and fix the link errors too.', 'make -k with -Weverything under clang.', { expect: /undefined reference|undefined symbol/ }],
    [clangBuild, 'clang', 'make CC=clang', 'Linking fails with clang as well. Please sort it out.', 'Build with clang.', { expect: /undefined reference|undefined symbol/ }],
  ]),
  ...fault(KV, {
    id: 'sloppy-code',
    desc: 'Signed/unsigned comparisons, an unused parameter and variable, and a missing string.h include.',
    edits: [
      edit('src/ini.c', '#include <string.h>\n', ''),
      edit('src/ini.c', '    int lineno = 0;', '    int lineno = 0;\n    int indent = 0;'),
      edit('src/hashmap.c', 'static int cmp_str(const void *a, const void *b) {', 'static int count_used(const kv_map *m, int limit) {\n    int n = 0;\n    for (int i = 0; i < m->cap; i++) {\n        n += m->slots[i].used;\n    }\n    return n;\n}\n\nstatic int cmp_str(const void *a, const void *b) {'),
    ],
  }, [
    [{ ...makeBuild, expectStatus: 'any' }, null, 'make', 'Make the C build warning-free before we turn on -Werror.', 'Build and read the warnings.', { expect: /warning/ }],
    [clangBuild, 'werror', 'make CC=clang CFLAGS="-std=c11 -g -Wall -Wextra -Werror"', 'CI builds with clang and -Werror and it fails. Fix the warnings.', 'Same flags as CI.', { expect: /error/ }],
    [{ ...clangBuild, expectStatus: 'any' }, 'weverything', 'make CC=clang CFLAGS="-std=c11 -g -Weverything"', 'Try the strictest clang warnings on the key-value store and tell me which ones matter.', 'Build with -Weverything.', { expect: /warning/ }],
    [{ ...makeBuild, expectStatus: 'any' }, 'wconversion', 'make CFLAGS="-std=c11 -g -Wall -Wextra -Wconversion -Wsign-conversion -pedantic"', 'Check the C code for implicit conversions before we port it to a 32-bit target.', 'Build with conversion warnings on.', { expect: /warning/ }],
  ]),
];

const CONFIGURE = 'cmake -S . -B build -DCMAKE_BUILD_TYPE=Debug';
const CONFIGURE_ASAN = 'cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DROUTES_SANITIZE=ON';
const CONFIGURE_CLANG = 'CXX=clang++ cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Debug';
const BUILD_TEST = 'cmake --build build && ctest --test-dir build --output-on-failure';
// Each configuration is built once before the fault (kept as a tarball by case-builder), so a
// case's build recompiles only what the fault touched, as in a developer's incremental build.
const PREBUILT = [CONFIGURE, 'cmake --build build'];
const PREBUILT_ASAN = [CONFIGURE_ASAN, 'cmake --build build-asan'];
const PREBUILT_CLANG = [CONFIGURE_CLANG, 'cmake --build build-clang'];
const PLAN_ASAN = 'cmake --build build-asan && ./build-asan/route_planner network.txt Central Terminal';

const ROUTES_CASES = [
  ...fault(ROUTES, {
    id: 'one-way-ignored',
    desc: 'connect() adds the reverse edge even for one-way links.',
    edits: [edit('src/graph.cpp', '    if (both_ways) {', '    if (both_ways || true) {')],
  }, [
    [ctest, null, BUILD_TEST, 'One-way links in the network are being travelled backwards. Fix the graph.', 'Build and run the tests with output on failure.', { prebuild: PREBUILT, expect: /test_graph/ }],
    [ctest, 'verbose', 'cmake --build build && ctest --test-dir build -V', 'Route planning ignores one-way streets. Investigate.', 'Verbose ctest run.', { prebuild: PREBUILT, expect: /test_graph/ }],
  ]),
  ...fault(ROUTES, {
    id: 'median-upper',
    desc: 'median of an even count returns the upper middle value.',
    edits: [edit('include/routes/stats.hpp', '    return (static_cast<double>(v[mid - 1]) + static_cast<double>(v[mid])) / 2.0;', '    return static_cast<double>(v[mid]);')],
  }, [
    [ctest, null, BUILD_TEST, 'The median wait time in reports looks too high. Check the stats helpers.', 'Build and run the tests.', { prebuild: PREBUILT, expect: /test_stats/ }],
  ]),
  ...fault(ROUTES, {
    id: 'percentile-expectation',
    desc: 'The percentile test expects a different 25th percentile than the nearest-rank definition gives.',
    edits: [edit('tests/test_stats.cpp', 'EXPECT_EQ(4, routes::percentile(waits, 25));', 'EXPECT_EQ(5, routes::percentile(waits, 25));')],
  }, [
    [ctest, null, BUILD_TEST, 'Percentiles of waiting times disagree with the spreadsheet. Please fix.', 'Build and test.', { prebuild: PREBUILT, expect: /test_stats/ }],
    [ctest, 'one-test', 'cmake --build build && ctest --test-dir build -R stats --output-on-failure', 'The stats tests fail; look only at those.', 'Run only the stats tests.', { prebuild: PREBUILT, expect: /test_stats/ }],
  ]),
  ...fault(ROUTES, {
    id: 'wrap-gap',
    desc: 'The overnight gap in average_wait forgets to add a day.',
    edits: [edit('src/timetable.cpp', 'deps_[0].at + kDay - deps_.back().at', 'deps_[0].at - deps_.back().at')],
  }, [
    [ctest, null, BUILD_TEST, 'Average waiting time is wrong for services that run all day. Investigate.', 'Build and run ctest.', { prebuild: PREBUILT, expect: /test_timetable/ }],
  ]),
  ...fault(ROUTES, {
    id: 'equal-times-order',
    desc: 'Departures at the same time are inserted before existing ones.',
    edits: [edit('src/timetable.cpp', 'auto pos = std::upper_bound(deps_.begin(), deps_.end(), d.at, [](int t, const Departure& x) { return t < x.at; });', 'auto pos = std::lower_bound(deps_.begin(), deps_.end(), d.at, [](const Departure& x, int t) { return x.at < t; });')],
  }, [
    [ctest, null, BUILD_TEST, 'Two lines leaving at the same minute are listed in the wrong order. Fix it.', 'Build and test.', { prebuild: PREBUILT, expect: /test_timetable/ }],
  ]),
  ...fault(ROUTES, {
    id: 'null-next-departure',
    desc: 'next_after returns nullptr instead of wrapping to the first departure after the last one.',
    edits: [edit('src/timetable.cpp', 'return it == deps_.end() ? &deps_.front() : &*it;', 'return it == deps_.end() ? nullptr : &*it;')],
  }, [
    [ctest, null, BUILD_TEST, 'The timetable tests crash after my change to the next departure lookup. Please fix.', 'Build and run the tests.', { prebuild: PREBUILT, expect: /SegFault|test_timetable/ }],
    [ctest, 'asan', 'cmake --build build-asan && ctest --test-dir build-asan --output-on-failure', 'Timetable test crashes; get me a sanitizer report.', 'Sanitizer build and tests.', { prebuild: PREBUILT_ASAN, expect: /SEGV|timetable/ }],
  ]),
  ...fault(ROUTES, {
    id: 'dangling-adjacency',
    desc: 'connect() keeps a reference into adjacency_ across add_stop, which may reallocate it.',
    edits: [edit('src/graph.cpp', `    std::size_t a = add_stop(from);
    std::size_t b = add_stop(to);
    adjacency_[a].push_back({b, minutes});`, `    std::size_t a = add_stop(from);
    std::vector<Edge>& out = adjacency_[a];
    std::size_t b = add_stop(to);
    out.push_back({b, minutes});`)],
  }, [
    [asanRun, null, PLAN_ASAN, 'The route planner sometimes crashes while loading networks. Run it under ASan and find the bug.', 'Build the sanitizer configuration and plan a route.', { prebuild: PREBUILT_ASAN, toolName: 'cmake', expect: /heap-use-after-free/ }],
    [ctest, 'asan', 'cmake --build build-asan && ctest --test-dir build-asan --output-on-failure', 'Graph tests are flaky; run them under the sanitizers.', 'Sanitizer build and tests.', { prebuild: PREBUILT_ASAN, expect: /heap-use-after-free/ }],
    [ctest, 'asan-verbose', 'cmake --build build-asan && ctest --test-dir build-asan -V', 'Graph loading corrupts memory; give me the verbose sanitizer test run.', 'Verbose ctest on the sanitizer build.', { prebuild: PREBUILT_ASAN, expect: /heap-use-after-free/ }],
  ]),
  ...fault(ROUTES, {
    id: 'wait-overflow',
    desc: 'average_wait squares the gap in seconds as int, which overflows for long gaps.',
    edits: [edit('src/timetable.cpp', '        total += gap * gap / 2.0;', '        int gap_s = gap * 60;\n        total += gap_s * gap_s * 1000 / 2.0 / 3600 / 1000;')],
  }, [
    [ctest, 'ubsan', 'cmake --build build-asan && ctest --test-dir build-asan --output-on-failure', 'Average waits are nonsense for sparse timetables. Check with UBSan.', 'Sanitizer build and tests.', { prebuild: PREBUILT_ASAN, expect: /runtime error/ }],
  ]),
  ...fault(ROUTES, {
    id: 'destination-lowercased',
    desc: 'route_planner lower-cases the destination before looking it up, so no stop matches.',
    edits: [
      edit('tools/route_planner.cpp', '#include <fstream>', '#include <cctype>\n#include <fstream>'),
      edit('tools/route_planner.cpp', '    auto path = g.shortest(argv[2], argv[3]);', '    std::string to = argv[3];\n    for (auto& ch : to) {\n        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));\n    }\n    auto path = g.shortest(argv[2], to);'),
    ],
  }, [
    [crash, null, 'cmake --build build && ./build/route_planner network.txt Central Terminal', 'The route planner aborts for the airport shuttle query. Find out why.', 'Build and run the same query.', { prebuild: PREBUILT, toolName: 'cmake', expect: /terminate called|what\(\)/ }],
  ]),
  ...fault(ROUTES, {
    id: 'edges-sorted-without-order',
    desc: 'shortest() sorts each adjacency list, but Edge has no ordering.',
    edits: [edit('src/graph.cpp', '        for (const Edge& e : adjacency_[u]) {\n            double nd', '        std::vector<Edge> edges = adjacency_[u];\n        std::sort(edges.begin(), edges.end());\n        for (const Edge& e : edges) {\n            double nd')],
  }, [
    [cmakeBuild, null, 'cmake --build build', 'I wanted to visit neighbours in a stable order and now the graph code does not compile. Fix it.', 'Build to see the error.', { prebuild: PREBUILT, expect: /graph\.cpp|error/ }],
    [cmakeClang, null, 'cmake --build build-clang', 'Same sort change fails to build with clang; fix it for both compilers.', 'Build the clang configuration.', { prebuild: PREBUILT_CLANG, expect: /error/ }],
  ]),
  ...fault(ROUTES, {
    id: 'mean-of-strings',
    desc: 'A test calls mean() and median() on strings, which the Arithmetic constraint rejects.',
    edits: [edit('tests/test_stats.cpp', 'TEST(mean_of_ints) {', 'TEST(mean_of_labels) { EXPECT_NEAR(0.0, routes::mean(std::vector<std::string>{"a", "b"}), 1e-12); }\nTEST(median_of_labels) { EXPECT_NEAR(0.0, routes::median(std::list<std::string>{"a", "b"}), 1e-12); }\nTEST(mean_of_ints) {')],
  }, [
    [cmakeBuild, null, 'cmake --build build', 'Someone added stats tests over labels and the build broke. Make it compile sensibly.', 'Build to read the template errors.', { prebuild: PREBUILT, expect: /test_stats\.cpp/ }],
    [cmakeClang, null, 'cmake --build build-clang', 'The stats tests do not compile with clang. Please fix.', 'Build with clang.', { prebuild: PREBUILT_CLANG, expect: /test_stats\.cpp/ }],
  ]),
  ...fault(ROUTES, {
    id: 'const-shortest',
    desc: 'shortest() (a const method) registers unknown stops with add_stop.',
    edits: [edit('src/graph.cpp', '    const std::size_t src = id_of(from), dst = id_of(to);', '    const std::size_t src = add_stop(from), dst = add_stop(to);')],
  }, [
    [cmakeBuild, null, 'cmake --build build', 'I made route queries register unknown stops; now it fails to compile. Fix it.', 'Build.', { prebuild: PREBUILT, expect: /graph\.cpp/ }],
  ]),
  ...fault(ROUTES, {
    id: 'queue-include-missing',
    desc: 'graph.cpp lost its <queue> and <algorithm> includes.',
    edits: [edit('src/graph.cpp', '#include <algorithm>\n#include <functional>\n#include <queue>\n', '#include <functional>\n')],
  }, [
    [cmakeBuild, null, 'cmake --build build', 'An include cleanup broke the graph library build. Please fix.', 'Build to see what is missing.', { prebuild: PREBUILT, expect: /graph\.cpp/ }],
  ]),
  ...fault(ROUTES, {
    id: 'timetable-not-linked',
    desc: 'timetable.cpp was dropped from the routes library in CMakeLists.txt.',
    edits: [edit('CMakeLists.txt', 'add_library(routes src/graph.cpp src/timetable.cpp)', 'add_library(routes src/graph.cpp)')],
  }, [
    [cmakeBuild, null, 'cmake -S . -B build && cmake --build build', 'After reorganising CMakeLists the timetable tests no longer link. Fix the build.', 'Configure and build.', { prebuild: PREBUILT, expect: /undefined reference/ }],
  ]),
];

buildFamily({ script: 'c-cpp.mjs', tools: TOOLS, cases: [...KV_CASES, ...ROUTES_CASES], idPrefixes: ['c-', 'cpp-'] });
