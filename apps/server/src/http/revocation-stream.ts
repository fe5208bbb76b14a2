import type { ServerResponse } from 'node:http';
import type { RevocationFeedPage, RevocationFeedReader } from '@tessera/core';

/** A slow reader holding more than this many unsent bytes is cut off; it reconnects and resumes from its cursor. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

export interface StreamLog {
  warn(details: object, message: string): void;
}

/** `id`, `event` and `data` lines of one Server-Sent Event carrying a signed feed page. */
export function sseEvent(page: RevocationFeedPage): string {
  return `id: ${page.payload.cursor}\nevent: revocations\ndata: ${page.jws}\n\n`;
}

/**
 * One open `GET /revocations/stream`: pushes a signed page whenever the feed moves past its cursor.
 * The first page is always sent (it proves the stream is live and gives the cursor); after that, only
 * pages with entries. Wake-ups while a push is under way are coalesced into one more round.
 */
export class FeedStream {
  #cursor: number;
  #pumping = false;
  #again = false;
  #first = true;
  #closed = false;
  readonly #heartbeat: NodeJS.Timeout;

  constructor(
    private readonly reader: RevocationFeedReader,
    private readonly response: ServerResponse,
    since: number,
    private readonly pageFor: (reader: RevocationFeedReader, since: number) => Promise<RevocationFeedPage>,
    heartbeatMs: number,
    private readonly log: StreamLog,
    private readonly onClose: (stream: FeedStream) => void,
  ) {
    this.#cursor = since;
    this.#heartbeat = setInterval(() => this.#write(': heartbeat\n\n'), heartbeatMs);
    this.#heartbeat.unref();
    response.on('close', () => this.close());
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Asks for a push of whatever lies beyond the cursor. */
  wake(): void {
    if (this.#closed) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    this.#pump()
      .catch((error: unknown) => {
        this.log.warn({ err: error, clientId: this.reader.clientId }, 'revocation stream failed; closing it');
        this.close();
      })
      .finally(() => {
        this.#pumping = false;
      });
  }

  async #pump(): Promise<void> {
    do {
      this.#again = false;
      if (!(await this.reader.stillAllowed())) {
        this.#write(': access withdrawn\n\n');
        this.close();
        return;
      }
      for (;;) {
        const page = await this.pageFor(this.reader, this.#cursor);
        if (this.#closed) return;
        if (this.#first || page.payload.entries.length > 0 || page.payload.snapshot) this.#write(sseEvent(page));
        this.#first = false;
        this.#cursor = page.payload.cursor;
        if (!page.payload.more) break;
      }
    } while (this.#again && !this.#closed);
  }

  #write(text: string): void {
    if (this.#closed) return;
    this.response.write(text);
    if (this.response.writableLength > MAX_BUFFERED_BYTES) {
      this.log.warn({ clientId: this.reader.clientId }, 'revocation stream reader too slow; closing it');
      this.close();
    }
  }

  /** Ends the response (the reader reconnects with Last-Event-ID) and stops the heartbeat. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    if (!this.response.writableEnded) this.response.end();
    this.onClose(this);
  }
}
