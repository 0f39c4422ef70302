// npm's write bodies and the manifests inside them are JSON objects of whatever fields the client
// sends; the parsers read them field by field through this guard instead of asserting their shape.

export type Json = Record<string, unknown>;

/** A JSON object: not an array, not null. */
export function isJsonObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
