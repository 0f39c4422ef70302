import type { Api } from './api.js';

/**
 * Every version of a project, deleted ones (not yet purged) included, in id order (the first 100
 * of each status): lists show hidden and deleted versions only when asked for them, as GitLab's
 * do, so ask per status.
 */
export async function allPackages(api: Api, projectId: number): Promise<any[]> {
  const byStatus = await Promise.all(['default', 'hidden', 'error', 'deleted'].map((status) => api.expect(200, 'GET', `/api/v4/projects/${projectId}/packages?per_page=100&status=${status}`)));
  return byStatus.flat().sort((a: { id: number }, b: { id: number }) => a.id - b.id);
}
