import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator';

/**
 * Route parameter decorators (`@Body()`, `@Req()` …) have no meaning on a tool method; only
 * `@McpArgs()` / `@McpCtx()` (custom decorators, resolved by Nest) supply values.
 */
export class McpParamsFactory implements ParamsFactory {
  exchangeKeyForValue(_type: number, _data: ParamData, _args: unknown[]): null {
    return null;
  }
}
