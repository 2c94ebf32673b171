// Faults and runs on fixtures/corpus-projects/python-ledger (pytest, doctest via pytest, mypy,
// and the monthly report script's tracebacks).
const money = 'ledger/money.py';
const tax = 'ledger/tax.py';
const invoice = 'ledger/invoice.py';
const parse = 'ledger/parse.py';
const report = 'ledger/report.py';

const PYTEST = 'python3 -m pytest';

export const ledger = {
  project: 'python-ledger',
  name: 'ledger',
  faults: [
    {
      name: 'half-down-rounding',
      description: '`Money.times` rounds half down instead of half up.',
      edits: [
        { file: money, find: 'from decimal import ROUND_HALF_UP, Decimal', replace: 'from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal' },
        { file: money, find: '.quantize(Decimal(1), rounding=ROUND_HALF_UP)', replace: '.quantize(Decimal(1), rounding=ROUND_HALF_DOWN)' },
      ],
      task: 'Customers report VAT amounts one cent off on some invoices since the money refactor. Find out why.',
      runs: [
        { tool: 'pytest', cmd: PYTEST, thought: 'Let me run the whole test suite to see what the cent differences break.' },
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v`, thought: 'Running the suite verbosely so I can see which parametrised cases fail.' },
        { tool: 'pytest', variant: 'tax-file-short', cmd: `${PYTEST} tests/test_tax.py --tb=short`, thought: 'The tax tests are the most likely to show it; short tracebacks are enough.' },
        { tool: 'pytest', variant: 'doctest', cmd: `${PYTEST} --doctest-modules ledger -v`, thought: 'The docstrings in the money module have worked examples; checking them too.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
        { tool: 'pytest', variant: 'verbose-with-doctests', cmd: `${PYTEST} -v --doctest-modules ledger tests`, thought: 'Tests and docstring examples together, verbosely.' },
      ],
    },
    {
      name: 'split-off-by-one',
      description: '`Money.split` gives the extra cent to one part too many (`<=` instead of `<`).',
      edits: [{ file: money, find: '(1 if i < extra else 0)', replace: '(1 if i <= extra else 0)' }],
      task: 'Splitting a payment into instalments sometimes adds up to more than the original amount.',
      runs: [
        { tool: 'pytest', variant: 'money-verbose', cmd: `${PYTEST} tests/test_money.py -v`, thought: 'The instalment split lives in the money module; running its tests verbosely.' },
        { tool: 'pytest', variant: 'quiet', cmd: `${PYTEST} -q`, thought: 'Quick quiet run of everything first.' },
        { tool: 'pytest', variant: 'exitfirst', cmd: `${PYTEST} -x`, thought: 'Stop at the first failure so I can read one traceback in full.' },
        { tool: 'pytest', variant: 'tb-line', cmd: `${PYTEST} --tb=line -q`, thought: 'One line per failure will show how widespread this is.' },
        { tool: 'pytest', variant: 'doctest', cmd: `${PYTEST} --doctest-modules ledger`, thought: 'The split method documents its behaviour with an example; running the doctests.' },
      ],
    },
    {
      name: 'wrong-dutch-rate',
      description: 'The Dutch reduced VAT rate constant is wrong (0.06 instead of 0.09).',
      edits: [{ file: tax, find: '"NL": {"standard": Decimal("0.21"), "reduced": Decimal("0.09")', replace: '"NL": {"standard": Decimal("0.21"), "reduced": Decimal("0.06")' }],
      task: 'An accountant says our reduced-rate VAT for one country looks wrong after the rates table was updated.',
      runs: [
        { tool: 'pytest', variant: 'tax-verbose', cmd: `${PYTEST} tests/test_tax.py -v`, thought: 'Running the tax tests, verbose, to see which country and category fail.' },
        { tool: 'pytest', variant: 'tb-long', cmd: `${PYTEST} --tb=long`, thought: 'Full run with long tracebacks.' },
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v`, thought: 'Verbose run of the whole suite.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'very-verbose', cmd: `${PYTEST} -vv`, thought: 'Very verbose run, for the full comparison of each failure.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
      ],
    },
    {
      name: 'renamed-tax-function',
      description: '`tax_on` renamed to `vat_on` in ledger/tax.py but not at its callers.',
      edits: [
        { file: tax, find: 'def tax_on(net: Money', replace: 'def vat_on(net: Money' },
        { file: tax, find: 'return net + tax_on(net, country, category)', replace: 'return net + vat_on(net, country, category)' },
        { file: tax, find: '>>> tax_on(Money(1000), "DE").minor', replace: '>>> vat_on(Money(1000), "DE").minor' },
      ],
      task: 'I renamed a function in the tax module for clarity and now nothing runs. Can you sort it out?',
      runs: [
        { tool: 'pytest', cmd: PYTEST, thought: 'Running the tests to see what the rename broke.' },
        { tool: 'pytest', variant: 'doctest', cmd: `${PYTEST} --doctest-modules ledger`, thought: 'Collecting the package modules themselves, to see which fail to import.' },
      ],
    },
    {
      name: 'discount-added',
      description: 'A line discount is added to the price instead of subtracted.',
      edits: [{ file: invoice, find: 'return gross_price - gross_price.times(self.discount)', replace: 'return gross_price + gross_price.times(self.discount)' }],
      task: 'Discounted invoice lines come out more expensive than undiscounted ones.',
      runs: [
        { tool: 'pytest', variant: 'invoice-verbose', cmd: `${PYTEST} tests/test_invoice.py -v`, thought: 'Line totals are computed in the invoice module; running its tests verbosely.' },
        { tool: 'pytest', variant: 'tb-short', cmd: `${PYTEST} --tb=short`, thought: 'Whole suite with short tracebacks to see everything the discount touches.' },
        { tool: 'pytest', variant: 'very-verbose', cmd: `${PYTEST} -vv tests/test_invoice.py tests/test_parse.py`, thought: 'I want the full comparison output for the invoice and CSV import tests.' },
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v`, thought: 'Verbose run of the whole suite.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
        { tool: 'pytest', variant: 'verbose-with-doctests', cmd: `${PYTEST} -v --doctest-modules ledger tests`, thought: 'Tests and docstring examples together, verbosely.' },
      ],
    },
    {
      name: 'wrong-expected-tax',
      description: 'A wrong expected value in the Irish reduced-rate row of the tax test table.',
      edits: [{ file: 'tests/test_tax.py', find: '("IE", "reduced", 2000, 270)', replace: '("IE", "reduced", 2000, 207)' }],
      task: 'CI went red on the tax tests after someone edited the test table. Is the code or the test wrong?',
      runs: [
        { tool: 'pytest', variant: 'tax', cmd: `${PYTEST} tests/test_tax.py`, thought: 'Running only the tax tests.' },
        { tool: 'pytest', variant: 'report-all', cmd: `${PYTEST} -rA -q tests/test_tax.py tests/test_money.py`, thought: 'A quiet run with the full short summary of the money and tax tests.' },
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v`, thought: 'Whole suite, verbose, to see if anything else fails.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'very-verbose', cmd: `${PYTEST} -vv`, thought: 'Very verbose run, for the full comparison of each failure.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
      ],
    },
    {
      name: 'no-thousands-separator',
      description: '`Money.format` drops the thousands separator.',
      edits: [{ file: money, find: 'body = f"{whole:,}" if digits == 0 else f"{whole:,}.{frac:0{digits}d}"', replace: 'body = f"{whole}" if digits == 0 else f"{whole}.{frac:0{digits}d}"' }],
      task: 'The amounts in the monthly report lost their digit grouping.',
      runs: [
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v`, thought: 'Running all tests verbosely to see which formatting cases fail.' },
        { tool: 'pytest', variant: 'doctest-verbose', cmd: `${PYTEST} --doctest-modules ledger -v`, thought: 'The format method has doctest examples; running them.' },
        { tool: 'pytest', variant: 'keyword', cmd: `${PYTEST} -k format -v`, thought: 'Selecting the formatting tests by keyword.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
        { tool: 'pytest', variant: 'verbose-with-doctests', cmd: `${PYTEST} -v --doctest-modules ledger tests`, thought: 'Tests and docstring examples together, verbosely.' },
      ],
    },
    {
      name: 'currency-check-removed',
      description: 'The currency check in `Money._check` compares a currency with itself.',
      edits: [{ file: money, find: 'if self.currency != other.currency:', replace: 'if self.currency != self.currency:' }],
      task: 'We just found a report that added dollars to euros without complaining.',
      runs: [
        { tool: 'pytest', variant: 'quiet', cmd: `${PYTEST} -q`, thought: 'Quiet run of the whole suite to see what catches mixed currencies.' },
        { tool: 'pytest', variant: 'exitfirst-verbose', cmd: `${PYTEST} -x -v`, thought: 'Verbose run that stops at the first failure.' },
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'verbose-with-doctests', cmd: `${PYTEST} -v --doctest-modules ledger tests`, thought: 'Tests and docstring examples together, verbosely.' },
      ],
    },
    {
      name: 'row-numbers-from-zero',
      description: 'CSV row numbers start at 0 in `parse_lines`.',
      edits: [{ file: parse, find: 'enumerate(reader, start=1)', replace: 'enumerate(reader, start=0)' }],
      task: 'The CSV import error messages point at the wrong row of the file.',
      runs: [
        { tool: 'pytest', variant: 'parse-verbose', cmd: `${PYTEST} tests/test_parse.py -v`, thought: 'Running the CSV import tests.' },
        { tool: 'pytest', variant: 'tb-long', cmd: `${PYTEST} --tb=long -q`, thought: 'Quiet run with long tracebacks.' },
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v`, thought: 'Verbose run of everything.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'very-verbose', cmd: `${PYTEST} -vv`, thought: 'Very verbose run, for the full comparison of each failure.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
      ],
    },
    {
      name: 'fixture-zero-quantity',
      description: 'The `office_invoice` fixture adds a line with quantity 0, so it raises at setup.',
      edits: [{ file: 'tests/conftest.py', find: 'invoice.add(Line("manual", Money(1990), 1, category="reduced"))', replace: 'invoice.add(Line("manual", Money(1990), 0, category="reduced"))' }],
      task: 'After I touched the shared test fixtures, lots of invoice and report tests error out.',
      runs: [
        { tool: 'pytest', cmd: PYTEST, thought: 'Running the suite to see the setup errors.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks to see which tests use the broken fixture.' },
        { tool: 'pytest', variant: 'report', cmd: `${PYTEST} tests/test_report.py`, thought: 'Running just the report tests.' },
      ],
    },
    {
      name: 'breakdown-none',
      description: '`Invoice.tax_breakdown` reads the running total without a default.',
      edits: [{ file: invoice, find: 'by_category.get(line.category, Money(0, self.currency)) + tax', replace: 'by_category.get(line.category) + tax' }],
      task: 'The per-category VAT breakdown crashes for every invoice.',
      runs: [
        { tool: 'pytest', variant: 'invoice', cmd: `${PYTEST} tests/test_invoice.py`, thought: 'Running the invoice tests.' },
        { tool: 'pytest', variant: 'verbose', cmd: `${PYTEST} -v`, thought: 'Verbose run of the suite.' },
        { tool: 'pytest', variant: 'very-verbose', cmd: `${PYTEST} -vv`, thought: 'Very verbose run, for the full comparison of each failure.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
      ],
    },
    {
      name: 'kwd-two-digits',
      description: 'The number of minor digits for KWD is 2 instead of 3.',
      edits: [{ file: money, find: '"KWD": 3}', replace: '"KWD": 2}' }],
      task: 'Kuwaiti dinar amounts are off by a factor of ten somewhere.',
      runs: [
        { tool: 'pytest', variant: 'money', cmd: `${PYTEST} tests/test_money.py`, thought: 'Running the money tests.' },
        { tool: 'pytest', variant: 'money-verbose-long', cmd: `${PYTEST} tests/test_money.py -v --tb=long`, thought: 'Verbose money tests with long tracebacks.' },
        { tool: 'pytest', variant: 'verbose-doctest', cmd: `${PYTEST} -v --doctest-modules ledger tests`, thought: 'Tests and docstring examples together, verbosely.' },
        { tool: 'pytest', variant: 'verbose-short', cmd: `${PYTEST} -v --tb=short`, thought: 'Verbose run with short tracebacks.' },
        { tool: 'pytest', variant: 'very-verbose', cmd: `${PYTEST} -vv`, thought: 'Very verbose run, for the full comparison of each failure.' },
        { tool: 'pytest', variant: 'verbose-report-all', cmd: `${PYTEST} -v -rA`, thought: 'Verbose run with the full short summary of every test.' },
      ],
    },
    {
      name: 'minor-renamed-cents',
      description: 'The `Money.minor` field renamed to `cents` in the dataclass only.',
      edits: [{ file: money, find: '    minor: int\n', replace: '    cents: int\n' }],
      task: 'I started renaming the amount field of the money class to something clearer. What still needs changing?',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'The type checker will list every use of the old field name.' },
        { tool: 'mypy', variant: 'pretty', cmd: 'mypy --pretty', thought: 'Type check with source excerpts so I can see each use in context.' },
        { tool: 'pytest', variant: 'quiet', cmd: `${PYTEST} -q`, thought: 'And the tests, quietly, to see how much breaks at run time.' },
        { tool: 'mypy', variant: 'strict-everything', cmd: 'mypy --strict ledger tests scripts', thought: 'Strict type check of the package, the tests and the scripts together.' },
      ],
    },
    {
      name: 'times-takes-float',
      description: '`Money.times` annotated to take a float factor.',
      edits: [{ file: money, find: 'def times(self, factor: Decimal) -> Money:', replace: 'def times(self, factor: float) -> Money:' }],
      task: 'Someone changed a signature in the money module and the type check job fails. Please look.',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'Running the type checker over the package.' },
        { tool: 'mypy', variant: 'columns', cmd: 'mypy --show-column-numbers ledger', thought: 'Type check with column numbers.' },
        { tool: 'mypy', variant: 'strict-everything', cmd: 'mypy --strict ledger tests scripts', thought: 'Strict type check of the package, the tests and the scripts together.' },
      ],
    },
    {
      name: 'format-returns-bytes',
      description: '`Money.format` annotated to return bytes.',
      edits: [{ file: money, find: 'def format(self) -> str:', replace: 'def format(self) -> bytes:' }],
      task: 'The type check job complains about the money formatting code. Fix it.',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'Running mypy with the project settings.' },
        { tool: 'mypy', variant: 'report-module', cmd: 'mypy ledger/report.py', thought: 'Checking the report module, which formats amounts.' },
      ],
    },
    {
      name: 'quantity-not-converted',
      description: 'CSV import passes the quantity string to `Line` without `int()`.',
      edits: [{ file: parse, find: 'Line(description, unit_price, int(quantity), discount, category)', replace: 'Line(description, unit_price, quantity, discount, category)' }],
      task: 'Importing invoices from CSV fails on the quantity column.',
      runs: [
        { tool: 'pytest', variant: 'parse', cmd: `${PYTEST} tests/test_parse.py --tb=short`, thought: 'Running the CSV import tests with short tracebacks.' },
        { tool: 'python', variant: 'monthly', cmd: 'python3 scripts/monthly.py', thought: 'Running the monthly report on the sample invoices.' },
        { tool: 'python', variant: 'monthly-verbose', cmd: 'python3 scripts/monthly.py -v', thought: 'The report script with logging on.' },
      ],
    },
    {
      name: 'missing-money-import',
      description: 'The import of `Money` dropped from ledger/invoice.py.',
      edits: [{ file: invoice, find: 'from .money import Money, total\n', replace: 'from .money import total\n' }],
      task: 'After an import cleanup in the invoice module the build is red.',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'Type checking the whole package first.' },
        { tool: 'pytest', variant: 'invoice', cmd: `${PYTEST} tests/test_invoice.py -q`, thought: 'Now the invoice tests.' },
        { tool: 'python', variant: 'monthly', cmd: 'python3 scripts/monthly.py', thought: 'Running the monthly report to see it fail for real.' },
        { tool: 'mypy', variant: 'strict-everything', cmd: 'mypy --strict ledger tests scripts', thought: 'Strict type check of the package, the tests and the scripts together.' },
      ],
    },
    {
      name: 'rates-as-float',
      description: 'The VAT rates table annotated as float while its values are Decimals.',
      edits: [{ file: tax, find: 'RATES: dict[str, dict[str, Decimal]] = {', replace: 'RATES: dict[str, dict[str, float]] = {' }],
      task: 'The VAT module fails type checking since the table was re-annotated.',
      runs: [
        { tool: 'mypy', cmd: 'mypy', thought: 'Running mypy to see all the complaints.' },
        { tool: 'mypy', variant: 'tax-module-pretty', cmd: 'mypy --pretty ledger/tax.py', thought: 'Checking just the tax module with code excerpts.' },
        { tool: 'mypy', variant: 'strict-everything', cmd: 'mypy --strict ledger tests scripts', thought: 'Strict type check of the package, the tests and the scripts together.' },
      ],
    },
    {
      name: 'totals-annotated-list',
      description: '`totals_by_country` annotated to return a list.',
      edits: [{ file: report, find: 'def totals_by_country(invoices: list[Invoice]) -> dict[str, Money]:', replace: 'def totals_by_country(invoices: list[Invoice]) -> list[Money]:' }],
      task: 'Type errors in the reporting code after a signature change.',
      runs: [{ tool: 'mypy', cmd: 'mypy', thought: 'Type check the package.' }],
    },
    {
      name: 'bad-amount-row',
      description: 'One invoice CSV has a price written with a decimal comma.',
      edits: [{ file: 'data/invoices/INV-0078-NL.csv', find: ';85.00;', replace: ';85,00;' }],
      task: 'The monthly report script crashes on this month\'s invoices.',
      runs: [
        { tool: 'python', cmd: 'python3 scripts/monthly.py', thought: 'Running the report script to see the crash.' },
        { tool: 'python', variant: 'verbose', cmd: 'python3 scripts/monthly.py -v', thought: 'Verbose run, to see which files were read before it stops.' },
        { tool: 'python', variant: 'processes', cmd: 'python3 scripts/monthly.py --processes', thought: 'Trying the multi-process mode the cron job uses.' },
      ],
    },
    {
      name: 'json-encoder-dropped',
      description: 'The `default=encode` hook removed from the JSON output.',
      edits: [{ file: 'scripts/monthly.py', find: 'json.dumps(totals_by_country(invoices), default=encode, indent=2)', replace: 'json.dumps(totals_by_country(invoices), indent=2)' }],
      task: 'The JSON output mode of the monthly report stopped working.',
      runs: [
        { tool: 'python', cmd: 'python3 scripts/monthly.py --json', thought: 'Running the report in JSON mode.' },
        { tool: 'python', variant: 'verbose', cmd: 'python3 scripts/monthly.py --json -v', thought: 'Same, with logging on.' },
      ],
    },
    {
      name: 'unknown-country-file',
      description: 'An invoice file for a country without VAT rates.',
      write: { 'data/invoices/INV-0121-CH.csv': '# description;price;qty;discount;category\ndesk;249.00;1\n' },
      task: 'The monthly report fails since the new Swiss customer was added.',
      runs: [
        { tool: 'python', cmd: 'python3 scripts/monthly.py', thought: 'Reproducing with the report script.' },
        { tool: 'python', variant: 'verbose', cmd: 'python3 scripts/monthly.py -v', thought: 'Verbose run of the report script.' },
        { tool: 'python', variant: 'processes-verbose', cmd: 'python3 scripts/monthly.py --processes -v', thought: 'The multi-process mode the cron job uses, with logging.' },
      ],
    },
    {
      name: 'file-without-country',
      description: 'A stray CSV file whose name has no country suffix.',
      write: { 'data/invoices/summary.csv': '# description;price;qty\n' },
      task: 'The report script crashes after someone dropped an extra file into the invoices folder.',
      runs: [
        { tool: 'python', cmd: 'python3 scripts/monthly.py', thought: 'Running the report script.' },
        { tool: 'python', variant: 'verbose', cmd: 'python3 scripts/monthly.py -v', thought: 'Verbose run, to see how far it gets.' },
      ],
    },
    {
      name: 'zero-quantity-row',
      description: 'One invoice CSV has a line with quantity 0.',
      edits: [{ file: 'data/invoices/INV-0097-FR.csv', find: '# description;price;qty;discount;category\n', replace: '# description;price;qty;discount;category\ncable;4.99;0\n' }],
      task: 'The report script stops on one of the new invoices.',
      runs: [
        { tool: 'python', cmd: 'python3 scripts/monthly.py', thought: 'Running the report script.' },
        { tool: 'python', variant: 'verbose', cmd: 'python3 scripts/monthly.py --verbose', thought: 'Verbose run of the report script.' },
        { tool: 'python', variant: 'processes-verbose', cmd: 'python3 scripts/monthly.py --processes -v', thought: 'The multi-process mode the cron job uses, with logging.' },
      ],
    },
    {
      name: 'unknown-category',
      description: 'One invoice CSV uses a VAT category that does not exist.',
      edits: [{ file: 'data/invoices/INV-0104-DE.csv', find: '# description;price;qty;discount;category\n', replace: '# description;price;qty;discount;category\nmanual;19.90;2;;super-reduced\n' }],
      task: 'The monthly report fails on a German invoice.',
      runs: [
        { tool: 'python', cmd: 'python3 scripts/monthly.py', thought: 'Running the report script.' },
        { tool: 'python', variant: 'verbose', cmd: 'python3 scripts/monthly.py -v', thought: 'Verbose run of the report script.' },
        { tool: 'python', variant: 'processes-verbose', cmd: 'python3 scripts/monthly.py --processes -v', thought: 'The multi-process mode the cron job uses, with logging.' },
      ],
    },
  ],
};
