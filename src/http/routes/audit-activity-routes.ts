import type { Static } from 'typebox';
import { activityPerDay, activityPeriod } from '../../core/audit/audit-activity.js';
import { parseAuditFilters } from '../../core/audit/audit-query.js';
import { AuditActivity } from '../../contracts/audit-activity.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { AUDIT_FILTER_QUERY, groupView, instanceView, projectView, userView, type ResolvedView } from '../audit-views.js';
import { isoTimestamp, queryOf } from '../pagination.js';
import { paramsOf } from '../schemas.js';

// docs/api.md#audit-activity: the events per day and kind of the instance's, a group's, a
// project's or a user's own audit log, for the period from..to (created_after/created_before when those are not
// given; else the last 30 days) and the list's other filters, seen exactly as the events list shows
// them to the caller (the same views: a developer counts only their own actions).

const activityQuery = queryOf({ ...AUDIT_FILTER_QUERY, from: isoTimestamp, to: isoTimestamp });
type ActivityQuery = Static<typeof activityQuery>;

export function registerAuditActivityRoutes(app: Api, ctx: AppContext): void {
  async function activity(query: ActivityQuery, resolved: ResolvedView): Promise<AuditActivity> {
    const filters = { ...parseAuditFilters(query), onlyAuthorId: resolved.onlyAuthorId };
    const period = activityPeriod(query.from ?? query.created_after, query.to ?? query.created_before);
    return activityPerDay(ctx.db, resolved.view, filters, period);
  }

  const ofInstance = { querystring: activityQuery, response: { 200: AuditActivity } };
  const ofOne = { ...ofInstance, params: paramsOf('id') };
  app.get('/api/v4/audit_events/activity', { schema: ofInstance }, async (request) => activity(request.query, await instanceView(request)));
  app.get('/api/v4/groups/:id/audit_events/activity', { schema: ofOne }, async (request) =>
    activity(request.query, await groupView(ctx, request, request.query.include_subgroups)),
  );
  app.get('/api/v4/projects/:id/audit_events/activity', { schema: ofOne }, async (request) => activity(request.query, await projectView(ctx, request)));
  app.get('/api/v4/users/:id/audit_events/activity', { schema: ofOne }, async (request) => activity(request.query, await userView(ctx, request)));
}
