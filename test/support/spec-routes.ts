/**
 * The route tables the fake servers answer from, generated from the vendors' specifications
 * (test/fixtures/specs/*.json, made by scripts/spec-routes.ts): a request is matched on method, path template,
 * api-version (ARM) and documented query options, or it is refused as the service would refuse it and recorded as
 * unmatched, so a test can assert that no call went outside the specifications.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SPECS = fileURLToPath(new URL('../fixtures/specs/', import.meta.url));
const load = <T>(name: string): T => JSON.parse(readFileSync(`${SPECS}${name}`, 'utf8')) as T;

/** An x-ms-examples file stored unchanged under test/fixtures/specs/ (`standsFor`: the referenced file it replaces). */
export interface ArmExample {
  file: string;
  source: string;
  standsFor?: string;
}
export interface ArmRoute {
  id: string;
  method: string;
  path: string;
  apiVersion: string;
  query: string[];
  filter?: string[];
  nextLink: string | null;
  spec: string;
  examples?: ArmExample[];
}
export interface GraphRoute {
  id: string;
  method: string;
  path: string;
  query: string[];
  paged?: boolean;
  spec: string;
  example?: unknown;
}
export interface GoogleRoute {
  id: string;
  method: string;
  template: string;
  query: string[];
  spec: string;
}

export const ARM = load<{ routes: ArmRoute[] }>('azure-arm.json').routes;
export const GRAPH = load<{ routes: GraphRoute[] }>('graph-v1.0.json').routes;
const GOOGLE_TABLE = load<{ routes: GoogleRoute[]; systemParameters: string[] }>('google.json');
export const GOOGLE = GOOGLE_TABLE.routes;

/** The `responses["200"].body` of a route's first stored example file, as the file has it. */
export function armExampleBody(route: ArmRoute): unknown {
  const example = route.examples?.[0];
  if (!example) return undefined;
  return load<{ responses: Record<string, { body?: unknown }> }>(example.file).responses['200']?.body;
}

/** A refused request: the status and error the fake answers with, and why. */
export interface Refusal {
  status: number;
  code: string;
  reason: string;
}
export interface Unmatched {
  method: string;
  url: string;
  reason: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** An ARM or Graph path template (`{scope}` spans segments, other `{x}` one) as a regular expression. */
function restPattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part === '{scope}' ? '(.+?)' : part.startsWith('{') ? '([^/]+)' : escapeRegExp(part)))
    .join('');
  return new RegExp(`^${source}$`, 'i');
}

function unexpectedOptions(url: URL, allowed: string[]): string[] {
  return [...new Set([...url.searchParams.keys()])].filter(
    (k) => !allowed.some((a) => a.toLowerCase() === k.toLowerCase()),
  );
}

export function matchArm(method: string, url: URL): { route: ArmRoute } | Refusal {
  const candidates = ARM.filter((r) => r.method === method && restPattern(r.path).test(url.pathname));
  // The most specific template first: `/{scope}/.../roleDefinitions/{id}` before a `{scope}` that would swallow it.
  const route = candidates.sort((a, b) => b.path.split('/').length - a.path.split('/').length)[0];
  if (!route)
    return {
      status: 404,
      code: 'InvalidResourceType',
      reason: `no operation in the specifications for ${method} ${url.pathname}`,
    };
  const version = url.searchParams.get('api-version');
  if (version !== route.apiVersion)
    return {
      status: 400,
      code: 'InvalidApiVersionParameter',
      reason: `${route.id} is specified at api-version ${route.apiVersion}, not ${version ?? '(none)'}`,
    };
  const extra = unexpectedOptions(url, ['api-version', ...route.query, ...(route.nextLink ? ['$skiptoken'] : [])]);
  if (extra.length)
    return {
      status: 400,
      code: 'InvalidQueryParameter',
      reason: `${route.id} has no query parameter ${extra.join(', ')}`,
    };
  const filter = url.searchParams.get('$filter');
  if (
    filter !== null &&
    route.filter &&
    !route.filter.some((f) => new RegExp(`^${escapeRegExp(f).replace(/\\\{value\\\}/g, "[^']*")}$`).test(filter))
  ) {
    return {
      status: 400,
      code: 'InvalidFilterInQueryString',
      reason: `${route.id}: $filter=${filter} is not among ${route.filter.join(', ')}`,
    };
  }
  return { route };
}

export function matchGraph(method: string, url: URL): { route: GraphRoute } | Refusal {
  const route = GRAPH.find((r) => r.method === method && restPattern(r.path).test(url.pathname));
  if (!route)
    return { status: 400, code: 'BadRequest', reason: `Resource not found for the segment in ${url.pathname}` };
  const extra = unexpectedOptions(url, [...route.query, ...(route.paged === false ? [] : ['$skiptoken'])]);
  if (extra.length)
    return {
      status: 400,
      code: 'BadRequest',
      reason: `${route.id} does not document the query option ${extra.join(', ')}`,
    };
  return { route };
}

/**
 * A google.api.http path template (`/v2/{parent=policies/*\/*}`) against a raw (still encoded) path. Variables are
 * decoded as google/api/http.proto says: one-segment variables fully, multi-segment ones except `%2F`.
 */
export function matchTemplate(template: string, rawPath: string): Record<string, string> | undefined {
  const names: Array<{ name: string; multi: boolean }> = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const v = /^\{([\w.]+)(?:=([^}]+))?\}$/.exec(part);
      if (!v) return escapeRegExp(part).replace(/\\\*/g, '[^/]+');
      const pattern = v[2] ?? '*';
      names.push({ name: v[1]!, multi: pattern.includes('/') || pattern.includes('**') });
      return `(${pattern
        .split('/')
        .map((seg) => (seg === '**' ? '.+' : seg === '*' ? '[^/]+' : escapeRegExp(seg)))
        .join('/')})`;
    })
    .join('');
  const m = new RegExp(`^${source}$`).exec(rawPath);
  if (!m) return undefined;
  const vars: Record<string, string> = {};
  names.forEach(({ name, multi }, i) => {
    const raw = m[i + 1]!;
    vars[name] = decodeURIComponent(multi ? raw.replace(/%2F/gi, '%252F') : raw);
  });
  return vars;
}

export function matchGoogle(method: string, url: URL): { route: GoogleRoute; vars: Record<string, string> } | Refusal {
  const rawPath = url.pathname;
  for (const route of GOOGLE) {
    if (route.method !== method) continue;
    const vars = matchTemplate(route.template, rawPath);
    if (!vars) continue;
    const extra = unexpectedOptions(url, [...route.query, ...GOOGLE_TABLE.systemParameters]);
    if (extra.length)
      return {
        status: 400,
        code: 'INVALID_ARGUMENT',
        reason: `Invalid JSON payload received. Unknown name "${extra[0]}": ${route.id} has no such field`,
      };
    return { route, vars };
  }
  return { status: 404, code: 'NOT_FOUND', reason: `no method in the specifications for ${method} ${rawPath}` };
}

export const isRefusal = (x: object): x is Refusal => 'status' in x;
