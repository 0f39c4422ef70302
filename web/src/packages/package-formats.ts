import { apiPath } from '../api';
import type { FormatSummary } from '../types';
import { useApi } from '../ui/use-api';

// The formats come from the server (GET /package_formats, each format's own declaration): the UI
// names none, so a new format shows up in filters and labels without a change here.

/** The formats this instance serves; empty until loaded. */
export function usePackageFormats(): FormatSummary[] {
  const [formats] = useApi<FormatSummary[]>(apiPath('/package_formats'));
  return formats.state === 'ready' ? formats.data : [];
}

/** "PyPI" for "pypi"; the raw value for a format the list does not (or not yet) hold. */
export const formatLabelIn = (formats: FormatSummary[], name: string) => formats.find((f) => f.name === name)?.display_name ?? name;
