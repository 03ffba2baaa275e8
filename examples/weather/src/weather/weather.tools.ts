import { Injectable } from '@nestjs/common';
import { IsIn, IsString, MinLength } from 'class-validator';
import { McpPrompt, McpResource, McpTool, McpToolContext, McpToolError } from 'mcp-platform';
import { z } from 'zod';

const forecastInput = z.object({
  city: z.string().min(1).describe('City name'),
  days: z.number().int().min(1).max(7).default(3),
});

/** A class-validator DTO: the other way to declare a tool's input. */
export class ConvertInput {
  @IsString()
  @MinLength(1)
  city!: string;

  @IsIn(['celsius', 'fahrenheit'])
  unit!: 'celsius' | 'fahrenheit';
}

const TODAY: Record<string, number> = { Berlin: 18, Paris: 21, Lisbon: 24 };

/** Weather tools: plain methods of a Nest provider, found wherever the module is imported. */
@Injectable()
export class WeatherTools {
  @McpTool({ description: 'Forecast for a city, one temperature (°C) a day', input: forecastInput, annotations: { readOnlyHint: true } })
  async forecast({ city, days }: z.output<typeof forecastInput>, ctx: McpToolContext) {
    const today = TODAY[city];
    if (today === undefined) throw new McpToolError(`No forecast for ${city}: try ${Object.keys(TODAY).join(', ')}`);
    const temperatures: number[] = [];
    for (let day = 0; day < days; day += 1) {
      temperatures.push(today + day);
      await ctx.progress(day + 1, days);
    }
    return { city, days: temperatures };
  }

  @McpTool({ description: "Today's temperature of a city in the unit asked for", input: ConvertInput })
  today({ city, unit }: ConvertInput) {
    const celsius = TODAY[city];
    if (celsius === undefined) throw new McpToolError(`Unknown city: ${city}`);
    return unit === 'celsius' ? `${celsius} °C` : `${Math.round(celsius * 1.8 + 32)} °F`;
  }

  @McpResource({
    uriTemplate: 'weather://{city}/today',
    name: 'today',
    mimeType: 'application/json',
    complete: { city: (prefix) => Object.keys(TODAY).filter((city) => city.startsWith(prefix)) },
  })
  todayResource({ city }: { city: string }) {
    return JSON.stringify({ city, celsius: TODAY[city] ?? null });
  }

  @McpPrompt({ description: 'Plan a trip around the weather', arguments: [{ name: 'city', required: true }] })
  plan({ city }: { city: string }) {
    return `Plan a three-day trip to ${city}: call the forecast tool first and pick the warmest day for the outdoor part.`;
  }
}
