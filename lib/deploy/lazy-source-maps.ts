/**
 * Stack traces that name the TypeScript sources, paid for only when one is formatted. Bundled
 * into every function ahead of its entry (`FUNCTION_BUNDLE.inject`): Node's own
 * `--enable-source-maps` reads and parses the whole map when the bundle loads — 10–20 ms of every
 * cold start, for traces most invocations never print. This keeps the map on disk until the first
 * `error.stack` of a frame in this bundle, then maps such frames with Node's own `SourceMap`.
 * Where Node maps stacks itself (`--enable-source-maps`, the local runtime), it steps aside.
 */
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The file this code was bundled into: the caller's frame as V8 reports it (a path, or a URL for ESM). */
function bundleFile(): string | undefined {
  const prepare = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, sites) => sites;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder, bundleFile);
    return holder.stack?.[0]?.getFileName() ?? undefined;
  } finally {
    Error.prepareStackTrace = prepare;
  }
}

/** The bundle's map (esbuild's linked map, `<bundle>.map`), its sources resolved as Node resolves them. */
function loadSourceMap(bundle: string): SourceMap | undefined {
  try {
    const path = `${bundle.startsWith('file:') ? fileURLToPath(bundle) : bundle}.map`;
    const payload = JSON.parse(readFileSync(path, 'utf8')) as ConstructorParameters<typeof SourceMap>[0];
    const base = pathToFileURL(path);
    const root = payload.sourceRoot ?? '';
    return new SourceMap({
      ...payload,
      sources: payload.sources.map((source) => fileURLToPath(new URL(root + source, base))),
    });
  } catch {
    // No map shipped, or an unreadable one: traces stay as V8 wrote them.
    return undefined;
  }
}

/** A call site that reports its original position and otherwise answers as the real one does. */
function mappedSite(
  site: NodeJS.CallSite,
  text: string,
  origin: { fileName: string; lineNumber: number; columnNumber: number },
): NodeJS.CallSite {
  const overrides: Record<string, () => unknown> = {
    getFileName: () => origin.fileName,
    getLineNumber: () => origin.lineNumber,
    getColumnNumber: () => origin.columnNumber,
    toString: () => text,
  };
  return new Proxy(site, {
    get(target, key, receiver) {
      if (typeof key === 'string' && Object.hasOwn(overrides, key)) return overrides[key];
      const value: unknown = Reflect.get(target, key, receiver);
      // V8's call-site methods only answer on a real call site.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Wraps the current `Error.prepareStackTrace` (Node's default) with the lazy mapping. */
function install(): void {
  const bundle = bundleFile();
  const format = Error.prepareStackTrace;
  if (bundle === undefined || format === undefined) return;
  let loaded = false;
  let sourceMap: SourceMap | undefined;
  Error.prepareStackTrace = (error, sites) => {
    if (process.sourceMapsEnabled) return format(error, sites);
    if (!loaded) {
      loaded = true;
      sourceMap = loadSourceMap(bundle);
    }
    const map = sourceMap;
    if (map === undefined) return format(error, sites);
    return format(
      error,
      sites.map((site) => {
        const line = site.getLineNumber();
        const column = site.getColumnNumber();
        if (site.getFileName() !== bundle || line === null || column === null) return site;
        const origin = map.findOrigin(line, column);
        if (!('fileName' in origin)) return site;
        const text = String(site).replace(
          `${bundle}:${line}:${column}`,
          `${origin.fileName}:${origin.lineNumber}:${origin.columnNumber}`,
        );
        return mappedSite(site, text, origin);
      }),
    );
  };
}

install();
