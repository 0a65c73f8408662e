/** Error answers several suites expect word for word. */

/** A body that is not JSON, or JSON that is not an object or a list. */
export const MALFORMED_JSON = {
  status: 'ERROR',
  responseObject: {
    code: 'ERROR_REQUEST',
    message: 'Malformed JSON in request body',
    violations: [{ fieldName: 'body', hint: 'must be a valid JSON object' }],
  },
};

/** An enveloped route called without `requestObject` (or without a JSON body). */
export const MISSING_REQUEST_OBJECT = {
  status: 'ERROR',
  responseObject: {
    code: 'ERROR_REQUEST',
    message: 'Invalid method parameter value',
    violations: [{ fieldName: 'requestObject', hint: 'must not be null' }],
  },
};
