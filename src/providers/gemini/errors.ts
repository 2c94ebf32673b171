/** An error body in Gemini's shape (google.rpc status), for failures of the proxy itself. */
export function errorBody(status: number, message: string): unknown {
  return { error: { code: status, message, status: rpcStatus(status) } };
}

/** The google.rpc status name Gemini pairs with an HTTP status in its error bodies. */
function rpcStatus(status: number): string {
  const names: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'ABORTED',
    413: 'INVALID_ARGUMENT',
    429: 'RESOURCE_EXHAUSTED',
    499: 'CANCELLED',
    501: 'UNIMPLEMENTED',
    502: 'UNAVAILABLE',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  };
  return names[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}
