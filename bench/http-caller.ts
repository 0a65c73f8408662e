import { Socket, connect } from 'node:net';

/**
 * One benchmark caller: HTTP/1.1 POSTs over its own keep-alive connection, one request at a time. Written on a plain
 * socket because the callers share the server's two cores: node:http's client costs two to three times the CPU per
 * request (fetch twice that again), and what the callers spend is taken from the server being measured. It reads
 * what this server answers (Content-Length bodies, no chunked encoding) and fails loudly on anything else.
 */
export class HttpCaller {
  private socket?: Socket;
  private received: Buffer = Buffer.alloc(0);
  private waiting?: { resolve: (answer: CallerAnswer) => void; reject: (error: Error) => void };

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly basePath: string,
    private readonly headers: Record<string, string>,
  ) {}

  /** A caller of the server at `url` (its path, if any, prefixes every request's). */
  static forUrl(url: string, headers: Record<string, string>): HttpCaller {
    const { hostname, port, pathname } = new URL(url);
    return new HttpCaller(hostname, Number(port), pathname.replace(/\/$/, ''), headers);
  }

  post(path: string, body: unknown): Promise<CallerAnswer> {
    if (this.waiting) return Promise.reject(new Error('HttpCaller sends one request at a time'));
    const payload = Buffer.from(JSON.stringify(body));
    const head =
      `POST ${this.basePath}${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${payload.length}\r\n` +
      Object.entries(this.headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('') +
      '\r\n';
    return new Promise<CallerAnswer>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.connection().write(Buffer.concat([Buffer.from(head), payload]));
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connection(): Socket {
    if (this.socket) return this.socket;
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.fail(new Error('connection closed before the answer'));
    });
    this.received = Buffer.alloc(0);
    return (this.socket = socket);
  }

  private onData(chunk: Buffer): void {
    this.received = this.received.length === 0 ? chunk : Buffer.concat([this.received, chunk]);
    const headEnd = this.received.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.received.subarray(0, headEnd).toString('latin1');
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) return this.fail(new Error(`answer without Content-Length: ${head.split('\r\n')[0]}`));
    const bodyEnd = headEnd + 4 + Number(length[1]);
    if (this.received.length < bodyEnd) return;
    const status = Number(head.slice(9, 12));
    const body = this.received.subarray(headEnd + 4, bodyEnd).toString();
    this.received = this.received.subarray(bodyEnd);
    if (/\r\nconnection: *close/i.test(head)) this.close();
    const waiting = this.waiting;
    this.waiting = undefined;
    try {
      waiting?.resolve({ status, json: JSON.parse(body) });
    } catch (error) {
      waiting?.reject(error as Error);
    }
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }
}

export interface CallerAnswer {
  status: number;
  json: any;
}
