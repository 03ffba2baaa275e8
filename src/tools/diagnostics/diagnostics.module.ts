import { Module } from '@nestjs/common';
import { DiagnosticsTools } from './diagnostics.tools';

/** Tool pack `diagnostics`: the nine diagnostic tools of seed 002. */
@Module({ providers: [DiagnosticsTools] })
export class DiagnosticsModule {}
