import { bootstrapPlatform } from 'mcp-platform/platform';
import { WeatherModule } from './weather/weather.module';

/** The whole platform (config files, auth, Redis, metrics, health, built-in packs) plus the weather tools. */
void bootstrapPlatform({ imports: [WeatherModule] });
