/** A push token or other identifier shortened for logs: only its last characters, enough to correlate. */
export function maskToken(token: string | null | undefined): string {
  if (!token) return '<none>';
  return token.length <= 6 ? '…' : `…${token.slice(-6)}`;
}
