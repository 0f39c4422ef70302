import type { FastifyReply, FastifyRequest } from 'fastify';
import Type, { type Static, type TProperties } from 'typebox';
import { errors } from '../core/errors.js';

// GitLab's offset pagination: page/per_page in, X-Page, X-Per-Page, X-Next-Page, X-Prev-Page,
// X-Total, X-Total-Pages and Link out. Every list endpoint uses it.

export interface Paging {
  page: number;
  perPage: number;
  offset: number;
}

/** GitLab's cap: a larger per_page is served as 100 (X-Per-Page says so), as GitLab does. */
export const MAX_PER_PAGE = 100;
/** Far beyond any list a client pages through (keyset pagination serves the audit log); keeps offsets exact. */
export const MAX_PAGE = 1_000_000;

/** JSON Schema of a query parameter that is one of fixed words (order_by, sort, ...). */
export const oneOf = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: values });

// GitLab's boolean query values, as its API framework reads them: python-gitlab sends Python's
// True/False as "True"/"False", curl users write true, 1 or yes.
const TRUE_WORDS = ['true', 'True', 'TRUE', '1', 't', 'yes', 'on'];
const FALSE_WORDS = ['false', 'False', 'FALSE', '0', 'f', 'no', 'off'];

/** JSON Schema of a boolean query parameter (include_subgroups, owned, dry_run, ...). */
export const queryFlag = oneOf([...TRUE_WORDS, ...FALSE_WORDS]);

/** A queryFlag's value: undefined when absent. */
export function flagValue(value: unknown): boolean | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return TRUE_WORDS.includes(String(value));
}

/**
 * JSON Schema of an ISO 8601 date or date-time query parameter (created_after, downloads_since, ...):
 * 2026-01-31, 2026-01-31T12:00, 2026-01-31T12:00:00.000Z, with an offset or without. The handler
 * still parses it (an impossible date such as 2026-02-31 is its 400).
 */
export const isoTimestamp = Type.String({
  maxLength: 40,
  pattern: '^\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?$',
});

/**
 * A list route's `querystring` schema: page and per_page as GitLab takes them, plus the route's
 * own parameters. Fastify validates it before the handler runs (a 400 from the error handler).
 */
export function listQuery<P extends TProperties = {}>(own: P = {} as P) {
  return queryOf({
    page: Type.Integer({ minimum: 1, maximum: MAX_PAGE }),
    per_page: Type.Integer({ minimum: 1, maximum: MAX_PAGE }),
    ...own,
  });
}

/** A route's `querystring` schema: every parameter optional, as in GitLab's API. */
export function queryOf<P extends TProperties>(properties: P) {
  return Type.Unsafe<{ [K in keyof P]?: Static<P[K]> }>({ type: 'object', properties });
}

/** order_by from the route's list, sort asc or desc. */
export function sortedListQuery<const O extends readonly string[], P extends TProperties = {}>(orderBy: O, own: P = {} as P) {
  return listQuery({ order_by: oneOf(orderBy), sort: oneOf(['asc', 'desc']), ...own });
}

function positive(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > max) throw errors.badRequest(`${name} is invalid`);
  return n;
}

/** Reads what listQuery() validated (and checks again, for a route that forgot its schema). */
export function parsePaging(query: { page?: unknown; per_page?: unknown }): Paging {
  const page = positive(query.page, 'page', 1, MAX_PAGE);
  const perPage = Math.min(positive(query.per_page, 'per_page', 20, MAX_PAGE), MAX_PER_PAGE);
  return { page, perPage, offset: (page - 1) * perPage };
}

/** The request's own URL with some query parameters replaced, for Link headers. */
export function linkTo(request: FastifyRequest, baseUrl: string, replace: Record<string, string | number>): string {
  const url = new URL(request.url, baseUrl);
  for (const [key, value] of Object.entries(replace)) url.searchParams.set(key, String(value));
  return `${baseUrl}${url.pathname}${url.search}`;
}

export function setPageHeaders(request: FastifyRequest, reply: FastifyReply, baseUrl: string, paging: Paging, total: number): void {
  const totalPages = Math.max(1, Math.ceil(total / paging.perPage));
  const links: string[] = [];
  const link = (page: number, rel: string) => links.push(`<${linkTo(request, baseUrl, { page, per_page: paging.perPage })}>; rel="${rel}"`);
  if (paging.page > 1) link(paging.page - 1, 'prev');
  if (paging.page < totalPages) link(paging.page + 1, 'next');
  link(1, 'first');
  link(totalPages, 'last');
  reply.headers({
    'x-page': String(paging.page),
    'x-per-page': String(paging.perPage),
    'x-next-page': paging.page < totalPages ? String(paging.page + 1) : '',
    'x-prev-page': paging.page > 1 ? String(paging.page - 1) : '',
    'x-total': String(total),
    'x-total-pages': String(totalPages),
    link: links.join(', '),
  });
}

/**
 * Paginates an in-memory list (small lists: members, tokens, subgroups). page and per_page are
 * read from the query the route's listQuery() validated; parsePaging checks them again, so a
 * route whose query is not typed yet is served the same.
 */
export function paginateArray<T>(request: FastifyRequest, reply: FastifyReply, baseUrl: string, items: T[]): T[] {
  const query = request.query;
  const paging = parsePaging(typeof query === 'object' && query !== null ? query : {});
  setPageHeaders(request, reply, baseUrl, paging, items.length);
  return items.slice(paging.offset, paging.offset + paging.perPage);
}
