import { Module } from '@nestjs/common';
import { ExamplesTools } from './examples.tools';

/** Tool pack `examples`: progress demo, resources and a prompt. */
@Module({ providers: [ExamplesTools] })
export class ExamplesModule {}
