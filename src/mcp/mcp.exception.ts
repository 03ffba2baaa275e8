import { HttpException, HttpStatus } from '@nestjs/common';
import { JSONRPC_ERROR } from './mcp.constants';
import { McpMessages } from './mcp.messages';

/**
 * An error answered at the HTTP edge with a status and a JSON-RPC error body
 * (`{"jsonrpc":"2.0","id":null,"error":{"code","message"}}`), mapped once by
 * `JsonRpcExceptionFilter`.
 */
export class JsonRpcHttpException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly jsonRpcCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The id of the request refused, where one could be read; `null` otherwise. */
    readonly requestId: string | number | null = null,
  ) {
    super(message, status);
  }
}

export class ParseErrorException extends JsonRpcHttpException {
  constructor() {
    super(HttpStatus.BAD_REQUEST, JSONRPC_ERROR.PARSE_ERROR, McpMessages.PARSE_ERROR);
  }
}

export class InvalidJsonRpcException extends JsonRpcHttpException {
  constructor(message: string = McpMessages.INVALID_REQUEST, requestId: string | number | null = null) {
    super(HttpStatus.BAD_REQUEST, JSONRPC_ERROR.INVALID_REQUEST, message, {}, requestId);
  }
}

export class PayloadTooLargeException extends JsonRpcHttpException {
  constructor(limit: number) {
    super(HttpStatus.PAYLOAD_TOO_LARGE, JSONRPC_ERROR.SERVER_ERROR, McpMessages.PAYLOAD_TOO_LARGE(limit));
  }
}

export class SessionIdRequiredException extends JsonRpcHttpException {
  constructor() {
    super(HttpStatus.BAD_REQUEST, JSONRPC_ERROR.SERVER_ERROR, McpMessages.SESSION_ID_REQUIRED);
  }
}

/** Unknown, expired or another tenant's session: the client re-initializes. */
export class SessionNotFoundException extends JsonRpcHttpException {
  constructor() {
    super(HttpStatus.NOT_FOUND, JSONRPC_ERROR.SESSION_NOT_FOUND, McpMessages.SESSION_NOT_FOUND);
  }
}

export class StatelessMethodNotAllowedException extends JsonRpcHttpException {
  constructor(allow: string) {
    super(HttpStatus.METHOD_NOT_ALLOWED, JSONRPC_ERROR.SERVER_ERROR, McpMessages.STATELESS_METHOD, { Allow: allow });
  }
}

export class ForbiddenHostException extends JsonRpcHttpException {
  constructor(message: string) {
    super(HttpStatus.FORBIDDEN, JSONRPC_ERROR.SERVER_ERROR, message);
  }
}

/** A JSON-RPC error answered inside a 200 response (unknown tool, bad params …). */
export class McpProtocolError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'McpProtocolError';
  }
}

/**
 * Throw from a tool to answer with `isError: true` and this message, which the model sees.
 * Other errors are answered the same way with their message; stacks never leave the server.
 */
export class McpToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'McpToolError';
  }
}
