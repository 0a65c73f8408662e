import { createSecureContext, rootCertificates, SecureContext } from 'node:tls';

const contexts = new Map<string, SecureContext>();

/**
 * The TLS context a provider connection trusts: Node's bundled roots plus PROVIDER_CA_FILE (setting `ca` alone would
 * replace the roots). Built once and shared: passing the ~140 roots as `ca` would parse them again for every
 * connection and make https.Agent hash them into its key on every request. Undefined keeps Node's defaults.
 */
export function trustedContext(extraCaPem: string | undefined): SecureContext | undefined {
  if (!extraCaPem) return undefined;
  let context = contexts.get(extraCaPem);
  if (!context) {
    context = createSecureContext({ ca: [...rootCertificates, extraCaPem] });
    contexts.set(extraCaPem, context);
  }
  return context;
}
