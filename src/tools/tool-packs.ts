import type { Type } from '@nestjs/common';
import type { ToolPacksConfig } from '../config/app-config';
import { CalculatorModule } from './calculator/calculator.module';
import { ConformanceModule } from './conformance/conformance.module';
import { DiagnosticsModule } from './diagnostics/diagnostics.module';
import { ExamplesModule } from './examples/examples.module';

/** Built-in tool packs by their `toolPacks.<name>` config key. */
export const TOOL_PACKS: Record<keyof ToolPacksConfig, Type<unknown>> = {
  calculator: CalculatorModule,
  diagnostics: DiagnosticsModule,
  examples: ExamplesModule,
  conformance: ConformanceModule,
};

/** The modules of the packs switched on. */
export function enabledToolPacks(config: ToolPacksConfig): Array<Type<unknown>> {
  return (Object.keys(TOOL_PACKS) as Array<keyof ToolPacksConfig>).filter((name) => config[name]).map((name) => TOOL_PACKS[name]);
}
