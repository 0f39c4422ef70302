import { errors } from '../../core/errors.js';

// Debian control files (deb-control(5)): "Field: value" lines, a continuation line starts with a
// space or tab. One paragraph here (a binary package's control file); field names compare without
// regard to case, as dpkg's do.

export type ControlFields = Map<string, string>;

const FIELD = /^([!-9;-~][!-9;-~]*):[ \t]*(.*)$/;

/** The fields of the control file's first paragraph, keyed by their name as written, values as written (continuations kept). */
export function parseControl(text: string): ControlFields {
  const fields: ControlFields = new Map();
  let current: string | null = null;
  if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text)) throw errors.badRequest('The control file holds control characters');
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (line.startsWith('#')) continue;
    if (line.trim() === '') {
      if (fields.size > 0) break;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (current === null) throw errors.badRequest('The control file starts with a continuation line');
      fields.set(current, `${fields.get(current)}\n${line}`);
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) throw errors.badRequest(`The control file has a malformed line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = match[1];
    if ([...fields.keys()].some((known) => known.toLowerCase() === name.toLowerCase())) throw errors.badRequest(`The control file repeats the field ${name}`);
    fields.set(name, match[2].trimEnd());
    current = name;
  }
  return fields;
}

/** A field's value, whatever the case of its name. */
export function controlField(fields: ControlFields, name: string): string | undefined {
  for (const [key, value] of fields) if (key.toLowerCase() === name.toLowerCase()) return value;
  return undefined;
}

/** "Name: value" as a control file writes it; a multi-line value keeps its continuation lines. */
export function controlLine(name: string, value: string): string {
  return `${name}: ${value}\n`;
}
