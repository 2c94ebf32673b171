/** Anthropic's error `type` for the statuses the proxy answers with itself. */
const ANTHROPIC_ERROR_TYPES: Record<number, string> = { 401: 'authentication_error', 403: 'permission_error', 413: 'request_too_large', 504: 'timeout_error' };

/** An error body in Anthropic's shape, for failures of the proxy itself. */
export function errorBody(status: number, message: string): unknown {
  return {
    type: 'error',
    error: { type: ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message },
  };
}
