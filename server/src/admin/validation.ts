/**
 * Request validation for the HTTP API: JSON bodies are taken as sent (no type coercion, unknown
 * fields refused, not dropped), while path parameters and query strings, which are always text,
 * are read as the numbers their schemas declare (`?offset=5`). Errors name the field.
 */
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import AjvCompiler from '@fastify/ajv-compiler';

const STRICT = { coerceTypes: false, removeAdditional: false, useDefaults: true, allowUnionTypes: true, allErrors: false, verbose: true } as const;

export function installValidation(app: FastifyInstance): void {
  const build = AjvCompiler();
  const bodyCompiler = build({}, { customOptions: STRICT });
  // `true`, not fastify's default 'array': a repeated `?limit=1&limit=2` is an error, not the first value.
  const textCompiler = build({}, { customOptions: { ...STRICT, coerceTypes: true } });
  app.setValidatorCompiler((route) => (route.httpPart === 'body' ? bodyCompiler(route) : textCompiler(route)));
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(outermost(errors).map((e) => describe(e, dataVar)).join(', ')));
  // JSON is the only body the API reads: anything else is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');
}

/** A failed `oneOf` reports each branch's error too: keep the `oneOf`, which says what was wanted. */
function outermost(errors: FastifySchemaValidationError[]): FastifySchemaValidationError[] {
  const alternatives = errors.filter((e) => e.keyword === 'oneOf');
  const within = (e: FastifySchemaValidationError, o: FastifySchemaValidationError) =>
    e !== o && (e.instancePath === o.instancePath || e.instancePath.startsWith(`${o.instancePath}/`));
  return errors.filter((e) => !alternatives.some((o) => within(e, o)));
}

/** `body/name must be string`; an unknown field is named: `body/extra is not a known field`. */
function describe(e: FastifySchemaValidationError, dataVar: string): string {
  if (e.keyword === 'additionalProperties') {
    return `${dataVar}${e.instancePath}/${String(e.params.additionalProperty)} is not a known field`;
  }
  const rule = (e as { parentSchema?: { description?: unknown } }).parentSchema?.description;
  // A name pattern or a list of alternatives is no help to read: the schema's description says it in words.
  if ((e.keyword === 'pattern' || e.keyword === 'oneOf') && typeof rule === 'string') return `${dataVar}${e.instancePath} is invalid: ${rule}`;
  return `${dataVar}${e.instancePath} ${e.message ?? 'is invalid'}`;
}
