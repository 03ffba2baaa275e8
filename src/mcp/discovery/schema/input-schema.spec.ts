import { IsInt, IsString } from 'class-validator';
import { z } from 'zod';
import { compileSchema } from './input-schema';

function firstInput() {
  class Input {
    @IsString() a!: string;
  }
  return Input;
}

function secondInput() {
  class Input {
    @IsInt() b!: number;
  }
  return Input;
}

class Early {
  @IsString() x!: string;
}

describe('compileSchema', () => {
  it('gives two DTOs with the same class name their own schemas', () => {
    const first = firstInput();
    const second = secondInput();
    expect(first.name).toBe(second.name);
    expect(Object.keys(compileSchema(first).jsonSchema.properties as object)).toEqual(['a']);
    expect(Object.keys(compileSchema(second).jsonSchema.properties as object)).toEqual(['b']);
  });

  it('compiles a DTO declared after another DTO was compiled', () => {
    compileSchema(Early);
    class Late {
      @IsInt() y!: number;
    }
    expect(compileSchema(Late).jsonSchema).toMatchObject({ type: 'object', properties: { y: { type: 'integer' } } });
  });

  it('keeps a plain JSON Schema as written and validates with it', async () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object' as const,
      properties: { name: { type: 'string' }, address: { $ref: '#/$defs/address' } },
      $defs: { address: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
      additionalProperties: false,
    };
    const sut = compileSchema(schema);
    expect(sut.jsonSchema).toBe(schema);
    expect(await sut.parse({ name: 'a', address: { city: 'Oslo' } })).toEqual({ ok: true, value: { name: 'a', address: { city: 'Oslo' } } });
    const refused = await sut.parse({ name: 'a', address: {}, extra: 1 });
    expect(refused).toEqual({ ok: false, problems: expect.arrayContaining([expect.stringContaining('address.city'), expect.stringContaining('extra')]) });
  });

  it('refuses a schema that does not describe an object', () => {
    expect(() => compileSchema(z.string())).toThrow('must describe an object');
    expect(() => compileSchema({ type: 'array' } as never)).toThrow('type "object"');
  });
});
