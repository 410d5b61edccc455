import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package root (where package.json, schemas/ and policies/ live), from src/ or dist/ alike. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function packagePath(...parts: string[]): string {
  return [PACKAGE_ROOT.replace(/\/$/, ''), ...parts].join('/');
}

let version: string | undefined;

/** This build's version, from package.json. */
export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
  return version;
}

export const TOOL_NAME = 'cloudward';
export const TOOL_URI = 'https://github.com/cloudward/cloudward';
