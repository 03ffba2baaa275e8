import { Injectable } from '@nestjs/common';
import { IsNumber } from 'class-validator';
import { z } from 'zod';
import { McpTool, McpToolError } from '../../mcp';

const operands = z.object({
  a: z.number().describe('First operand'),
  b: z.number().describe('Second operand'),
});
type Operands = z.infer<typeof operands>;

const result = z.object({ result: z.number() });
type Result = z.infer<typeof result>;

/** `power` takes a class-validator DTO, to show that form beside zod. */
export class PowerInput {
  @IsNumber({ allowNaN: false, allowInfinity: false })
  base!: number;

  @IsNumber({ allowNaN: false, allowInfinity: false })
  exponent!: number;
}

const pure = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/** The calculator of seed 000: pure functions, safe for stateless mode. */
@Injectable()
export class CalculatorTools {
  @McpTool({ description: 'Add two numbers: a + b', input: operands, output: result, annotations: pure })
  add({ a, b }: Operands): Result {
    return finite(a + b);
  }

  @McpTool({ description: 'Subtract b from a: a - b', input: operands, output: result, annotations: pure })
  subtract({ a, b }: Operands): Result {
    return finite(a - b);
  }

  @McpTool({ description: 'Multiply two numbers: a * b', input: operands, output: result, annotations: pure })
  multiply({ a, b }: Operands): Result {
    return finite(a * b);
  }

  @McpTool({ description: 'Divide a by b: a / b (b must not be 0)', input: operands, output: result, annotations: pure })
  divide({ a, b }: Operands): Result {
    if (b === 0) throw new McpToolError('Division by zero is undefined: b must not be 0');
    return finite(a / b);
  }

  @McpTool({ description: 'Raise base to exponent: base ^ exponent', input: PowerInput, output: result, annotations: pure })
  power({ base, exponent }: PowerInput): Result {
    return finite(base ** exponent);
  }

  @McpTool({
    description: 'Square root of x (x must not be negative)',
    input: z.object({ x: z.number().describe('A number >= 0') }),
    output: result,
    annotations: pure,
  })
  sqrt({ x }: { x: number }): Result {
    if (x < 0) throw new McpToolError(`Cannot take the square root of a negative number (x = ${x})`);
    return finite(Math.sqrt(x));
  }
}

function finite(value: number): Result {
  if (!Number.isFinite(value)) throw new McpToolError(`The result is not a finite number (${value})`);
  return { result: value };
}
