import { Controller, Get, Header, Res, UseGuards } from '@nestjs/common';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import type { Response } from 'express';
import { MetricsKeyGuard } from './metrics-key.guard';

/** `GET /metrics` in the Prometheus text format, behind the optional metrics key. */
/** Outside the MCP route guards; `metrics.key` (its own guard) protects it when set. */
@Controller()
@UseGuards(MetricsKeyGuard)
export class MetricsController extends PrometheusController {
  @Get()
  @Header('Cache-Control', 'no-store')
  override async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    return super.index(response);
  }
}
