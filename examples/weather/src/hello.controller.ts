import { Controller, Get } from '@nestjs/common';

/** A route of the host app's own: MCP's guards and paths leave it alone. */
@Controller('hello')
export class HelloController {
  @Get()
  hello() {
    return { hello: 'world' };
  }
}
