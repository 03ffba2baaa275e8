import Ajv2020, { ErrorObject, ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export type JsonSchemaObject = Record<string, unknown>;

/**
 * One Ajv (JSON Schema 2020-12) for the process: compiled validators are cached by schema
 * object, so constant schemas compile once.
 */
class JsonSchemaValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true });
  private readonly cache = new WeakMap<object, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
  }

  /** Compiles (once) and returns a validator; throws when the schema itself is invalid. */
  compile(schema: JsonSchemaObject): ValidateFunction {
    let validate = this.cache.get(schema);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.cache.set(schema, validate);
    }
    return validate;
  }

  /** Problems of `value` against `schema` as `path: message (keyword)`, or [] when valid. */
  problems(schema: JsonSchemaObject, value: unknown): string[] {
    const validate = this.compile(schema);
    if (validate(value)) return [];
    return (validate.errors ?? []).map(describeError);
  }
}

function describeError(error: ErrorObject): string {
  const missing = error.keyword === 'required' ? `.${String(error.params.missingProperty)}` : '';
  const extra = error.keyword === 'additionalProperties' ? `.${String(error.params.additionalProperty)}` : '';
  const path = `${error.instancePath.replace(/^\//, '').replace(/\//g, '.')}${missing}${extra}`.replace(/^\./, '');
  return `${path || '(root)'}: ${error.message ?? 'is invalid'} (${error.keyword})`;
}

export const jsonSchemaValidator = new JsonSchemaValidator();
