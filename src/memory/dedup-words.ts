/** Word lists of the dedup rule (src/memory/dedup.ts): negators, stopwords, synonyms, units, known names. */

/** Crude suffix stripping, enough to align "wants"/"want", "merged"/"merge", "approvals"/"approval". */
export function stem(w: string): string {
  if (w.length <= 3 || !/^\p{L}+$/u.test(w)) return w;
  return w.replace(/(?:ing|ed|(?<!s)s)$/, '').replace(/e$/, '');
}

const list = (s: string) => s.trim().split(/\s+/);

export const NEGATORS = new Set(
  list(`not no never none nothing nobody neither nor cannot cant dont doesnt didnt isnt arent wasnt werent wont
    shouldnt mustnt avoid avoids avoided instead rather`),
);

/** After one of these in a clause, "over" marks the rejected choice ("prefer tabs over spaces"). */
export const PREFER_WORDS = new Set(list('prefer prefers preferred favour favours favor favors'));

/** Acronyms too generic to be the detail of a fact. */
export const GENERIC_ACRONYMS = new Set(
  list('api apis url urls uri id ids ui ux cli sdk ide orm pr prs mr ci cd ok todo fyi asap important note warning os db dbs faq'),
);

export const ABBREVIATIONS = new Set(list('e.g e.g. i.e i.e. etc etc. vs vs. and/or a.k.a cf. approx.'));

/** Words that change no fact when added, dropped or swapped for each other. */
export const STOPWORDS = new Set(
  `the a an this that these those is are was were be been being am it its they them their there here
    we our us you your i me my he she his her him of in on at to for with by from as into onto about via per
    and or but so then than also just only too very please remember note fyi important do does did done
    should must need needs will would can could may might has have had which who what when where while
    if because since both each every all any some such same other another like e.g i.e etc`
    .trim()
    .split(/\s+/)
    .concat([...NEGATORS])
    .map(stem),
);

/**
 * Verbs that say how a fact holds rather than what it is ("uses" / "is configured with", "goes to"
 * / "lands in"): a restatement swaps them freely, so in a near-identical pair they do not count as
 * the new content of an edited fact. Words for a state ("up", "down") are not among them.
 */
export const LIGHT_WORDS = new Set(
  list(`need needed use used uses using cover covers covered include includes included
    contain contains contained configure configured go goes land lands get gets got own plus`).map(stem),
);

export const ARTICLES = new Set(['the', 'a', 'an']);

export const NUMBER_WORDS: Record<string, string> = {
  ...Object.fromEntries(list('zero one two three four five six seven eight nine ten eleven twelve').map((w, i) => [w, String(i)])),
  once: '1',
  twice: '2',
};

export const UNITS: Record<string, string> = {
  ms: 'milliseconds', s: 'seconds', sec: 'seconds', secs: 'seconds', m: 'minutes', min: 'minutes', mins: 'minutes',
  h: 'hours', hr: 'hours', hrs: 'hours', d: 'days', w: 'weeks', k: 'thousand',
  b: 'bytes', kb: 'kb', mb: 'mb', gb: 'gb', tb: 'tb', kib: 'kb', mib: 'mb', gib: 'gb',
  x: 'times', px: 'px', rem: 'rem', em: 'em', st: '', nd: '', rd: '', th: '',
};

/** Spellings of one thing, mapped to one form so paraphrases compare equal. */
export const SYNONYMS: Record<string, string> = {
  db: 'database', dbs: 'database', databases: 'database', prod: 'production', dev: 'development',
  repo: 'repository', repos: 'repository', postgresql: 'postgres', pg: 'postgres', psql: 'postgres',
  mongo: 'mongodb', k8s: 'kubernetes', js: 'javascript', ts: 'typescript', py: 'python',
  nodejs: 'node', 'node.js': 'node', golang: 'go', 'next.js': 'nextjs', mac: 'macos', osx: 'macos',
  gh: 'github', cjs: 'commonjs', a11y: 'accessibility', i18n: 'internationalisation', l10n: 'localisation',
  millisecond: 'milliseconds', second: 'seconds', minute: 'minutes', hour: 'hours', day: 'days',
  week: 'weeks', month: 'months', year: 'years', tab: 'tabs', space: 'spaces',
  ms: 'milliseconds', sec: 'seconds', secs: 'seconds', min: 'minutes', mins: 'minutes', hr: 'hours', hrs: 'hours',
  require: 'need', requires: 'needs', up: 'running', async: 'asynchronous', sync: 'synchronous', asc: 'ascending', desc: 'descending', utf8: 'utf-8',
};

/**
 * Names that are usually the detail of a developer fact and that a paraphrase keeps: tools,
 * languages, stores, platforms, environments, branches, units, days, formats.
 */
export const LEXICON = new Set(
  list(`
    npm pnpm yarn bun deno node npx pip pipx pipenv poetry uv conda cargo rustup gradle maven mvn cmake bazel
    composer bundler gem brew apt nix
    python ruby rust java kotlin scala swift typescript javascript php perl lua elixir erlang haskell c++ csharp
    dart bash zsh fish powershell sql graphql commonjs esm
    jest vitest mocha jasmine pytest unittest rspec minitest junit cypress playwright selenium puppeteer storybook
    react vue angular svelte nextjs nuxt remix django flask fastapi rails express fastify nestjs spring laravel hono
    webpack vite rollup esbuild parcel babel swc tsc tsup turbo turborepo nx lerna
    eslint prettier biome black ruff flake8 pylint mypy pyright rubocop gofmt clippy stylelint isort
    postgres mysql mariadb sqlite mongodb redis memcached elasticsearch opensearch kafka rabbitmq sqs sns dynamodb
    cassandra clickhouse snowflake bigquery supabase firebase prisma drizzle sequelize typeorm knex alembic flyway
    docker podman kubernetes helm terraform ansible pulumi aws gcp azure heroku vercel netlify cloudflare nginx
    apache caddy traefik github gitlab bitbucket jenkins circleci buildkite argocd
    linux macos windows ubuntu debian alpine centos fedora wsl
    vim neovim emacs vscode intellij
    development staging production qa sandbox preview
    main master trunk
    true false tabs spaces semicolons camelcase snakecase kebabcase pascalcase
    http https ws wss grpc soap
    milliseconds seconds minutes hours days weeks months years percent thousand kb mb gb tb bytes px rem em
    monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december
    stdout stderr stdin synchronous asynchronous ascending descending
    json yaml toml xml csv ini markdown html css scss tailwind utf-8 ascii ipv4 ipv6
    utc pst est cet alpha beta canary lts
    chrome firefox safari ios android
    ssh ldap oauth saml jwt
  `),
);
