/** One dispatched Server-Sent Event (WHATWG HTML §9.2.6). */
export interface SseEvent {
  /** The last event id seen on this stream so far (ids persist across events, as the spec says). */
  id: string;
  /** The event type; "message" when the event named none. */
  event: string;
  data: string;
}

/** An event (data and all) larger than this ends the stream: the feed never sends one. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * Incremental SSE parser: feed it decoded text as it arrives; it calls `onEvent` for each complete
 * event and `onComment` for comment lines (heartbeats). Lines may end in CRLF, LF or CR, even split
 * across chunks.
 */
export class SseParser {
  #buffer = '';
  #pendingCr = false;
  #data: string[] = [];
  #dataChars = 0;
  #event = '';
  #lastId = '';

  constructor(
    private readonly onEvent: (event: SseEvent) => void,
    private readonly onComment: (text: string) => void = () => {},
  ) {}

  get lastEventId(): string {
    return this.#lastId;
  }

  push(text: string): void {
    let input = text;
    if (this.#pendingCr) {
      // A CR ended the previous chunk: an LF opening this one belongs to it.
      if (input.startsWith('\n')) input = input.slice(1);
      this.#pendingCr = false;
    }
    let start = 0;
    for (let i = 0; i < input.length; i++) {
      const char = input.charCodeAt(i);
      if (char !== 10 && char !== 13) continue;
      this.#line(this.#buffer + input.slice(start, i));
      this.#buffer = '';
      if (char === 13) {
        if (i + 1 === input.length) this.#pendingCr = true;
        else if (input.charCodeAt(i + 1) === 10) i++;
      }
      start = i + 1;
    }
    this.#buffer += input.slice(start);
    if (this.#buffer.length + this.#dataChars > MAX_EVENT_CHARS) throw new Error('server-sent event too large');
  }

  #line(line: string): void {
    if (line === '') return this.#dispatch();
    if (line.charCodeAt(0) === 58) return this.onComment(line.slice(1).trimStart());
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#dataChars += value.length + 1;
        if (this.#dataChars > MAX_EVENT_CHARS) throw new Error('server-sent event too large');
        return;
      case 'event':
        this.#event = value;
        return;
      case 'id':
        if (!value.includes('\u0000')) this.#lastId = value;
        return;
      default:
        return; // "retry" and unknown fields are ignored: reconnect timing is the subscriber's own
    }
  }

  #dispatch(): void {
    const data = this.#data;
    const event = this.#event;
    this.#data = [];
    this.#dataChars = 0;
    this.#event = '';
    if (data.length === 0) return;
    this.onEvent({ id: this.#lastId, event: event === '' ? 'message' : event, data: data.join('\n') });
  }
}

/**
 * Reads a fetch body to its end, passing the text to the parser; `onChunk` is called for every chunk
 * (any bytes prove the connection is alive). Resolves when the server ends the stream.
 */
export async function pumpSse(body: ReadableStream<Uint8Array>, parser: SseParser, onChunk: () => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      onChunk();
      parser.push(decoder.decode(value, { stream: true }));
    }
    parser.push(decoder.decode());
  } finally {
    reader.releaseLock();
  }
}
