import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import {
  createSecureServer,
  Http2SecureServer,
  IncomingHttpHeaders as Http2Headers,
  ServerHttp2Session,
  ServerHttp2Stream,
} from 'node:http2';
import { AddressInfo, isIP, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { handleApnsSend } from './apns-handler';
import { BehaviourRegistry } from './behaviour-registry';
import { handleControl } from './control-routes';
import { CredentialStore } from './credential-store';
import { createDemoCredentials } from './demo-credentials';
import {
  ApnsKeyRegistration,
  DemoCredentials,
  EmulatorEndpoints,
  EmulatorStartOptions,
  FcmServiceAccountRegistration,
  HmsClientRegistration,
  ProviderBehaviour,
  PushProvider,
  RecordedProvider,
  RecordedRequest,
} from './emulator.types';
import { handleFcmSend, handleFcmToken } from './fcm-handler';
import { handleHmsSend, handleHmsToken } from './hms-handler';
import { HandlerContext, ProviderRequest, Reply } from './provider-exchange';
import { parseForm, parseJson, RequestRecorder, StoredRequest } from './request-recorder';

export * from './emulator.types';

const DEFAULT_MAX_RECORDS = 200_000;
const DEFAULT_MAX_CONCURRENT_STREAMS = 1000;
/** Far above any provider's limit; only guards the emulator's memory. */
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_TYPE = 'application/json; charset=UTF-8';

interface Route {
  pattern: RegExp;
  provider: RecordedProvider;
  /** OAuth token endpoints take form fields. */
  form?: boolean;
  handle(request: ProviderRequest, context: HandlerContext): Reply;
}

const ROUTES: readonly Route[] = [
  // Group 1 is undefined for a /3/ path that is not /3/device/…, which APNs answers 404 BadPath.
  { pattern: /^\/3\/(?:device\/([^/]*)$|)/, provider: 'apns', handle: handleApnsSend },
  { pattern: /^\/v1\/projects\/([^/]+)\/messages:send$/, provider: 'fcm', handle: handleFcmSend },
  { pattern: /^\/fcm\/token$/, provider: 'fcm-token', form: true, handle: handleFcmToken },
  { pattern: /^\/oauth2\/v3\/token$/, provider: 'hms-token', form: true, handle: handleHmsToken },
  // v2 by project ID; v1 (by app ID) is the older form of the same API.
  { pattern: /^\/v[12]\/([^/]+)\/messages:send$/, provider: 'hms', handle: handleHmsSend },
];

/** What the transport layer hands to `dispatch`, the same for HTTP/2 streams and HTTP/1.1 requests. */
interface Incoming {
  method: string;
  target: string;
  headers: IncomingHttpHeaders;
  httpVersion: '1.1' | '2.0';
  rawBody: Buffer;
  /** Answers; false when the client has gone. */
  send(status: number, headers: Record<string, string>, body: string | undefined): boolean;
}

/**
 * Local stand-ins for APNs, FCM HTTP v1 and HMS Push Kit on one HTTPS server (HTTP/2, and HTTP/1.1 where the real
 * provider allows it), with a self-signed certificate made on start. Tests and benchmarks use it in-process; the
 * CLI (`npm run emulator`) serves the same thing, and `/emulator/*` control routes drive it out of process.
 */
export class ProviderEmulator {
  private server?: Http2SecureServer;
  private endpointValues?: EmulatorEndpoints;
  private tempDir?: string;
  private recorder = new RequestRecorder(DEFAULT_MAX_RECORDS);
  private readonly behaviours = new BehaviourRegistry();
  private readonly credentials = new CredentialStore();
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private context?: HandlerContext;

  /** Starts the server; resolves once it listens. */
  async start(options: EmulatorStartOptions = {}): Promise<EmulatorEndpoints> {
    if (this.server) throw new Error('The provider emulator is already started');
    const host = options.host ?? '127.0.0.1';
    this.recorder = new RequestRecorder(options.maxRecords ?? DEFAULT_MAX_RECORDS);
    // A subject of its own: OpenSSL finds trusted certificates by subject, so two emulators' certificates with the
    // same one, trusted together, make it check one against the other's key. Clients match the alt names.
    const commonName = `push-emulator-${randomBytes(6).toString('hex')}`;
    const pems = await generate([{ name: 'commonName', value: commonName }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      // A minute back, so a client clock slightly behind still accepts it.
      notBeforeDate: new Date(Date.now() - 60_000),
      extensions: [
        { name: 'basicConstraints', cA: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: subjectAltNames(host) },
      ],
    });
    const server = createSecureServer({
      key: pems.private,
      cert: pems.cert,
      allowHTTP1: true,
      settings: { maxConcurrentStreams: options.maxConcurrentStreams ?? DEFAULT_MAX_CONCURRENT_STREAMS },
      // Benchmarks keep thousands of streams in flight on few sessions.
      maxSessionMemory: 64,
    });
    this.attachTransports(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;

    const port = (server.address() as AddressInfo).port;
    const baseUrl = `https://${urlHost(host)}:${port}`;
    let caFile = options.caFile;
    if (!caFile) {
      this.tempDir = await mkdtemp(join(tmpdir(), 'provider-emulator-'));
      caFile = join(this.tempDir, 'ca.pem');
    }
    await writeFile(caFile, pems.cert);
    const fcmTokenUrl = `${baseUrl}/fcm/token`;
    this.endpointValues = {
      port,
      baseUrl,
      caPem: pems.cert,
      caFile,
      apnsUrl: baseUrl,
      fcmUrl: baseUrl,
      fcmTokenUrl,
      hmsTokenUrl: `${baseUrl}/oauth2/v3/token`,
      hmsPushUrl: baseUrl,
    };
    this.context = {
      credentials: this.credentials,
      behaviours: this.behaviours,
      fcmAudiences: new Set([
        fcmTokenUrl,
        `https://localhost:${port}/fcm/token`,
        `https://127.0.0.1:${port}/fcm/token`,
      ]),
    };
    return this.endpoints;
  }

  /** Closes the server, its HTTP/2 sessions and keep-alive connections, and pending `slow` answers. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const session of this.sessions) session.destroy();
    for (const socket of this.sockets) socket.destroy();
    await closed;
    if (this.tempDir) await rm(this.tempDir, { recursive: true, force: true });
    this.tempDir = undefined;
    this.endpointValues = undefined;
    this.context = undefined;
  }

  get endpoints(): EmulatorEndpoints {
    if (!this.endpointValues) throw new Error('The provider emulator is not started');
    return { ...this.endpointValues };
  }

  get port(): number {
    return this.endpoints.port;
  }
  get baseUrl(): string {
    return this.endpoints.baseUrl;
  }
  get caPem(): string {
    return this.endpoints.caPem;
  }
  get caFile(): string {
    return this.endpoints.caFile;
  }
  get apnsUrl(): string {
    return this.endpoints.apnsUrl;
  }
  get fcmUrl(): string {
    return this.endpoints.fcmUrl;
  }
  get fcmTokenUrl(): string {
    return this.endpoints.fcmTokenUrl;
  }
  get hmsTokenUrl(): string {
    return this.endpoints.hmsTokenUrl;
  }
  get hmsPushUrl(): string {
    return this.endpoints.hmsPushUrl;
  }

  /** Recorded requests, oldest first; `limit` keeps the newest. */
  requests(provider?: RecordedProvider, limit?: number): RecordedRequest[] {
    return this.recorder.list(provider, limit);
  }

  /** Requests received per endpoint since the last reset, including records the ring has dropped. */
  counts(): Record<RecordedProvider, number> {
    return this.recorder.counts();
  }

  clearRequests(): void {
    this.recorder.clear();
  }

  clearBehaviours(): void {
    this.behaviours.clear();
  }

  /** Clears records and behaviours; registered credentials and issued access tokens stay. */
  reset(): void {
    this.clearRequests();
    this.clearBehaviours();
  }

  /**
   * Makes device tokens starting with `tokenPrefix` answer `behaviour` (the longest matching prefix wins; '' matches
   * every token). Setting a prefix again replaces its behaviour and restarts its counting.
   */
  setBehaviour(provider: PushProvider, tokenPrefix: string, behaviour: ProviderBehaviour): void {
    this.behaviours.set(provider, tokenPrefix, behaviour);
  }

  registerApnsKey(registration: ApnsKeyRegistration): void {
    this.credentials.registerApnsKey(registration);
  }

  registerFcmServiceAccount(registration: FcmServiceAccountRegistration): void {
    this.credentials.registerFcmServiceAccount(registration);
  }

  registerHmsClient(registration: HmsClientRegistration): void {
    this.credentials.registerHmsClient(registration);
  }

  /** Fresh APNs, FCM and HMS credentials, already registered; the service account's token_uri is this emulator. */
  async generateDemoCredentials(): Promise<DemoCredentials> {
    const demo = await createDemoCredentials(this.fcmTokenUrl);
    this.registerApnsKey({
      keyId: demo.apns.keyId,
      teamId: demo.apns.teamId,
      privateKeyPem: demo.apns.privateKeyPem,
    });
    this.registerFcmServiceAccount({
      clientEmail: demo.fcm.clientEmail,
      projectId: demo.fcm.projectId,
      privateKeyPem: demo.fcm.privateKeyPem,
    });
    this.registerHmsClient({ clientId: demo.hms.clientId, clientSecret: demo.hms.clientSecret });
    return demo;
  }

  private attachTransports(server: Http2SecureServer): void {
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.on('error', ignore);
      session.once('close', () => this.sessions.delete(session));
    });
    server.on('sessionError', ignore);
    server.on('tlsClientError', ignore);

    // HTTP/2 on the stream API: no compatibility request/response objects per stream.
    server.on('stream', (stream: ServerHttp2Stream, headers: Http2Headers) => {
      stream.on('error', ignore);
      const send: Incoming['send'] = (status, responseHeaders, body) =>
        sendStream(stream, status, responseHeaders, body);
      readBody(stream, (rawBody) => {
        if (!rawBody) {
          answerTooLarge(send);
          return;
        }
        this.dispatch({
          method: String(headers[':method']),
          target: String(headers[':path'] ?? '/'),
          headers,
          httpVersion: '2.0',
          rawBody,
          send,
        });
      });
    });
    // HTTP/1.1 (allowHTTP1) comes as 'request'. Adding a 'request' listener would normally route HTTP/2 through the
    // compatibility layer as well; dropping that hook keeps HTTP/2 on the stream handler above.
    for (const listener of server.listeners('newListener')) {
      if ((listener as { name?: string }).name === 'setupCompat') {
        server.removeListener('newListener', listener as (...args: unknown[]) => void);
      }
    }
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      // Should a Node version still hand HTTP/2 here too, the stream handler has answered it already.
      if (request.httpVersionMajor >= 2) return;
      request.on('error', ignore);
      response.on('error', ignore);
      readBody(request, (rawBody) => {
        const send = (status: number, responseHeaders: Record<string, string>, body: string | undefined) => {
          if (response.destroyed || response.writableEnded) return false;
          if (body !== undefined) responseHeaders['content-length'] = String(Buffer.byteLength(body));
          response.writeHead(status, responseHeaders);
          response.end(body);
          return true;
        };
        if (!rawBody) {
          answerTooLarge(send);
          return;
        }
        this.dispatch({
          method: request.method ?? 'GET',
          target: request.url ?? '/',
          headers: request.headers,
          httpVersion: '1.1',
          rawBody,
          send,
        });
      });
    });
  }

  private dispatch(incoming: Incoming): void {
    const now = Date.now();
    const queryAt = incoming.target.indexOf('?');
    const path = queryAt < 0 ? incoming.target : incoming.target.slice(0, queryAt);
    const query = new URLSearchParams(queryAt < 0 ? '' : incoming.target.slice(queryAt + 1));

    const bodyText = incoming.rawBody.toString('utf8');
    if (path.startsWith('/emulator/')) {
      void handleControl(this, incoming.method, path, query, parseJson(bodyText)).then((reply) =>
        this.answer(incoming, reply),
      );
      return;
    }
    let match: RegExpExecArray | null = null;
    const route = ROUTES.find((candidate) => (match = candidate.pattern.exec(path)) !== null);
    if (!route || !match || !this.context) {
      this.answer(incoming, { status: 404, body: { error: `No emulated endpoint at ${path}` } });
      return;
    }
    const contentType = incoming.headers['content-type'];
    const body = route.form ? parseForm(bodyText, contentType) : parseJson(bodyText);
    const record: StoredRequest = {
      provider: route.provider,
      method: incoming.method,
      path: incoming.target,
      headers: incoming.headers,
      bodyText,
      form: route.form === true,
      receivedAt: now,
      httpVersion: incoming.httpVersion,
      outcome: 0,
    };
    this.recorder.add(record);
    let reply: Reply;
    try {
      const params = (match as RegExpExecArray).slice(1);
      reply = route.handle(
        {
          method: incoming.method,
          path,
          query,
          headers: incoming.headers,
          httpVersion: incoming.httpVersion,
          rawBody: incoming.rawBody,
          body,
          params,
          now,
        },
        this.context,
      );
    } catch (error) {
      reply = { status: 500, body: { error: `Emulator failure: ${(error as Error).message}` } };
    }
    this.answer(incoming, reply, record);
  }

  private answer(incoming: Incoming, reply: Reply, record?: StoredRequest): void {
    const finish = () => {
      const headers: Record<string, string> = { ...reply.headers };
      let body: string | undefined;
      if (typeof reply.body === 'string') {
        body = reply.body;
      } else if (reply.body !== undefined) {
        body = JSON.stringify(reply.body);
        headers['content-type'] = JSON_TYPE;
      }
      const sent = incoming.send(reply.status, headers, body);
      if (record && sent) record.outcome = reply.status;
    };
    if (!reply.delayMs) return finish();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      finish();
    }, reply.delayMs);
    this.timers.add(timer);
  }
}

function sendStream(
  stream: ServerHttp2Stream,
  status: number,
  headers: Record<string, string>,
  body: string | undefined,
): boolean {
  if (stream.destroyed || stream.closed || stream.headersSent) return false;
  stream.respond({ ':status': status, ...headers }, { endStream: body === undefined });
  if (body !== undefined) stream.end(body);
  return true;
}

function answerTooLarge(send: Incoming['send']): void {
  send(
    413,
    { 'content-type': JSON_TYPE },
    JSON.stringify({ error: 'Request body too large for the emulator' }),
  );
}

/** Collects a request body; undefined when it exceeds MAX_BODY_BYTES. */
function readBody(source: NodeJS.ReadableStream, done: (body: Buffer | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  source.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
  });
  source.on('end', () => {
    if (size > MAX_BODY_BYTES) return done(undefined);
    done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
  });
}

function subjectAltNames(host: string): { type: 2 | 7; value?: string; ip?: string }[] {
  const names: { type: 2 | 7; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  const wildcard = host === '0.0.0.0' || host === '::';
  if (!wildcard && !['localhost', '127.0.0.1', '::1'].includes(host)) {
    names.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  }
  return names;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return isIP(host) === 6 ? `[${host}]` : host;
}

function ignore(): void {}
