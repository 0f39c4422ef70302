import type { FastifyReply, FastifyRequest } from 'fastify';
import { AccessReview, AccessReviewCompletion } from '../../contracts/access-review.js';
import { accessReviewCsv } from '../../core/access-review/access-review-csv.js';
import { buildAccessReview, completeAccessReview } from '../../core/access-review/access-review.js';
import { AccessLevel } from '../../core/accounts/access-levels.js';
import { requireApiUser } from '../../core/accounts/permissions.js';
import { errors } from '../../core/errors.js';
import type { Api } from '../api.js';
import type { AppContext } from '../app-context.js';
import { auditedBy } from '../audited-by.js';
import { visibleGroup } from '../loaders.js';
import { oneOf, queryOf } from '../pagination.js';
import { bodyOf, nullableText, paramsOf } from '../schemas.js';

// docs/api.md#access-review: a group's members and write credentials for its owners (and
// administrators), as JSON or CSV, and the audited statement that the review was done. Anyone else,
// its developers and maintainers included, gets the 404 of a group they cannot see: a review lists
// every member and credential, and does not tell others that it exists.

const byGroup = paramsOf('id');
const reviewQuery = queryOf({ format: oneOf(['json', 'csv']) });
const completionBody = bodyOf({ note: nullableText(2000) });

export function registerAccessReviewRoutes(app: Api, ctx: AppContext): void {
  async function reviewedGroup(request: FastifyRequest, ref: string, write: boolean) {
    requireApiUser(request.principal, write);
    const { group, level } = await visibleGroup(ctx, request, ref);
    if (level < AccessLevel.owner) throw errors.notFound('404 Group Not Found');
    return group;
  }

  function sendCsv(reply: FastifyReply, review: AccessReview) {
    const fileName = `access-review-${review.group.full_path.replaceAll('/', '-')}-${review.generated_at.slice(0, 10)}.csv`;
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${fileName}"`).send(accessReviewCsv(review));
  }

  app.get('/api/v4/groups/:id/access_review', { schema: { params: byGroup, querystring: reviewQuery, response: { 200: AccessReview } } }, async (request, reply) => {
    const review = await buildAccessReview(ctx.db, await reviewedGroup(request, request.params.id, false));
    return request.query.format === 'csv' ? sendCsv(reply, review) : review;
  });

  // A CSV answer: no JSON response schema.
  app.get('/api/v4/groups/:id/access_review.csv', { schema: { params: byGroup } }, async (request, reply) =>
    sendCsv(reply, await buildAccessReview(ctx.db, await reviewedGroup(request, request.params.id, false))),
  );

  app.post(
    '/api/v4/groups/:id/access_review/completions',
    { schema: { params: byGroup, body: completionBody, response: { 201: AccessReviewCompletion } } },
    async (request, reply) => {
      const group = await reviewedGroup(request, request.params.id, true);
      const note = request.body?.note?.trim() || null;
      return reply.status(201).send(await completeAccessReview(ctx.db, auditedBy(ctx, request), group, note));
    },
  );
}
