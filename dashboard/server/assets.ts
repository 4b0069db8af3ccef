/**
 * The page: `dashboard/ui` bundled by the repository's esbuild when the server starts (no build
 * step to forget, nothing fetched from anywhere), minified, gzipped once, and served from memory
 * under content-hashed names so a browser may keep them for good.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { TOKEN_META } from '../shared/api.js';

export interface Asset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly gzip: Uint8Array<ArrayBuffer>;
  readonly type: string;
}

export interface UiBundle {
  /** By path (`/assets/app-<hash>.js`). */
  readonly assets: ReadonlyMap<string, Asset>;
  /** The page with the token in it. */
  html(token: string, title: string): string;
}

export const UI_ENTRY = fileURLToPath(new URL('../ui/main.ts', import.meta.url));
/** Browsers the page is built for: evergreen ones of the last few years. */
const BROWSER_TARGETS = ['chrome115', 'firefox115', 'safari16'];

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

let bundling: Promise<UiBundle> | undefined;

/** Bundles once per process; every server of the process shares the result. */
export function uiBundle(): Promise<UiBundle> {
  bundling ??= bundleUi();
  bundling.catch(() => {
    bundling = undefined;
  });
  return bundling;
}

async function bundleUi(): Promise<UiBundle> {
  const result = await build({
    entryPoints: { app: UI_ENTRY },
    bundle: true,
    minify: true,
    format: 'esm',
    target: BROWSER_TARGETS,
    write: false,
    outdir: '/assets',
    entryNames: '[name]-[hash]',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const assets = new Map<string, Asset>();
  let script = '';
  let style = '';
  for (const file of result.outputFiles) {
    const extension = file.path.slice(file.path.lastIndexOf('.'));
    const type = TYPES[extension];
    if (!type) continue;
    const path = `/assets/${file.path.split('/').pop() ?? ''}`;
    assets.set(path, {
      body: Uint8Array.from(file.contents),
      gzip: Uint8Array.from(gzipSync(file.contents, { level: 9 })),
      type,
    });
    if (extension === '.js') script = path;
    else style = path;
  }
  return {
    assets,
    html: (token, title) =>
      [
        '<!doctype html>',
        '<html lang="en">',
        '<head>',
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        `<meta name="${TOKEN_META}" content="${token}">`,
        `<title>${escapeHtml(title)}</title>`,
        // An empty icon: no request for /favicon.ico.
        '<link rel="icon" href="data:,">',
        `<link rel="stylesheet" href="${style}">`,
        `<script type="module" src="${script}"></script>`,
        '</head>',
        '<body><div id="app"></div></body>',
        '</html>',
      ].join('\n'),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
