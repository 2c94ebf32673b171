// Generates the Python part of the tool-output corpus (fixtures/corpora/tools/python-*):
// pytest, unittest, doctest, mypy and crashing scripts, run on the small projects under
// fixtures/corpus-projects/python-*. Usage: node scripts/corpus/python.mjs [id-substring]
import { generate } from './generate.mjs';
import { LABELLERS } from './labellers.mjs';
import { requireTools, versionOf } from './project-run.mjs';
import { ledger } from './python-ledger.mjs';
import { markup } from './python-markup.mjs';
import { taskgraph } from './python-taskgraph.mjs';

const tools = requireTools([
  { name: 'python', version: 'python3 --version', install: 'Python 3.11 or newer as python3 (Debian: apt-get install python3)' },
  { name: 'pytest', version: 'python3 -m pytest --version', install: 'apt-get install python3-pytest (no PyPI here; the image\'s python3 has pytest)' },
  { name: 'unittest', version: 'python3 -c "import unittest, sys; print(\'unittest (Python\', sys.version.split()[0] + \')\')"', install: 'part of python3' },
  { name: 'doctest', version: 'python3 -c "import doctest, sys; print(\'doctest (Python\', sys.version.split()[0] + \')\')"', install: 'part of python3' },
  { name: 'mypy', version: 'mypy --version', install: 'apt-get install mypy' },
]);

// The interpreter itself rather than a version manager's shim (a shim adds seconds to every
// start); pytest without third-party plugins, so outputs do not depend on what else is installed.
const PYTHON_BIN = versionOf('python3 -c "import os, sys; print(os.path.dirname(sys.executable))"');
const ENV = { PATH: `${PYTHON_BIN}:${process.env.PATH}`, PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1' };

const KINDS = { pytest: 'test-run', unittest: 'test-run', doctest: 'test-run', mypy: 'compile', python: 'traceback' };

const metas = generate([ledger, taskgraph, markup], {
  generator: 'python.mjs',
  prefixes: ['python'],
  language: () => 'python',
  kindOf: (tool) => KINDS[tool],
  labellerOf: (tool) => LABELLERS[tool],
  versions: tools,
  env: ENV,
  envNote: 'PYTEST_DISABLE_PLUGIN_AUTOLOAD=1',
}, process.argv[2]);
console.log(`${metas.length} Python cases written`);
