/** Child side of `bundleLikeTheStack`: `node --import tsx bundle-cli.ts <outdir> <entries JSON>`. */
import { synthBundles } from './bundle-like-stack.js';

const [outdir, entries] = process.argv.slice(2);
if (outdir === undefined || entries === undefined)
  throw new Error('usage: bundle-cli <outdir> <entries JSON>');
const bundles = synthBundles(JSON.parse(entries) as Record<string, string>, outdir);
process.stdout.write(`\n${JSON.stringify(bundles)}\n`);
