import { Module } from '@nestjs/common';
import { ConformanceTools } from './conformance.tools';

/** Tool pack `conformance`: the official conformance suite's fixtures (off by default). */
@Module({ providers: [ConformanceTools] })
export class ConformanceModule {}
