import { Module } from '@nestjs/common';
import { ConformanceTools } from './conformance.tools';
import { ConformanceInputTools } from './conformance-mrtr.tools';

/** Tool pack `conformance`: the official conformance suite's fixtures (off by default). */
@Module({ providers: [ConformanceTools, ConformanceInputTools] })
export class ConformanceModule {}
