// Module hooks (node:module `register`) that resolve an import of the build, dist/X.js, to its source, src/X.ts.
const ROOT = new URL('../../', import.meta.url).href;
const DIST = `${ROOT}dist/`;
const SRC = `${ROOT}src/`;

export async function resolve(specifier, context, next) {
  if (context.parentURL && (specifier.startsWith('.') || specifier.startsWith('file:'))) {
    const url = new URL(specifier, context.parentURL).href;
    if (url.startsWith(DIST) && url.endsWith('.js'))
      return next(`${SRC}${url.slice(DIST.length, -'.js'.length)}.ts`, context);
  }
  return next(specifier, context);
}
