// Every error Trove raises on purpose is declared here once, with its HTTP status.
// Handlers only throw; src/http/error-handler.ts maps them to a response, and a
// format may reshape the body into its client's convention (npm wants {"error": ...}).

export class TroveError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** For insufficient_scope: the token scopes (space-separated, as OAuth) that would have been enough. */
    readonly requiredScope?: string,
  ) {
    super(message);
    this.name = 'TroveError';
  }
}

function declare(code: string, statusCode: number, defaultMessage: string) {
  return (message: string = defaultMessage) => new TroveError(code, statusCode, message);
}

export const errors = {
  badRequest: declare('BAD_REQUEST', 400, 'Bad request'),
  unauthorized: (message = '401 Unauthorized') =>
    new TroveError('UNAUTHORIZED', 401, message, { 'www-authenticate': 'Basic realm="Trove"' }),
  forbidden: declare('FORBIDDEN', 403, '403 Forbidden'),
  insufficientScope: (requiredScope: string) => new TroveError('INSUFFICIENT_SCOPE', 403, 'insufficient_scope', {}, requiredScope),
  notFound: declare('NOT_FOUND', 404, '404 Not Found'),
  conflict: declare('CONFLICT', 409, 'Conflict'),
  payloadTooLarge: declare('PAYLOAD_TOO_LARGE', 413, 'Request body is too large'),
  unprocessable: declare('UNPROCESSABLE', 422, 'Unprocessable entity'),
  serviceUnavailable: declare('SERVICE_UNAVAILABLE', 503, '503 Service Unavailable - retry later'),
  tooManyRequests: (retryAfterSeconds: number, message = '429 Too Many Requests - retry later') =>
    new TroveError('TOO_MANY_REQUESTS', 429, message, { 'retry-after': String(retryAfterSeconds) }),
};

export function isTroveError(value: unknown): value is TroveError {
  return value instanceof TroveError;
}
