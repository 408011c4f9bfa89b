/**
 * A Server-Sent Events stream kept open for as long as it is wanted (EventSource, same origin:
 * the session cookie goes with it).
 *
 * The browser reconnects by itself when a connection drops (after the server's `retry`), and
 * sends Last-Event-ID: the server then replays what was missed, or says `reset`. When the
 * server refuses the stream (an HTTP error: a session that ended, too many streams, a server
 * going down) the browser gives up; then `onFailure` is asked first (the app checks the
 * session), and the stream is opened again with a growing delay, or at once when the network
 * comes back. A new stream starts with `ready` and the server's last event id: if that is not
 * the last one received here, events were missed and `onGap` says so.
 */
export interface EventStreamOptions {
  url: string;
  /** The named events to listen for; each carries JSON. */
  events: readonly string[];
  onEvent: (type: string, data: unknown) => void;
  /** Events may have been missed: refetch what is shown. */
  onGap: () => void;
  /** The server refused the stream; awaited before opening it again. */
  onFailure?: () => Promise<void> | void;
  /** For tests: how a stream is opened. */
  open?: (url: string) => EventSource;
}

const MAX_DELAY_MS = 30_000;
/** EventSource.CLOSED: the browser gave up on the stream. */
const CLOSED = 2;

/** 1 s, 2 s, 4 s… up to 30 s, each between half and all of that (so tabs do not come back in step). */
export function reconnectDelay(attempt: number, random: number = Math.random()): number {
  const ceiling = Math.min(MAX_DELAY_MS, 1000 * 2 ** attempt);
  return Math.round(ceiling * (0.5 + random / 2));
}

/** Open the stream; the function returned closes it for good. */
export function openEventStream(options: EventStreamOptions): () => void {
  const open = options.open ?? ((url: string) => new EventSource(url));
  let source: EventSource | null = null;
  let lastId: string | null = null;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const received = (event: Event): MessageEvent => {
    const message = event as MessageEvent<string>;
    if (message.lastEventId) lastId = message.lastEventId;
    return message;
  };

  const connect = () => {
    timer = undefined;
    source?.close();
    const current = open(options.url);
    source = current;
    current.addEventListener('open', () => {
      attempt = 0;
    });
    current.addEventListener('reset', (event) => {
      received(event);
      options.onGap();
    });
    current.addEventListener('ready', (event) => {
      const before = lastId;
      const { lastEventId } = received(event);
      if (before !== null && lastEventId !== before) options.onGap();
    });
    for (const type of options.events) {
      current.addEventListener(type, (event) => {
        const { data } = received(event);
        let parsed: unknown;
        try {
          parsed = JSON.parse(data) as unknown;
        } catch {
          return;
        }
        options.onEvent(type, parsed);
      });
    }
    current.addEventListener('error', () => {
      if (current !== source || current.readyState !== CLOSED || closed) return;
      // Refused (not merely dropped): find out why, then try again later.
      void Promise.resolve(options.onFailure?.())
        .catch(() => undefined)
        .then(() => {
          if (closed || timer !== undefined || current !== source) return;
          timer = setTimeout(connect, reconnectDelay(attempt));
          attempt += 1;
        });
    });
  };

  // Back online: a stream the browser gave up on is opened again at once.
  const onOnline = () => {
    if (closed || !source || source.readyState !== CLOSED) return;
    clearTimeout(timer);
    attempt = 0;
    connect();
  };

  window.addEventListener('online', onOnline);
  connect();
  return () => {
    closed = true;
    clearTimeout(timer);
    window.removeEventListener('online', onOnline);
    source?.close();
    source = null;
  };
}
