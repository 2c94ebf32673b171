// Java part of the tool-output corpus: javac, JUnit 4 through JUnitCore and through Maven Surefire
// (offline, from Debian's maven-repo), and crashing programs with stack traces, on a small order
// service (fixtures/corpus-projects/java-orders) with injected faults.
// `node scripts/corpus/java.mjs [--only SUBSTRING] [--dry] [--reuse]`.
// Needs a JDK 17, JUnit 4 and Maven from Debian: apt-get install openjdk-17-jdk-headless junit4
// libhamcrest-java maven maven-debian-helper (the last brings the Maven plugins into /usr/share/maven-repo).
import { existsSync, rmSync } from 'node:fs';
import { buildFamily } from './case-builder.mjs';
import * as javaStack from './label-java-stack.mjs';
import * as javac from './label-javac.mjs';
import * as junit from './label-junit.mjs';
import { runCombined, runEnv, stageProject } from './stage-fault-run.mjs';

/** Maven's local repository, named in the project's .mvn/settings.xml. */
const M2_REPO = '/tmp/headroom-corpus/.m2-java';
const JUNIT = '/usr/share/java/junit4.jar';
const HAMCREST = '/usr/share/java/hamcrest-core.jar';
const TOOLS = [
  { name: 'javac', version: 'javac -version && java -version', install: 'apt-get install openjdk-17-jdk-headless' },
  { name: 'junit4', version: `test -f ${JUNIT} && test -f ${HAMCREST} && unzip -p ${JUNIT} META-INF/MANIFEST.MF | grep -i implementation-version`, install: 'apt-get install junit4 libhamcrest-java' },
  { name: 'maven', version: 'test -d /usr/share/maven-repo/org/apache/maven/plugins/maven-surefire-plugin/2.22.3 && mvn -v', install: 'apt-get install maven maven-debian-helper' },
];

const ORDERS = { project: 'java-orders', short: 'orders', language: 'java' };
const SRC = '$(find src/main/java -name "*.java")';
const ALL_SRC = '$(find src -name "*.java")';
const compileAll = `javac -d out -cp ${JUNIT} ${ALL_SRC}`;
const junitRun = (...classes) => `${compileAll} && java -cp out:${JUNIT}:${HAMCREST} org.junit.runner.JUnitCore ${classes.map((c) => `com.example.orders.${c}`).join(' ')}`;
const ALL_TESTS = ['MoneyTest', 'OrderServiceTest', 'CsvOrdersTest', 'PriceTableTest'];
const runMain = (csv = 'data/orders.csv') => `javac -d out ${SRC} && java -cp out com.example.orders.Main ${csv}`;

const test = { kind: 'test-run', tool: 'junit4', labeller: junit, toolName: 'junit4', expectStatus: 'nonzero' };
const mvnTest = { kind: 'test-run', tool: 'maven-surefire', labeller: junit, toolName: 'maven', expectStatus: 'nonzero' };
const compile = { kind: 'compile', tool: 'javac', labeller: javac, toolName: 'javac', expectStatus: 'nonzero' };
const mvnCompile = { kind: 'compile', tool: 'maven-compiler', labeller: junit, toolName: 'maven', expectStatus: 'nonzero' };
const run = { kind: 'traceback', tool: 'java', labeller: javaStack, toolName: 'javac', expectStatus: 'nonzero' };

const edit = (file, from, to) => ({ file, from, to });
const main = (f) => `src/main/java/com/example/orders/${f}.java`;
const testFile = (f) => `src/test/java/com/example/orders/${f}.java`;

function fault(base, f, runs) {
  return runs.map(([shape, variant, command, task, thought, extra]) => ({ ...base, ...shape, fault: f, variant, command, task, thought, ...(extra ?? {}) }));
}

const CASES = [
  ...fault(ORDERS, {
    id: 'bulk-threshold',
    desc: 'The 5% bulk discount starts above 10 units instead of at 10 (`>= 10` became `> 10`).',
    edits: [edit(main('PricingService'), 'if (units >= 10) {', 'if (units > 10) {')],
  }, [
    [test, null, junitRun(...ALL_TESTS), 'Orders of exactly ten units no longer get the bulk discount. Please fix the pricing.', 'Compile and run all the unit tests.', { expect: /PriceTableTest|OrderServiceTest/ }],
    [test, 'one-class', junitRun('OrderServiceTest'), 'Bulk discount looks wrong at the threshold; check the order service tests.', 'Run the order service tests only.', { expect: /couponAppliesAfterBulkDiscount/ }],
    [mvnTest, null, 'mvn test', 'CI says the pricing tests fail on main. Reproduce and fix.', 'Run the Maven test phase like CI does.', { expect: /PriceTableTest|OrderServiceTest/ }],
  ]),
  ...fault(ORDERS, {
    id: 'coupon-on-subtotal',
    desc: 'The coupon is computed on the subtotal instead of the amount after the bulk discount.',
    edits: [edit(main('PricingService'), 'coupon = afterBulk.percent(pct);', 'coupon = subtotal.percent(pct);')],
  }, [
    [test, null, junitRun(...ALL_TESTS), 'Coupons give customers slightly too much off on big orders. Investigate the pricing.', 'Run the whole JUnit suite.', { expect: /Test/ }],
    [test, 'table-only', junitRun('PriceTableTest'), 'The agreed price table disagrees for coupon orders. Find the cause.', 'Run only the price table.', { expect: /PriceTableTest/ }],
    [mvnTest, 'quiet', 'mvn -q test', 'Coupon discounts changed after last week\'s refactor. Find the regression.', 'Quiet Maven test run.', { expect: /Test/ }],
  ]),
  ...fault(ORDERS, {
    id: 'tax-on-subtotal',
    desc: 'Tax is charged on the subtotal rather than on the discounted amount.',
    edits: [edit(main('PricingService'), 'Money tax = taxable.percent(rate);', 'Money tax = subtotal.percent(rate);')],
  }, [
    [test, null, junitRun(...ALL_TESTS), 'Finance reports that we overcharge tax on discounted orders. Fix it.', 'Let me run all tests to see how widespread it is.', { expect: /PriceTableTest/ }],
    [test, 'table-only', junitRun('PriceTableTest'), 'The price table tests agreed with finance are failing. Find out why.', 'Run only the price table.', { expect: /PriceTableTest/ }],
    [mvnTest, null, 'mvn test', 'Tax amounts are off for orders with discounts. Please fix and make CI green.', 'Run mvn test.', { expect: /PriceTableTest/ }],
  ]),
  ...fault(ORDERS, {
    id: 'bulk-tiers-swapped',
    desc: 'The bulk discount tiers are swapped: 10% from 10 units, 5% from 50.',
    edits: [
      edit(main('PricingService'), '            return BigDecimal.TEN;\n', '            return BigDecimal.valueOf(5);\n'),
      edit(main('PricingService'), '        if (units >= 10) {\n            return BigDecimal.valueOf(5);', '        if (units >= 10) {\n            return BigDecimal.TEN;'),
    ],
  }, [
    [test, null, junitRun(...ALL_TESTS), 'Large orders get a smaller discount than medium ones. Fix the bulk tiers.', 'Run the full JUnit suite.', { expect: /PriceTableTest/ }],
    [test, 'table-only', junitRun('PriceTableTest'), 'The agreed price table fails for bulk orders. Investigate.', 'Run only the price table tests.', { expect: /PriceTableTest/ }],
  ]),
  ...fault(ORDERS, {
    id: 'tax-rate-of-eu',
    desc: 'Pricing looks up every region\'s tax rate under "EU".',
    edits: [edit(main('PricingService'), 'BigDecimal rate = taxRates.get(order.region());', 'BigDecimal rate = taxRates.get("EU");')],
  }, [
    [test, null, junitRun(...ALL_TESTS), 'UK and US customers are charged the wrong tax. Please fix.', 'Run all tests.', { expect: /PriceTableTest/ }],
    [test, 'table-only', junitRun('PriceTableTest'), 'Tax for non-EU orders is wrong in the price table. Investigate.', 'Run the price table tests.', { expect: /PriceTableTest/ }],
  ]),
  ...fault(ORDERS, {
    id: 'release-skipped',
    desc: 'A rejected order no longer releases the stock it reserved.',
    edits: [edit(main('OrderService'), '                inventory.release(line.sku(), line.quantity());\n', '')],
  }, [
    [test, null, junitRun('OrderServiceTest'), 'Stock stays reserved after an order is rejected. Please fix.', 'Run the order service tests.', { expect: /rejectedOrderReleasesEverything/ }],
    [test, 'all', junitRun(...ALL_TESTS), 'Rejected orders keep their stock reserved. Run the whole suite and fix it.', 'All four test classes.', { expect: /rejectedOrderReleasesEverything/ }],
    [mvnTest, 'one-test', 'mvn test -Dtest=OrderServiceTest', 'Reservations leak when orders fail. Check the order service.', 'Run just that test class through Maven.', { expect: /rejectedOrderReleasesEverything/ }],
  ]),
  ...fault(ORDERS, {
    id: 'half-up-percent',
    desc: 'Money.percent rounds half up instead of half even.',
    edits: [edit(main('Money'), 'divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_EVEN)', 'divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP)')],
  }, [
    [test, null, junitRun(...ALL_TESTS), 'Some totals are one cent higher than the finance spreadsheet. Check the money rounding.', 'Run all tests.', { expect: /MoneyTest|PriceTableTest/ }],
    [mvnTest, null, 'mvn test', 'Cent differences against finance again; make the Maven build pass.', 'Run mvn test.', { expect: /MoneyTest|PriceTableTest/ }],
  ]),
  ...fault(ORDERS, {
    id: 'reserved-map-null',
    desc: 'Inventory.reserved is declared but never initialised.',
    edits: [edit(main('Inventory'), 'private final Map<String, Integer> reserved = new HashMap<>();', 'private Map<String, Integer> reserved;')],
  }, [
    [test, null, junitRun(...ALL_TESTS), 'Every order fails with a null pointer since the inventory change. Fix it.', 'Run all the tests.', { expect: /NullPointerException/ }],
    [run, null, runMain(), 'Placing the sample orders crashes immediately. Find the cause.', 'Run the order import on the sample file.', { expect: /NullPointerException/ }],
    [mvnTest, null, 'mvn test', 'The Maven build reports errors, not failures, in the order tests. Fix the cause.', 'Run the tests through Maven.', { expect: /NullPointerException/ }],
  ]),
  ...fault(ORDERS, {
    id: 'cause-dropped',
    desc: 'CsvOrders wraps a bad row without keeping the cause.',
    edits: [edit(main('CsvOrders'), `throw new IllegalArgumentException("line " + lineNo + ": bad row '" + row + "'", e);`, `throw new IllegalArgumentException("line " + lineNo + ": bad row '" + row + "'");`)],
  }, [
    [test, null, junitRun('CsvOrdersTest'), 'The CSV import test fails with an exception instead of an assertion. Look into it.', 'Run the CSV tests.', { expect: /NullPointerException|CsvOrdersTest/ }],
    [test, 'all', junitRun(...ALL_TESTS), 'Something in the CSV import error handling regressed; run everything.', 'The full JUnit suite.', { expect: /NullPointerException|CsvOrdersTest/ }],
  ]),
  ...fault(ORDERS, {
    id: 'unknown-coupon-in-data',
    desc: 'The sample orders file uses a coupon code that is not in the catalogue.',
    edits: [edit('data/orders.csv', 'SO-1012,UK,WELCOME10,TEE-S,1,14.00', 'SO-1012,UK,SUMMER20,TEE-S,1,14.00')],
  }, [
    [run, null, runMain(), 'The nightly order import crashed half way. Find out which order and why.', 'Run the import on the same file.', { expect: /Caused by/ }],
  ]),
  ...fault(ORDERS, {
    id: 'bad-quantity-in-data',
    desc: 'A row of the sample orders file has a spelled-out quantity.',
    edits: [edit('data/orders.csv', 'SO-1030,US,,TEE-L,4,15.50', 'SO-1030,US,,TEE-L,four,15.50')],
  }, [
    [run, null, runMain(), 'Importing the new orders file fails before anything is placed. Please check.', 'Run the importer on that file.', { expect: /NumberFormatException/ }],
  ]),
  ...fault(ORDERS, {
    id: 'out-of-stock-in-data',
    desc: 'An order in the sample file asks for more bags than are in stock.',
    edits: [edit('data/orders.csv', 'SO-1007,EU,,TEE-S,3,14.00', 'SO-1007,EU,,BAG-01,300,24.90')],
  }, [
    [run, null, runMain(), 'The import stops on one order and the rest are never placed. Investigate.', 'Reproduce with the sample file.', { expect: /OutOfStockException/ }],
  ]),
  ...fault(ORDERS, {
    id: 'quantity-overflow',
    desc: 'A quantity in the sample file is so large that the line total overflows a long.',
    edits: [edit('data/orders.csv', 'SO-1030,US,,TEE-S,1,14.00', 'SO-1030,US,,TEE-S,1,92233720368547758.07')],
  }, [
    [run, null, runMain(), 'A pasted order with a garbage price crashed the import. Show me where it fails.', 'Run the importer.', { expect: /ArithmeticException/ }],
  ]),
  ...fault(ORDERS, {
    id: 'recursive-tostring',
    desc: 'Money.toString calls itself instead of formatting the cents.',
    edits: [edit(main('Money'), 'return BigDecimal.valueOf(cents, 2).toPlainString();', 'return cents < 0 ? "-" + this : BigDecimal.valueOf(cents, 2).toPlainString() + " (" + this + ")";')],
  }, [
    [run, null, runMain(), 'After I changed how amounts are printed the importer dies with a huge trace. Fix it.', 'Run it to see the error.', { expect: /StackOverflowError/ }],
    [test, null, junitRun('MoneyTest'), 'Money tests crash since my formatting change. Please fix.', 'Run the money tests.', { expect: /StackOverflowError/ }],
  ]),
  ...fault(ORDERS, {
    id: 'missing-data-file',
    desc: 'The sample orders file was renamed, so the path Main is given no longer exists.',
    edits: [{ file: 'data/orders.csv', renameTo: 'data/orders-2026.csv' }],
  }, [
    [run, null, runMain(), 'The import job fails on the staging box. Find out what it cannot do.', 'Run it the same way the job does.', { expect: /NoSuchFileException|UncheckedIOException/ }],
  ]),
  ...fault(ORDERS, {
    id: 'generic-stock-error',
    desc: 'Inventory.reserve throws a plain IllegalStateException instead of OutOfStockException.',
    edits: [edit(main('Inventory'), 'throw new OutOfStockException(sku, units, free);', 'throw new IllegalStateException("not enough " + sku);')],
  }, [
    [test, null, junitRun('OrderServiceTest', 'MoneyTest'), 'A test about rejected orders started failing after an inventory cleanup. Investigate.', 'Run the order service and money tests.', { expect: /rejectedOrderReleasesEverything/ }],
    [test, 'all', junitRun(...ALL_TESTS), 'Rejected-order handling broke after the inventory cleanup; run the full suite.', 'All test classes.', { expect: /rejectedOrderReleasesEverything/ }],
  ]),
  ...fault(ORDERS, {
    id: 'region-lowercased',
    desc: 'The CSV importer lower-cases the region code, which the tax table does not know.',
    edits: [edit(main('CsvOrders'), 'new Order(id, f[1], coupon)', 'new Order(id, f[1].toLowerCase(), coupon)')],
  }, [
    [run, null, runMain(), 'No order from the CSV gets placed any more. Find out why.', 'Run the importer on the sample data.', { expect: /no tax rate/ }],
  ]),
  ...fault(ORDERS, {
    id: 'parse-without-rounding',
    desc: 'Money.parse no longer rounds to the cent before converting, so sub-cent input throws.',
    edits: [edit(main('Money'), 'return new Money(d.movePointRight(2).setScale(0, RoundingMode.HALF_EVEN).longValueExact());', 'return new Money(d.movePointRight(2).longValueExact());')],
  }, [
    [test, null, junitRun('MoneyTest', 'CsvOrdersTest'), 'Parsing amounts with three decimals blows up now. Fix the money parser.', 'Run the money and CSV tests.', { expect: /ArithmeticException/ }],
    [test, 'all', junitRun(...ALL_TESTS), 'Money parsing regressed somewhere; run every test and fix it.', 'Run the complete JUnit suite.', { expect: /ArithmeticException/ }],
    [mvnTest, null, 'mvn test', 'Money parsing regressed; make the Maven build green again.', 'Run mvn test.', { expect: /ArithmeticException|MoneyTest/ }],
  ]),
  ...fault(ORDERS, {
    id: 'coupons-not-loaded',
    desc: 'Main builds the pricing service without a coupon table.',
    edits: [edit(main('Main'), 'Map.of("WELCOME10", BigDecimal.TEN, "SPRING15", new BigDecimal("15")));', 'null);')],
  }, [
    [run, null, runMain(), 'Orders with a coupon crash the importer. Please look.', 'Run the importer.', { expect: /NullPointerException/ }],
  ]),
  ...fault(ORDERS, {
    id: 'renamed-plus',
    desc: 'Money.plus was renamed to add; callers were not updated.',
    edits: [edit(main('Money'), 'public Money plus(Money other) {', 'public Money add(Money other) {')],
  }, [
    [compile, null, `javac -d out ${SRC}`, 'I renamed a Money method and the service no longer compiles. Fix the callers.', 'Compile the main sources.', { expect: /cannot find symbol/ }],
    [mvnCompile, null, 'mvn compile', 'The Maven build breaks after a rename in Money. Please repair.', 'Run mvn compile.', { expect: /cannot find symbol/ }],
  ]),
  ...fault(ORDERS, {
    id: 'units-long',
    desc: 'Order.units now returns long, which int callers cannot take without a cast.',
    edits: [edit(main('Order'), '    public int units() {\n        int n = 0;', '    public long units() {\n        long n = 0;')],
  }, [
    [compile, null, compileAll, 'I widened the unit count to long and things stopped compiling. Fix it.', 'Compile main and test sources.', { expect: /incompatible types/ }],
  ]),
  ...fault(ORDERS, {
    id: 'missing-imports',
    desc: 'The java.util.Map import was removed from PricingService and Inventory.',
    edits: [
      edit(main('PricingService'), 'import java.util.Map;\n', ''),
      edit(main('Inventory'), 'import java.util.Map;\n', ''),
    ],
  }, [
    [compile, null, `javac -d out ${SRC}`, 'An import cleanup broke the build. Please fix.', 'Compile the sources.', { expect: /cannot find symbol/ }],
  ]),
  ...fault(ORDERS, {
    id: 'checked-exception',
    desc: 'CsvOrders.parse no longer declares IOException.',
    edits: [edit(main('CsvOrders'), 'static List<Order> parse(BufferedReader in) throws IOException {', 'static List<Order> parse(BufferedReader in) {')],
  }, [
    [compile, null, compileAll, 'I tidied the CSV parser signature; now javac complains. Fix it properly.', 'Compile everything.', { expect: /unreported exception/ }],
  ]),
  ...fault(ORDERS, {
    id: 'renamed-class',
    desc: 'The OrderLine class was renamed to LineItem inside OrderLine.java only.',
    edits: [
      edit(main('OrderLine'), 'public final class OrderLine {', 'public final class LineItem {'),
      edit(main('OrderLine'), '    public OrderLine(String sku, int quantity, Money unitPrice) {', '    public LineItem(String sku, int quantity, Money unitPrice) {'),
    ],
  }, [
    [compile, null, compileAll, 'I started renaming order lines to line items. Finish it so that everything compiles.', 'Compile main and tests to see all the places.', { expect: /OrderLine|LineItem/ }],
    [mvnCompile, 'test-compile', 'mvn test-compile', 'The rename of the order line class broke the Maven build. Fix it.', 'Run mvn test-compile.', { expect: /OrderLine|LineItem/ }],
  ]),
  ...fault(ORDERS, {
    id: 'lint-warnings',
    desc: 'Raw collection types, a deprecated boxing constructor and a missing serialVersionUID.',
    edits: [
      edit(main('Order'), '    private final List<OrderLine> lines = new ArrayList<>();', '    private final List<OrderLine> lines = new ArrayList();'),
      edit(main('Order'), '        int n = 0;', '        Integer n = new Integer(0);'),
      edit(main('Inventory'), '    public void stock(String sku, int units) {', '    public void stockAll(java.util.List skus, int units) {\n        for (Object s : skus) {\n            stock((String) s, units);\n        }\n    }\n\n    public void stock(String sku, int units) {'),
    ],
  }, [
    [{ ...compile, expectStatus: 'any' }, 'xlint', `javac -Xlint:all -d out ${SRC}`, 'Before the release, compile with all lint warnings on and clean them up.', 'javac with -Xlint:all.', { expect: /warning/ }],
    [compile, 'werror', `javac -Xlint:all -Werror -d out ${SRC}`, 'Our build treats warnings as errors now and fails. Fix the warnings.', 'Compile like the build does.', { expect: /warning|error/ }],
  ]),
];

/** Fills Maven's local repository from Debian's maven-repo once, so case outputs show no downloads. */
function prepare() {
  const dir = stageProject('java-orders', 'java-orders');
  const r = runCombined('mvn -q test', { cwd: dir, env: runEnv() });
  if (r.status !== 0) throw new Error(`maven warm-up failed:\n${r.output.slice(-3000)}`);
  if (!existsSync(M2_REPO)) throw new Error('maven warm-up left no local repository');
}

buildFamily({ script: 'java.mjs', tools: TOOLS, cases: CASES, idPrefixes: ['java-'], prepare, finish: () => rmSync(M2_REPO, { recursive: true, force: true }) });
