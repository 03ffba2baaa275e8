import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { rawResponse, takeOverResponse } from '../../../common/http-objects';
import { JSONRPC_ERROR } from '../../mcp.constants';
import { StoreUnavailableError } from '../../../session/session-store.exception';
import { JsonRpcHttpException } from '../../mcp.exception';
import { McpMessages } from '../../mcp.messages';

/**
 * Maps every error leaving the MCP routes to an HTTP status with a JSON-RPC error body,
 * once, here. Unknown errors become 500 / -32603 without details; they are logged instead.
 */
@Catch()
export class JsonRpcExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('McpHttp');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<object>();
    const res = rawResponse(reply);
    const req = host.switchToHttp().getRequest<{ id?: unknown; method?: string; url?: string; headers?: Record<string, unknown> }>();
    const sessionId = req.headers?.['mcp-session-id'];
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let code: number = JSONRPC_ERROR.INTERNAL_ERROR;
    let message = 'Internal error';
    let headers: Record<string, string> = {};
    let id: string | number | null = null;

    if (exception instanceof JsonRpcHttpException) {
      status = exception.getStatus();
      code = exception.jsonRpcCode;
      message = exception.message;
      headers = exception.headers;
      id = exception.requestId;
    } else if (exception instanceof StoreUnavailableError) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
      code = JSONRPC_ERROR.SERVER_ERROR;
      message = McpMessages.STORE_UNAVAILABLE(exception.store);
      headers = { 'Retry-After': '1' };
      this.logger.warn({ msg: 'session store unavailable', requestId: req.id, sessionId, method: req.method, url: req.url, error: exception.message });
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      code = JSONRPC_ERROR.SERVER_ERROR;
      message = exception.message;
    } else {
      this.logger.error({
        msg: 'unhandled error on an MCP route',
        requestId: req.id,
        sessionId,
        method: req.method,
        url: req.url,
        error: exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : String(exception),
      });
    }

    if (res.headersSent) {
      res.end();
      return;
    }
    // Headers set through the framework before the error (Retry-After, X-RateLimit-*, WWW-Authenticate).
    takeOverResponse(reply);
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }));
  }
}
