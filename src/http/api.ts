import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';

// Every REST route declares its contract as TypeBox schemas (src/http/schemas.ts for parameters and
// bodies, src/contracts/ for the resources it answers with). Fastify validates the input against
// them, and the TypeBox type provider derives the handler's types from them: `request.body`,
// `request.query` and `request.params` are typed by the schema, and what a handler returns is
// checked against its declared response at compile time. The web UI compiles against the same
// contracts (web/src/types.ts).

/** The Fastify instance routes register on: types come from the route's schemas. */
export type Api = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The same instance, typed by the routes' schemas. */
export function typedApi(app: FastifyInstance): Api {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}

/**
 * Responses are sent as the handler built them (JSON.stringify), not through a serializer generated
 * from the declared response schema: such a serializer silently drops a field the contract forgot,
 * and a response must never lose data because a schema is behind. Instead, with
 * `checkContracts` (TROVE_CHECK_RESPONSE_CONTRACTS=1, on in the test suite) every JSON response is
 * validated against its route's declared schema and a mismatch is a 500 that names it, so the suite
 * proves each contract true.
 */
export function registerResponseContracts(app: FastifyInstance, checkContracts: boolean): void {
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  if (!checkContracts) return;
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, allErrors: true });
  const validators = new WeakMap<object, ValidateFunction>();
  app.addHook('preSerialization', async (request, reply, payload) => {
    const schema = responseSchema(reply, request.routeOptions.schema?.response);
    if (schema === undefined) return payload;
    let validate = validators.get(schema);
    if (validate === undefined) {
      validate = ajv.compile(schema);
      validators.set(schema, validate);
    }
    if (!validate(payload)) {
      const problems = ajv.errorsText(validate.errors, { dataVar: 'response' });
      request.log.error({ route: request.routeOptions.url, status: reply.statusCode, problems }, 'response breaks its declared contract');
      throw new Error(`Response of ${request.method} ${request.routeOptions.url} (${reply.statusCode}) breaks its contract: ${problems}`);
    }
    return payload;
  });
}

/** The schema declared for the reply's status: exact code, then its class (2xx), then default. */
function responseSchema(reply: FastifyReply, declared: unknown): object | undefined {
  if (declared === null || typeof declared !== 'object') return undefined;
  const byStatus = declared as Record<string, object | undefined>;
  const status = String(reply.statusCode);
  return byStatus[status] ?? byStatus[`${status[0]}xx`] ?? byStatus.default;
}
