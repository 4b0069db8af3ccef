/** Child side of `bundleLikeTheStack`: `node --import tsx bundle-cli.ts <outdir> <request JSON>`. */
import { type BundleRequest, synthBundles } from './bundle-like-stack.js';

const [outdir, request] = process.argv.slice(2);
if (outdir === undefined || request === undefined)
  throw new Error('usage: bundle-cli <outdir> <request JSON>');
const bundles = synthBundles(JSON.parse(request) as BundleRequest, outdir);
process.stdout.write(`\n${JSON.stringify(bundles)}\n`);
