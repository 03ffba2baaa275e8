import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { isObservable, lastValueFrom } from 'rxjs';
import { MCP_ROUTE_GUARDS } from '../../mcp.constants';

/**
 * Runs the guards provided under {@link MCP_ROUTE_GUARDS} on the MCP routes only, so a
 * module like AuthModule guards MCP without guarding the host application's other routes.
 * Fails closed: the first guard that refuses (or throws) stops the request.
 */
@Injectable()
export class McpRouteGuard implements CanActivate {
  private readonly guards: CanActivate[];

  constructor(@Optional() @Inject(MCP_ROUTE_GUARDS) guards?: CanActivate[]) {
    this.guards = guards ?? [];
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    for (const guard of this.guards) {
      const verdict = guard.canActivate(context);
      const allowed = isObservable(verdict) ? await lastValueFrom(verdict) : await verdict;
      if (!allowed) return false;
    }
    return true;
  }
}
