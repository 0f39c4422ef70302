/** For formats whose names are compared as written (npm's are lowercase already; generic's are case-sensitive). */
export const normalizeNothing = (name: string): string => name;

/** A value from a request, shortened and with control characters visible, for an error message. */
export function printableValue(value: unknown): string {
  const text = typeof value === 'string' ? value : String(value);
  return text.slice(0, 100).replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
