import { Global, Module } from '@nestjs/common';
import { LifecycleService } from './lifecycle.service';

/** The replica's lifecycle state (draining or not), shared by health, MCP edge and main. */
@Global()
@Module({ providers: [LifecycleService], exports: [LifecycleService] })
export class LifecycleModule {}
