import { Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { AuthModule, McpModule } from 'mcp-platform';
import { HelloController } from './hello.controller';
import { WeatherModule } from './weather/weather.module';

/**
 * Options from the app's own config (`ConfigService`), stateless MCP, and API keys
 * (`MCP_API_KEY_HASH`, a `sha256:<hex>` of the key) guarding the MCP routes only.
 */
@Module({
  imports: [
    ConfigModule.forRoot(),
    McpModule.forRootAsync({
      imports: [ConfigModule],
      inject: [ConfigService],
      useFactory: (config: ConfigService) => ({
        sessionMode: config.get<'stateful' | 'stateless'>('MCP_SESSION_MODE', 'stateless'),
        nodeId: config.get<string>('NODE_ID', 'weather-1'),
      }),
    }),
    AuthModule.forRoot({
      apiKeys: process.env.MCP_API_KEY_HASH ? [{ id: 'weather-client', hash: process.env.MCP_API_KEY_HASH, permissions: ['*'] }] : [],
    }),
    WeatherModule,
  ],
  controllers: [HelloController],
})
export class AsyncAppModule {}
