import { Module } from '@nestjs/common';
import { McpModule } from 'mcp-platform';
import { HelloController } from './hello.controller';
import { WeatherModule } from './weather/weather.module';

/** MCP at /mcp: stateful, sessions in memory, no authentication. */
@Module({ imports: [McpModule.forRoot(), WeatherModule], controllers: [HelloController] })
export class AppModule {}
