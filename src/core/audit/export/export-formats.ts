import { errors } from '../../errors.js';
import { cefFormat } from './cef-format.js';
import { csvFormat } from './csv-format.js';
import type { ExportFormat } from './export-format.js';
import { jsonlFormat } from './jsonl-format.js';
import { ocsfFormat } from './ocsf-format.js';

/** Every export format by its `format=` name; a new format is one module and one entry here. */
export const EXPORT_FORMATS: Record<string, ExportFormat> = { csv: csvFormat, jsonl: jsonlFormat, ocsf: ocsfFormat, cef: cefFormat };

export function exportFormatNamed(name: string | undefined): ExportFormat {
  const format = name !== undefined && Object.hasOwn(EXPORT_FORMATS, name) ? EXPORT_FORMATS[name] : undefined;
  if (!format) throw errors.badRequest(`format must be one of ${Object.keys(EXPORT_FORMATS).join(', ')}`);
  return format;
}
