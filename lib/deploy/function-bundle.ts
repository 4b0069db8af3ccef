/**
 * How every function is bundled — one description that the stack's `NodejsFunction`s
 * (infra/constructs/hangar-function.ts), the local runtime (local/bundle.ts) and so the benchmarks
 * translate into their bundler's options, so a local or benchmarked function is the code that
 * ships. Each choice is a cold-start measurement (bench/RESULTS.md, "coldStart"):
 *
 * - CommonJS, not ESM: an ES module that imports a Node built-in (`node:http`, `node:fs`) makes
 *   Node read every export of it, which runs its lazy getters — `node:http`'s load undici, ≈ 20 ms
 *   at import. `require()` reads nothing it is not asked for.
 * - `module` before `main`: the ES builds of the AWS SDK and Powertools, which esbuild can
 *   scope-hoist and tree-shake; their CommonJS builds make a bundle half again as large and slower
 *   to load.
 * - `dynamic-import` unsupported: the SDK's ES build loads `node:http` with `import()`, which in a
 *   CommonJS bundle would still go through the ES module loader (and undici); esbuild turns it into
 *   the `require()` the SDK's own CommonJS build uses.
 * - Linked source maps without sources, read only when a stack trace is formatted
 *   (./lazy-source-maps.ts, injected ahead of the entry) rather than by `--enable-source-maps`,
 *   which parses the whole map at every cold start.
 * - `@aws-sdk/credential-provider-node` replaced by ./function-credentials.ts: the sources of the
 *   SDK's default credential chain that Lambda has (environment, container endpoint, instance
 *   metadata), without the profile, SSO and web-identity providers and the STS/SSO clients they
 *   bring — a quarter of each bundle that a function never runs but V8 parses at every cold start.
 *
 * What CommonJS costs a handler: no top-level `await` (esbuild refuses the bundle, naming the
 * line); `import.meta.url`, `.filename` and `.dirname` keep working (./import-meta.ts).
 */
// Not exported from the deploy entry: function entry points import that entry, and esbuild would
// warn at every bundle about `import.meta` below, which a CommonJS bundle does not have.
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A module beside this one, as a file esbuild can read: `.ts` in the repository, `.js` in the package. */
const besideThis = (name: string) =>
  fileURLToPath(new URL(`./${name}${extname(fileURLToPath(import.meta.url))}`, import.meta.url));

export const FUNCTION_BUNDLE = {
  format: 'cjs',
  /** Lambda's `nodejs24.x`. */
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  /** esbuild's `supported` overrides (see above). */
  supported: { 'dynamic-import': false },
  /** Linked (`<file>.map` beside the bundle), without the sources' text. */
  sourceMap: { sourcesContent: false },
  /** Modules evaluated ahead of the entry in every function. */
  inject: [besideThis('lazy-source-maps'), besideThis('import-meta')],
  /** Packages replaced by a module of ours, in every function (see above). */
  alias: { '@aws-sdk/credential-provider-node': besideThis('function-credentials') },
  /** Expressions replaced by names that an injected module exports. */
  define: {
    'import.meta.url': 'importMetaUrl',
    'import.meta.filename': 'importMetaFilename',
    'import.meta.dirname': 'importMetaDirname',
  },
  /** The file `NodejsFunction` writes for a CommonJS bundle (Lambda loads `index.js` with `require`). */
  file: 'index.js',
} as const;
