// The UI's only way to the server: the REST API under /api/v4, with the session cookie and,
// for writes, the CSRF token the server handed out at sign-in.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiPage<T> {
  items: T;
  headers: Headers;
}

let csrfToken: string | null = null;
let onUnauthorized: () => void = () => {};

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the session is gone (expired, signed out elsewhere): the app shows the sign-in page. */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export function apiPath(path: string, query: Record<string, string | string[] | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  const search = params.toString();
  return `/api/v4${path}${search ? `?${search}` : ''}`;
}

export async function apiRequest<T>(method: string, path: string, body?: unknown): Promise<ApiPage<T>> {
  const headers: Record<string, string> = { accept: 'application/json', 'x-trove-web': '1' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  const json = text ? safeJson(text) : null;
  if (!response.ok) {
    if (response.status === 401 && path !== '/api/v4/session') onUnauthorized();
    // GitLab's {"message": ...}, {"error": ...} for a parameter the API refuses, or OAuth's
    // {"error": "insufficient_scope", "error_description": ..., "scope": ...} for a token's scope.
    const body = (json && typeof json === 'object' ? json : {}) as { message?: unknown; error?: unknown; error_description?: unknown };
    const message =
      body.message !== undefined
        ? String(body.message)
        : body.error_description !== undefined
          ? String(body.error_description)
          : body.error !== undefined
            ? String(body.error)
            : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message);
  }
  return { items: json as T, headers: response.headers };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

export const api = {
  get: async <T>(path: string) => (await apiRequest<T>('GET', path)).items,
  post: async <T>(path: string, body: unknown = {}) => (await apiRequest<T>('POST', path, body)).items,
  put: async <T>(path: string, body: unknown) => (await apiRequest<T>('PUT', path, body)).items,
  patch: async <T>(path: string, body: unknown) => (await apiRequest<T>('PATCH', path, body)).items,
  delete: async (path: string) => {
    await apiRequest<null>('DELETE', path);
  },
};

/** The `rel="next"` URL of a Link header, as a path on this server. */
export function nextLink(headers: Headers): string | null {
  const match = /<([^>]+)>;\s*rel="next"/.exec(headers.get('link') ?? '');
  if (!match) return null;
  const url = new URL(match[1], window.location.origin);
  return `${url.pathname}${url.search}`;
}

/** Projects and groups are addressed by URL-encoded full path, as in GitLab. */
export const enc = (fullPath: string) => encodeURIComponent(fullPath);
