// The page reads the catalog's JSON API with the token in an Authorization header. The token is
// kept in sessionStorage (gone when the tab closes), never in a URL, a cookie or a log line; with
// no cookies, a cross-site request carries no credentials, so write actions are safe against CSRF.

const KEY = 'tukang.catalog.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  const t = token.get();
  if (t) headers.authorization = `Bearer ${t}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit', cache: 'no-cache' });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Follows `next` links until `max` items or pages run out. */
export async function pages(path, max) {
  const items = [];
  let next = path;
  let last;
  while (next && items.length < max) {
    last = await api(next);
    items.push(...last.items);
    next = last.next;
  }
  return { items, next, last };
}

export const enc = encodeURIComponent;

export function datasetPath(name) {
  return `/datasets/${enc(name)}`;
}

export function partitionPath(dataset, id) {
  return `${datasetPath(dataset)}/partitions/${enc(id)}`;
}

/** The session: who the token is and which scopes it holds; null when there is no usable token. */
let session = null;

export function currentSession() {
  return session;
}

export async function loadSession() {
  try {
    session = await api('/ui/session');
  } catch (err) {
    session = null;
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
  }
  return session;
}

export function canWrite() {
  return Boolean(session && session.scopes.includes('tukang.write'));
}
