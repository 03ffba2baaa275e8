import { Controller, Get, NotFoundException, Req } from '@nestjs/common';
import { rawRequest } from '../common/http-objects';
import { WELL_KNOWN_RESOURCE_PATH } from './auth.constants';
import { ProtectedResource, ResourceMetadata } from './protected-resource.service';
import { Public } from './public.decorator';

/**
 * The metadata paths: the well-known one, then followed by a resource's path of up to five
 * segments (`/mcp`, `/tenants/acme/mcp`, `/api/tenants/acme/mcp`). Parameters rather than a
 * wildcard: Express and Fastify spell wildcards differently.
 */
const METADATA_PATHS = ['', '/:s1', '/:s1/:s2', '/:s1/:s2/:s3', '/:s1/:s2/:s3/:s4', '/:s1/:s2/:s3/:s4/:s5'].map(
  (segments) => `${WELL_KNOWN_RESOURCE_PATH.slice(1)}${segments}`,
);

/**
 * RFC 9728 metadata, so MCP clients that speak OAuth find the authorization server:
 * `/.well-known/oauth-protected-resource` and, per RFC 9728 §3.1, the same followed by a
 * resource's path (`…/mcp`, `…/tenants/{tenantId}/mcp`). Served only where an authorization
 * server is configured for the resource.
 */
@Controller()
export class ProtectedResourceController {
  constructor(private readonly resource: ProtectedResource) {}

  @Public()
  @Get(METADATA_PATHS)
  metadata(@Req() request: object): ResourceMetadata {
    const req = rawRequest(request);
    const path = (req.url ?? '').split('?')[0];
    const suffix = path.slice(path.indexOf(WELL_KNOWN_RESOURCE_PATH) + WELL_KNOWN_RESOURCE_PATH.length).replace(/\/$/, '');
    const metadata = this.resource.metadataAt(req, suffix);
    if (!metadata) throw new NotFoundException('No OAuth authorization server is configured for this resource');
    return metadata;
  }
}
