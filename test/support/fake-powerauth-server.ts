import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

export interface RecordedCall {
  path: string;
  authorization?: string;
  body: unknown;
}

/**
 * A small PowerAuth Server REST fake: `/v3/activation/status` from a table of activations, `/v3/application/list`
 * from a list of application IDs. Records every call.
 */
export class FakePowerAuthServer {
  readonly calls: RecordedCall[] = [];
  readonly activations = new Map<string, { activationStatus: string; userId: string }>();
  applications: string[] = [];
  /** When set, every call answers this HTTP status with an error envelope. */
  failWith?: number;
  private server?: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readJson(req).then((body) => {
        const path = req.url ?? '';
        this.calls.push({ path, authorization: req.headers.authorization, body });
        const reply = (status: number, payload: unknown) => {
          res.writeHead(status, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(payload));
        };
        if (this.failWith) {
          return reply(this.failWith, {
            status: 'ERROR',
            responseObject: { code: 'ERROR_GENERIC', message: 'fail' },
          });
        }
        if (path.endsWith('/v3/activation/status')) {
          const activationId =
            (body as { requestObject?: { activationId?: string } })?.requestObject?.activationId ?? '';
          const activation = this.activations.get(activationId);
          // PowerAuth answers an unknown activation as REMOVED.
          return reply(200, {
            status: 'OK',
            responseObject: activation
              ? { activationId, ...activation }
              : { activationId, activationStatus: 'REMOVED' },
          });
        }
        if (path.endsWith('/v3/application/list')) {
          return reply(200, {
            status: 'OK',
            responseObject: {
              applications: this.applications.map((applicationId) => ({
                applicationId,
                applicationRoles: [],
              })),
            },
          });
        }
        reply(404, { status: 'ERROR' });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/powerauth-java-server/rest`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
