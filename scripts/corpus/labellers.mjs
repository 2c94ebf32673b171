// Which labeller reads which tool's output (the `tool` field of a case).
import * as doctest from './label-doctest.mjs';
import * as eslint from './label-eslint.mjs';
import * as jest from './label-jest.mjs';
import * as mocha from './label-mocha.mjs';
import * as mypy from './label-mypy.mjs';
import * as nodeCrash from './label-node-crash.mjs';
import * as nodeTest from './label-node-test.mjs';
import * as pytest from './label-pytest.mjs';
import * as traceback from './label-python-traceback.mjs';
import * as tsc from './label-tsc.mjs';
import * as unittest from './label-unittest.mjs';
import * as vitest from './label-vitest.mjs';

export const LABELLERS = {
  pytest,
  unittest,
  doctest,
  mypy,
  python: traceback,
  jest,
  vitest,
  mocha,
  'node-test': nodeTest,
  tsc,
  eslint,
  node: nodeCrash,
};
