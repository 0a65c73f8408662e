import { request, RequestOptions } from 'node:https';
import { trustedContext } from '../../src/providers/shared/trusted-cas';
import { ProviderEmulator } from '../../src/emulator/provider-emulator';

describe('trustedContext', () => {
  it('keeps Node defaults without an extra CA, and builds one shared context per CA', () => {
    expect(trustedContext(undefined)).toBeUndefined();
    expect(trustedContext('')).toBeUndefined();
  });

  it('trusts the extra CA (an emulator certificate) in addition to the system roots', async () => {
    const emulator = new ProviderEmulator();
    await emulator.start();
    try {
      const context = trustedContext(emulator.caPem)!;
      expect(trustedContext(emulator.caPem)).toBe(context);
      const status = await new Promise<number>((resolve, reject) =>
        request(
          `${emulator.baseUrl}/emulator/counts`,
          { secureContext: context } as RequestOptions,
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        )
          .on('error', reject)
          .end(),
      );
      expect(status).toBe(200);
      // Without it the self-signed emulator is refused.
      await expect(
        new Promise((resolve, reject) =>
          request(`${emulator.baseUrl}/emulator/counts`, { agent: false }, resolve).on('error', reject).end(),
        ),
      ).rejects.toThrow(/self-signed|self signed/);
    } finally {
      await emulator.stop();
    }
  });
});
