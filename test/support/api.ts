// A small REST client for tests: every call returns status, headers and parsed body.

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export type AuthHeader = Record<string, string>;

export function privateToken(token: string): AuthHeader {
  return { 'PRIVATE-TOKEN': token };
}

export function deployToken(token: string): AuthHeader {
  return { 'Deploy-Token': token };
}

export function bearer(token: string): AuthHeader {
  return { Authorization: `Bearer ${token}` };
}

export function basic(token: string, username = 'anything'): AuthHeader {
  return { Authorization: `Basic ${Buffer.from(`${username}:${token}`).toString('base64')}` };
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly auth: AuthHeader = {},
  ) {}

  as(auth: AuthHeader): Api {
    return new Api(this.baseUrl, auth);
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const init: RequestInit = { method, headers: { ...this.auth, ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${path}`, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  put<T = any>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body ?? {});
  }
  delete<T = any>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** Like request, but fails the test with the response body when the status is not the expected one. */
  async expect<T = any>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.request<T>(method, path, body);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status}: ${res.text}`);
    return res.body;
  }
}
