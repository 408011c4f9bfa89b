import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openEventStream, reconnectDelay } from '@/lib/event-stream';

/** A stand-in EventSource the test drives: events in, errors, readyState. */
class FakeSource extends EventTarget {
  readyState = 0;
  closed = false;
  constructor(readonly url: string) {
    super();
  }
  close() {
    this.closed = true;
    this.readyState = 2;
  }
  emit(type: string, data: unknown, id = '') {
    this.dispatchEvent(new MessageEvent(type, { data: JSON.stringify(data), lastEventId: id }));
  }
  /** The server refused the stream: the browser gives up on it. */
  refuse() {
    this.readyState = 2;
    this.dispatchEvent(new Event('error'));
  }
}

describe('openEventStream', () => {
  let sources: FakeSource[];
  const open = (url: string) => {
    const source = new FakeSource(url);
    sources.push(source);
    return source as unknown as EventSource;
  };

  beforeEach(() => {
    sources = [];
    vi.useFakeTimers();
  });
  afterEach(() => vi.useRealTimers());

  it('hands each named event its JSON, and ignores what it cannot read', () => {
    const onEvent = vi.fn();
    const close = openEventStream({ url: '/e', events: ['note.updated'], onEvent, onGap: vi.fn(), open });
    sources[0]?.emit('note.updated', { note: { _id: 'a' } }, '7');
    sources[0]?.dispatchEvent(new MessageEvent('note.updated', { data: '{oops', lastEventId: '8' }));
    expect(onEvent).toHaveBeenCalledTimes(1);
    expect(onEvent).toHaveBeenCalledWith('note.updated', { note: { _id: 'a' } });
    close();
    expect(sources[0]?.closed).toBe(true);
  });

  it('says events were missed when a new stream starts past the last one received, or on reset', async () => {
    const onGap = vi.fn();
    const onFailure = vi.fn();
    openEventStream({ url: '/e', events: ['note.updated'], onEvent: vi.fn(), onGap, onFailure, open });
    sources[0]?.emit('ready', { lastEventId: 3 }, '3');
    sources[0]?.emit('note.updated', {}, '4');
    expect(onGap).not.toHaveBeenCalled();

    // Refused (a 503, say): asked why, then opened again after a delay; the server is at 6.
    sources[0]?.refuse();
    await vi.advanceTimersByTimeAsync(reconnectDelay(0, 1));
    expect(onFailure).toHaveBeenCalledTimes(1);
    expect(sources).toHaveLength(2);
    sources[1]?.emit('ready', { lastEventId: 6 }, '6');
    expect(onGap).toHaveBeenCalledTimes(1);

    // Nothing happened meanwhile: no refetch.
    sources[1]?.refuse();
    await vi.advanceTimersByTimeAsync(30_000);
    sources[2]?.emit('ready', { lastEventId: 6 }, '6');
    expect(onGap).toHaveBeenCalledTimes(1);

    sources[2]?.emit('reset', { reason: 'too old' }, '9');
    sources[2]?.emit('ready', { lastEventId: 9 }, '9');
    expect(onGap).toHaveBeenCalledTimes(2);
  });

  it('opens a refused stream again at once when the network comes back, and never after close', async () => {
    const close = openEventStream({ url: '/e', events: [], onEvent: vi.fn(), onGap: vi.fn(), open });
    sources[0]?.refuse();
    await vi.advanceTimersByTimeAsync(0);
    window.dispatchEvent(new Event('online'));
    expect(sources).toHaveLength(2);
    close();
    sources[1]?.refuse();
    await vi.advanceTimersByTimeAsync(60_000);
    window.dispatchEvent(new Event('online'));
    expect(sources).toHaveLength(2);
  });

  it('backs off from 1 s up to 30 s, spread out', () => {
    expect(reconnectDelay(0, 1)).toBe(1000);
    expect(reconnectDelay(0, 0)).toBe(500);
    expect(reconnectDelay(3, 1)).toBe(8000);
    expect(reconnectDelay(20, 1)).toBe(30_000);
  });
});
