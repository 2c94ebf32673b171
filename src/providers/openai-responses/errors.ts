/** An error body in the Responses API's shape, for failures of the proxy itself. */
export function errorBody(status: number, message: string): unknown {
  return {
    error: {
      message,
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: status === 413 ? 'request_too_large' : status >= 500 ? 'server_error' : 'invalid_request',
      param: null,
    },
  };
}
