import type { Type } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { ValidationError, validate } from 'class-validator';
import { targetConstructorToSchema, validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { ZodType, toJSONSchema } from 'zod';
import type { McpInputSchema } from '../../interfaces/mcp-decorator-options.interface';
import { jsonSchemaValidator } from './json-schema.validator';

export type JsonSchema = Record<string, unknown>;

export type ParseOutcome = { ok: true; value: unknown } | { ok: false; problems: string[] };

/** A tool's input, compiled once at start: its JSON Schema and a validator. */
export interface CompiledSchema {
  readonly jsonSchema: JsonSchema;
  parse(value: unknown): ParseOutcome | Promise<ParseOutcome>;
}

const EMPTY_OBJECT_SCHEMA: JsonSchema = Object.freeze({ type: 'object', properties: {} }) as JsonSchema;

/** No declared input: any object is accepted and passed through. */
export const NO_INPUT: CompiledSchema = {
  jsonSchema: EMPTY_OBJECT_SCHEMA,
  parse: (value) => ({ ok: true, value: value ?? {} }),
};

export function isZodSchema(value: unknown): value is ZodType {
  return value instanceof ZodType || (typeof value === 'object' && value !== null && '_zod' in value);
}

/**
 * Compiles a zod schema, a class-validator DTO or a plain JSON Schema object (validated
 * with Ajv, kept as written: `$schema`, `$defs`, `additionalProperties`); throws with a
 * reason if it cannot describe an object.
 */
export function compileSchema(input: McpInputSchema | undefined): CompiledSchema {
  if (input === undefined) return NO_INPUT;
  if (isZodSchema(input)) return compileZod(input);
  if (typeof input === 'function') return compileDto(input);
  if (typeof input === 'object' && input !== null) return compileJsonSchema(input as JsonSchema);
  throw new Error('input must be a zod schema, a class-validator DTO class or a JSON Schema object');
}

function compileJsonSchema(schema: JsonSchema): CompiledSchema {
  if (schema.type !== 'object') {
    throw new Error(`a JSON Schema input must have type "object" (got ${JSON.stringify(schema.type)})`);
  }
  jsonSchemaValidator.compile(schema);
  return {
    jsonSchema: schema,
    parse(value) {
      const input = structuredClone(value ?? {});
      const problems = jsonSchemaValidator.problems(schema, input);
      return problems.length === 0 ? { ok: true, value: input } : { ok: false, problems };
    },
  };
}

function compileZod(schema: ZodType): CompiledSchema {
  const jsonSchema = toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  if (jsonSchema.type !== 'object') {
    throw new Error(`input must describe an object (got JSON Schema type ${JSON.stringify(jsonSchema.type)})`);
  }
  return {
    jsonSchema,
    parse(value) {
      const result = schema.safeParse(value ?? {});
      if (result.success) return { ok: true, value: result.data };
      return {
        ok: false,
        problems: result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message} (${issue.code})`),
      };
    },
  };
}

function compileDto(dto: Type<object>): CompiledSchema {
  const jsonSchema = dtoJsonSchema(dto);
  return {
    jsonSchema,
    async parse(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { ok: false, problems: ['(root): expected an object of arguments'] };
      }
      const instance = plainToInstance(dto, value);
      const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length === 0) return { ok: true, value: instance };
      return { ok: false, problems: flattenValidationErrors(errors) };
    },
  };
}

const DTO_SCHEMA_OPTIONS = {
  refPointerPrefix: '#/$defs/',
  classTransformerMetadataStorage: defaultMetadataStorage,
};

/** JSON Schema of a DTO (by class, not by name) with the DTOs it nests under `$defs`. */
function dtoJsonSchema(dto: Type<object>): JsonSchema {
  const own = targetConstructorToSchema(dto, DTO_SCHEMA_OPTIONS) as JsonSchema;
  if (!own.properties || Object.keys(own.properties).length === 0) {
    throw new Error(`DTO ${dto.name} has no class-validator decorators`);
  }
  const defs: Record<string, JsonSchema> = {};
  // Nested DTOs are referenced by name; their schemas come from all metadata known now.
  if (JSON.stringify(own).includes('"$ref"')) {
    const all = validationMetadatasToSchemas(DTO_SCHEMA_OPTIONS) as Record<string, JsonSchema>;
    collectRefs(own, defs, all);
  }
  const schema: JsonSchema = { ...own, type: 'object' };
  if (Object.keys(defs).length > 0) schema.$defs = defs;
  return schema;
}

function collectRefs(node: unknown, defs: Record<string, JsonSchema>, all: Record<string, JsonSchema>): void {
  if (Array.isArray(node)) return node.forEach((item) => collectRefs(item, defs, all));
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')) {
      const name = value.slice('#/$defs/'.length);
      if (!defs[name] && all[name]) {
        defs[name] = all[name];
        collectRefs(all[name], defs, all);
      }
    } else {
      collectRefs(value, defs, all);
    }
  }
}

function flattenValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) => `${path}: ${message} (${rule})`);
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}
