import type { FastifyRequest } from 'fastify';
import Type, { type Static, type TSchema, type TString } from 'typebox';

// Schemas for the input of a format's routes, from which their handlers' types are derived
// (src/http/api.ts). They add no limits of their own: a package client is answered by the
// format's own checks, in its own error convention and in the order it expects (credentials
// first, then names), so a schema only states what the router and query parser already hand over.

/** A route's path parameters (`:id`, `:name`, the wildcard `*`), all text as the router decoded it. */
export const formatParams = <const K extends string>(...names: K[]) =>
  Type.Object(Object.fromEntries(names.map((n) => [n, Type.String()])) as { [N in K]: TString });

/** A query parameter as the query parser hands it over: its text, or the list of them when it is given more than once. */
export const queryValue = Type.Union([Type.String(), Type.Array(Type.String())]);
export type QueryValue = Static<typeof queryValue>;

/** A route's query string: these parameters, each optional. */
export const formatQuery = <const K extends string>(...names: K[]) =>
  Type.Partial(Type.Object(Object.fromEntries(names.map((n) => [n, queryValue])) as { [N in K]: typeof queryValue }));

/**
 * A request of a format route, typed by the route's schemas (as the route's handler receives it),
 * for the helpers the handler passes it to: `FormatRequest<typeof params, typeof querystring>`.
 */
export type FormatRequest<P extends TSchema, Q extends TSchema | undefined = undefined> = FastifyRequest & {
  params: Static<P>;
  query: Q extends TSchema ? Static<Q> : unknown;
};
