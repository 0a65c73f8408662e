/** Thrown by handlers that must answer an error status with their own body, outside the envelope. */
export class RawHttpResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}
