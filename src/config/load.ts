import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { TukangError } from '../errors/catalogue.js';
import { configSchema, type TukangConfig } from './schema.js';

type Json = Record<string, unknown>;

/**
 * Environment variables that override connection settings, so one config file serves the local
 * stack, docker compose and production. Each maps to one config path.
 */
const ENV_OVERRIDES: ReadonlyArray<{ env: string; path: readonly string[]; parse: (v: string) => unknown }> = [
  { env: 'KAFKA_BROKERS', path: ['kafka', 'brokers'], parse: (v) => v.split(',').map((s) => s.trim()).filter(Boolean) },
  { env: 'KAFKA_GROUP_ID', path: ['kafka', 'group_id'], parse: (v) => v },
  { env: 'S3_ENDPOINT', path: ['s3', 'endpoint'], parse: (v) => (v === '' ? null : v) },
  { env: 'S3_BUCKET', path: ['s3', 'bucket'], parse: (v) => v },
  { env: 'S3_REGION', path: ['s3', 'region'], parse: (v) => v },
  { env: 'AWS_ACCESS_KEY_ID', path: ['s3', 'access_key_id'], parse: (v) => v },
  { env: 'AWS_SECRET_ACCESS_KEY', path: ['s3', 'secret_access_key'], parse: (v) => v },
  { env: 'CATALOG_HOST', path: ['catalog', 'host'], parse: (v) => v },
  { env: 'CATALOG_PORT', path: ['catalog', 'port'], parse: (v) => (/^\d+$/.test(v) ? Number(v) : v) },
  { env: 'TUKANG_LOG_LEVEL', path: ['log', 'level'], parse: (v) => v },
];

/** Reads and validates the config: the file (when given), then environment overrides, then defaults. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): TukangConfig {
  const raw = file === undefined ? {} : readJsonFile(file);
  const fromEnv = applyEnvOverrides(raw, env);
  return parseConfig(raw, { source: file ?? '(defaults)', fromEnv });
}

/** Validates an already-parsed JSON value; the result is deeply frozen. */
export function parseConfig(raw: unknown, context: { source: string; fromEnv?: Map<string, string> } = { source: '(inline)' }): TukangConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describeIssue(issue, context.fromEnv));
    throw new TukangError('CONFIG_INVALID', `invalid configuration in ${context.source}:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return deepFreeze(result.data);
}

function readJsonFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TukangError('CONFIG_UNREADABLE', `cannot read config file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TukangError('CONFIG_UNREADABLE', `config file ${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TukangError('CONFIG_INVALID', `config file ${file} must hold a JSON object at the top level`);
  }
  return value as Json;
}

/** Writes env overrides into the raw config; returns which dotted path came from which variable. */
function applyEnvOverrides(raw: Json, env: NodeJS.ProcessEnv): Map<string, string> {
  const fromEnv = new Map<string, string>();
  for (const { env: variable, path, parse } of ENV_OVERRIDES) {
    const value = env[variable];
    if (value === undefined) continue;
    let node: Json = raw;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
      node = node[key] as Json;
    }
    node[path[path.length - 1] as string] = parse(value);
    fromEnv.set(path.join('.'), variable);
  }
  return fromEnv;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(top level)' : out;
}

function describeIssue(issue: z.core.$ZodIssue, fromEnv: Map<string, string> | undefined): string {
  const path = [...issue.path];
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys;
    const where = formatPath(path);
    return keys.map((k) => `${where === '(top level)' ? k : `${where}.${k}`}: unknown key`).join('\n  ');
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    message = `${message} (key "${String(issue.discriminator)}")`;
  }
  const dotted = formatPath(path);
  const variable = [...(fromEnv ?? new Map<string, string>()).entries()].find(([p]) => dotted === p || dotted.startsWith(`${p}[`))?.[1];
  return `${dotted}: ${message}${variable ? ` (set by ${variable})` : ''}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
