/**
 * How a worker thread imports one of this package's modules. From the build (dist/), by the module's own URL. From
 * source (a `.ts` URL: the tests run the source through tsx), by the same URL after registering tsx's loader in the
 * worker: Node 20 does not pass `--import` loaders on to worker threads, and a worker that imported the build's copy
 * instead would run whatever was last built rather than the code under test.
 */
export interface WorkerModule {
  url: string;
  /** tsx's loader API, registered in the worker before `url` is imported (source runs only). */
  loader?: string;
}

/** The WorkerModule for a module's `import.meta.url`. */
export function workerModule(url: string): WorkerModule {
  return url.endsWith('.ts') ? { url, loader: import.meta.resolve('tsx/esm/api') } : { url };
}

/**
 * Worker-side code (CommonJS, for `new Worker(code, { eval: true })`) defining `importModule(m)`, which imports a
 * WorkerModule (registering the loader once, when there is one).
 */
export const IMPORT_MODULE_SOURCE = `
let loaderRegistered;
function importModule(m) {
  if (m.loader) loaderRegistered ??= import(m.loader).then((api) => api.register());
  return Promise.resolve(loaderRegistered).then(() => import(m.url));
}
`;
