// Faults and runs on fixtures/corpus-projects/javascript-cart (jest, and crashes of the
// CommonJS checkout script, some thrown inside node_modules).
const pricing = 'src/pricing.js';
const currency = 'src/currency.js';
const shipping = 'src/shipping.js';
const cart = 'src/cart.js';
const configJs = 'src/config.js';
const yamlFile = 'config/checkout.yaml';
const checkout = 'scripts/checkout.js';

const JEST = 'npx jest';
const CHECKOUT = 'node scripts/checkout.js';

export const cartProject = {
  project: 'javascript-cart',
  name: 'cart',
  faults: [
    {
      name: 'tier-threshold',
      description: 'The 10% quantity tier starts at 60 instead of 50.',
      edits: [{ file: pricing, find: '{ min: 50, discount: 0.1 },', replace: '{ min: 60, discount: 0.1 },' }],
      task: 'Bulk buyers say they no longer get the volume discount they were promised.',
      runs: [
        { tool: 'jest', cmd: JEST, thought: 'Running the jest suite.' },
        { tool: 'jest', variant: 'verbose', cmd: `${JEST} --verbose`, thought: 'Verbose jest run to see every pricing case.' },
        { tool: 'jest', variant: 'pricing', cmd: `${JEST} __tests__/pricing.test.js`, thought: 'Running only the pricing tests.' },
      ],
    },
    {
      name: 'format-no-padding',
      description: '`format` no longer pads cents to two digits.',
      edits: [{ file: currency, find: "const frac = String(abs % 100).padStart(2, '0');", replace: 'const frac = String(abs % 100);' }],
      task: 'Prices like five cents show up wrong on the receipt.',
      runs: [
        { tool: 'jest', cmd: JEST, thought: 'Running the tests.' },
        { tool: 'jest', variant: 'currency-verbose', cmd: `${JEST} __tests__/currency.test.js --verbose`, thought: 'Verbose run of the currency tests.' },
        { tool: 'jest', variant: 'all-verbose', cmd: `${JEST} --verbose`, thought: 'The whole suite, verbose.' },
      ],
    },
    {
      name: 'convert-inverted',
      description: '`convert` multiplies by the source rate and divides by the target rate.',
      edits: [{ file: currency, find: 'return Math.round((cents / RATES[from]) * RATES[to]);', replace: 'return Math.round((cents * RATES[from]) / RATES[to]);' }],
      task: 'Totals shown in dollars and pounds are way off since the currency helper was touched.',
      runs: [
        { tool: 'jest', variant: 'verbose', cmd: `${JEST} --verbose`, thought: 'Verbose run of all tests.' },
        { tool: 'jest', variant: 'convert-filter', cmd: `${JEST} -t convert`, thought: 'Only the conversion tests, by name.' },
      ],
    },
    {
      name: 'fixed-coupon-boundary',
      description: 'The fixed coupon requires strictly more than its minimum.',
      edits: [{ file: pricing, find: 'if (subtotal < coupon.minimum) return', replace: 'if (subtotal <= coupon.minimum) return' }],
      task: 'A customer with exactly the minimum order value could not use the five-euro coupon.',
      runs: [
        { tool: 'jest', variant: 'coupons', cmd: `${JEST} -t coupons`, thought: 'Running the coupon tests.' },
        { tool: 'jest', variant: 'pricing-verbose', cmd: `${JEST} --verbose __tests__/pricing.test.js`, thought: 'Verbose pricing tests.' },
        { tool: 'jest', variant: 'all-verbose', cmd: `${JEST} --verbose`, thought: 'The whole suite, verbose.' },
      ],
    },
    {
      name: 'bracket-exclusive',
      description: 'Weight brackets compare with `<` so a parcel exactly at a limit moves up a bracket.',
      edits: [{ file: shipping, find: 'zone.brackets.find(([limit]) => grams <= limit)', replace: 'zone.brackets.find(([limit]) => grams < limit)' }],
      task: 'Shipping for parcels right at a weight limit is charged at the higher rate.',
      runs: [
        { tool: 'jest', cmd: JEST, thought: 'Running the test suite.' },
        { tool: 'jest', variant: 'shipping-verbose', cmd: `${JEST} --verbose __tests__/shipping.test.js`, thought: 'Verbose run of the shipping tests.' },
        { tool: 'jest', variant: 'all-verbose', cmd: `${JEST} --verbose`, thought: 'The whole suite, verbose.' },
      ],
    },
    {
      name: 'renamed-export',
      description: '`linePrice` exported as `priceLine` from pricing.js.',
      edits: [{ file: pricing, find: 'module.exports = { TIERS, tierFor, linePrice, applyCoupon };', replace: 'module.exports = { TIERS, tierFor, priceLine: linePrice, applyCoupon };' }],
      task: 'I renamed an export in the pricing module; now the cart is broken.',
      runs: [
        { tool: 'jest', cmd: JEST, thought: 'Running the tests to see the damage.' },
        { tool: 'jest', variant: 'cart', cmd: `${JEST} __tests__/cart.test.js`, thought: 'Running the cart tests.' },
        { tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout script.' },
        { tool: 'jest', variant: 'all-verbose', cmd: `${JEST} --verbose`, thought: 'The whole suite, verbose.' },
      ],
    },
    {
      name: 'missing-module',
      description: 'cart.js requires `./currencies`, which does not exist.',
      edits: [{ file: cart, find: "require('./currency');", replace: "require('./currencies');" }],
      task: 'After tidying file names the checkout no longer starts.',
      runs: [
        { tool: 'jest', cmd: JEST, thought: 'Running the tests.' },
        { tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout script.' },
      ],
    },
    {
      name: 'unclosed-brace',
      description: 'A closing brace missing in shipping.js.',
      edits: [{ file: shipping, find: '  if (!zone) throw new Error(`we do not ship to ${country}`);\n  return zone;\n}', replace: '  if (!zone) throw new Error(`we do not ship to ${country}`);\n  return zone;\n' }],
      task: 'My last edit to the shipping module broke everything.',
      runs: [
        { tool: 'jest', cmd: JEST, thought: 'Running the tests.' },
        { tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout script.' },
      ],
    },
    {
      name: 'unknown-sku',
      description: 'An order refers to a product that is not in the catalogue.',
      edits: [{ file: 'data/orders.json', find: '"sku": "CAP-01",\n    "quantity": 13', replace: '"sku": "CAP-02",\n    "quantity": 13' }],
      task: 'The nightly checkout job crashed halfway through the orders.',
      runs: [
        { tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout job by hand.' },
        { tool: 'node', variant: 'verbose', cmd: `${CHECKOUT} --verbose`, thought: 'Verbose, to see which orders went through first.' },
      ],
    },
    {
      name: 'config-renamed',
      description: 'The config loader looks for checkout.yml instead of checkout.yaml.',
      edits: [{ file: configJs, find: "path.join(__dirname, '..', 'config', 'checkout.yaml')", replace: "path.join(__dirname, '..', 'config', 'checkout.yml')" }],
      task: 'The checkout script fails at start-up on the new server.',
      runs: [{ tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout script.' }],
    },
    {
      name: 'yaml-bad-indent',
      description: 'A bundle entry in checkout.yaml is indented inconsistently.',
      edits: [{ file: yamlFile, find: '    - { sku: PEN-10, quantity: 1 }', replace: '      - { sku: PEN-10, quantity: 1 }' }],
      task: 'I added a bundle to the checkout config and now the script refuses to start.',
      runs: [{ tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout script.' }],
    },
    {
      name: 'short-api-version',
      description: 'The config gives a two-part apiVersion, and the loader compares versions before checking the range.',
      edits: [
        { file: yamlFile, find: 'apiVersion: 2.3.0', replace: 'apiVersion: "2.3"' },
        { file: configJs, find: '  if (!semver.satisfies(config.apiVersion, config.requires)) {\n    throw new Error(`config apiVersion ${config.apiVersion} does not satisfy ${config.requires}`);\n  }\n  if (semver.gt(config.apiVersion, API_VERSION)) {\n    throw new Error(`config is for API ${config.apiVersion}, this build speaks ${API_VERSION}`);\n  }', replace: '  if (semver.gt(config.apiVersion, API_VERSION)) {\n    throw new Error(`config is for API ${config.apiVersion}, this build speaks ${API_VERSION}`);\n  }\n  if (!semver.satisfies(config.apiVersion, config.requires)) {\n    throw new Error(`config apiVersion ${config.apiVersion} does not satisfy ${config.requires}`);\n  }' },
      ],
      task: 'Checkout crashes on start since ops edited the config file.',
      runs: [{ tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout script.' }],
    },
    {
      name: 'bundle-cycle',
      description: 'The STARTER bundle includes OFFICE, which includes STARTER.',
      edits: [{ file: yamlFile, find: '    - { sku: STK-50, quantity: 1 }\n', replace: '    - { sku: STK-50, quantity: 1 }\n    - { sku: OFFICE, quantity: 1 }\n' }],
      task: 'After the marketing team added a bundle the checkout job crashes.',
      runs: [
        { tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout job.' },
        { tool: 'node', variant: 'debug', cmd: `${CHECKOUT} --debug`, thought: 'Again with --debug, which keeps long stack traces.' },
      ],
    },
    {
      name: 'all-providers-decline',
      description: 'Both payment providers configured to decline every payment.',
      edits: [
        { file: yamlFile, find: '    - name: cardpay\n      failureRate: 0', replace: '    - name: cardpay\n      failureRate: 1' },
        { file: yamlFile, find: '    - name: walletly\n      failureRate: 0', replace: '    - name: walletly\n      failureRate: 1' },
      ],
      task: 'No order gets paid in the staging checkout run.',
      runs: [
        { tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout job.' },
      ],
    },
    {
      name: 'empty-order-string-thrown',
      description: 'Empty orders are rejected by throwing a string, and one order is empty.',
      edits: [
        { file: checkout, find: '  for (const order of orders) {\n', replace: '  for (const order of orders) {\n    if (order.items.length === 0) throw `order ${order.id} has no items`;\n' },
        {
          file: 'data/orders.json',
          find: '"coupon": null,\n  "items": [\n   {\n    "sku": "BOOK-01",\n    "quantity": 3\n   },\n   {\n    "sku": "BOOK-01",\n    "quantity": 1\n   },',
          replace: '"coupon": null,\n  "items": [],\n  "removed": [\n   {\n    "sku": "BOOK-01",\n    "quantity": 3\n   },\n   {\n    "sku": "BOOK-01",\n    "quantity": 1\n   },',
        },
      ],
      task: 'The checkout job stops with a strange message and no stack.',
      runs: [{ tool: 'node', cmd: `${CHECKOUT} --verbose`, thought: 'Running the checkout job verbosely.' }],
    },
    {
      name: 'revenue-typo',
      description: 'A misspelt variable name in the revenue sum.',
      edits: [{ file: checkout, find: 'revenue += totals.subtotal + totals.shipping;', replace: 'revenu += totals.subtotal + totals.shipping;' }],
      task: 'The checkout script fails right after the first payment.',
      runs: [{ tool: 'node', cmd: CHECKOUT, thought: 'Running it.' }],
    },
    {
      name: 'coupon-guard-dropped',
      description: '`applyCoupon` no longer returns early for orders without a coupon.',
      edits: [{ file: pricing, find: '  if (!code) return { subtotal, freeShipping: false };\n', replace: '' }],
      task: 'Orders without a coupon code crash the checkout since the coupon refactor.',
      runs: [
        { tool: 'node', cmd: `${CHECKOUT} --verbose`, thought: 'Running the checkout job verbosely.' },
        { tool: 'jest', variant: 'cart', cmd: `${JEST} __tests__/cart.test.js`, thought: 'Running the cart tests.' },
        { tool: 'jest', variant: 'all-verbose', cmd: `${JEST} --verbose`, thought: 'The whole suite, verbose.' },
      ],
    },
    {
      name: 'duplicate-sku',
      description: 'The catalogue lists one product twice.',
      edits: [{ file: 'data/catalog.json', find: '"sku": "POST-01"', replace: '"sku": "BOOK-01"' }],
      task: 'Checkout refuses to start after the catalogue update.',
      runs: [
        { tool: 'node', cmd: CHECKOUT, thought: 'Running the checkout script.' },
        { tool: 'jest', variant: 'catalog', cmd: `${JEST} __tests__/catalog.test.js`, thought: 'Running the catalogue tests.' },
        { tool: 'jest', variant: 'all-verbose', cmd: `${JEST} --verbose`, thought: 'The whole suite, verbose.' },
      ],
    },
    {
      name: 'orders-file-missing',
      description: 'The job is pointed at an orders file that does not exist.',
      task: 'The June checkout run fails immediately.',
      runs: [{ tool: 'node', cmd: `${CHECKOUT} data/orders-2024-06.json`, thought: 'Running the checkout on the June orders file.' }],
    },
    {
      name: 'parcel-too-heavy',
      description: 'An order to Japan of 25 desk lamps, heavier than any shipping bracket.',
      edits: [{ file: 'data/orders.json', find: '"id": "ord-0012",\n  "country": "JP",\n  "currency": "EUR",\n  "coupon": null,\n  "items": [\n   {\n    "sku": "TEE-L",\n    "quantity": 3', replace: '"id": "ord-0012",\n  "country": "JP",\n  "currency": "EUR",\n  "coupon": null,\n  "items": [\n   {\n    "sku": "LAMP-01",\n    "quantity": 25' }],
      task: 'A big office order broke the nightly checkout job.',
      runs: [
        { tool: 'node', cmd: `${CHECKOUT} --verbose`, thought: 'Running the checkout job verbosely to find the order.' },
        { tool: 'node', variant: 'quiet', cmd: CHECKOUT, thought: 'Running the checkout job.' },
      ],
    },
  ],
};
