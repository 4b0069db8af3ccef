/**
 * `import.meta` for code bundled to CommonJS (`FUNCTION_BUNDLE`): esbuild leaves it empty in a
 * CommonJS bundle, so `new URL('./data.json', import.meta.url)` in a handler or a dependency would
 * throw at cold start. `FUNCTION_BUNDLE.define` points `import.meta.url`, `.filename` and
 * `.dirname` at these, injected ahead of the entry — the bundle's own file, which is what an ES
 * module bundle reported for them.
 */
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

// `__filename` is the CommonJS module wrapper's: the bundle file.
export const importMetaFilename: string = __filename;
export const importMetaDirname: string = dirname(__filename);
export const importMetaUrl: string = pathToFileURL(__filename).href;
