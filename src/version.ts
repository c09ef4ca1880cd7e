import { readFileSync } from 'node:fs';

/** This build's version, from package.json (read once; both src/ and dist/ sit one level below it). */
export const version: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
