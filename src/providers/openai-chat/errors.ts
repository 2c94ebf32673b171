/** An error body in OpenAI's shape, for failures of the proxy itself. */
export function errorBody(status: number, message: string): unknown {
  return { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', param: null, code: null } };
}
