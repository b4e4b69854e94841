import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from './sse-parser.js';

function parse(chunks: string[]): { events: SseEvent[]; parser: SseParser; retries: number[] } {
  const events: SseEvent[] = [];
  const retries: number[] = [];
  const parser = new SseParser(
    (e) => events.push(e),
    (ms) => retries.push(ms),
  );
  for (const c of chunks) parser.push(c);
  return { events, parser, retries };
}

describe('SseParser', () => {
  it('dispatches each event at its blank line, default type "message", one leading space stripped', () => {
    const { events } = parse(['data: {"a":1}\n\n', 'event: other\ndata:x\n\n']);
    expect(events).toEqual([
      { event: 'message', data: '{"a":1}', id: undefined },
      { event: 'other', data: 'x', id: undefined },
    ]);
  });

  it('reassembles lines and events split anywhere across chunks, with LF, CRLF or CR line ends', () => {
    const text = 'id: 7\r\ndata: one\r\ndata: two\r\n\r\n: keep-alive\rdata: three\r\rdata: four\n\n';
    const whole = parse([text]).events;
    for (let cut = 1; cut < text.length; cut++) expect(parse([text.slice(0, cut), text.slice(cut)]).events).toEqual(whole);
    expect(parse(text.split('')).events).toEqual(whole);
    expect(whole).toEqual([
      { event: 'message', data: 'one\ntwo', id: '7' },
      { event: 'message', data: 'three', id: undefined },
      { event: 'message', data: 'four', id: undefined },
    ]);
  });

  it('keeps the last event id (the resumption token), also from a priming event with no data', () => {
    const { events, parser } = parse(['id: prime-1\ndata:\n\n', 'id: 2\ndata: x\n\n', 'data: y\n\n']);
    expect(parser.lastEventId).toBe('2');
    expect(events.map((e) => e.id)).toEqual(['prime-1', '2', undefined]);
    expect(events[0]!.data).toBe('');
  });

  it('ignores comments, unknown fields and an unfinished event; reports retry', () => {
    const { events, retries } = parse([': hi\nfoo: bar\nretry: 1500\nretry: soon\n\ndata: never finished\n']);
    expect(events).toEqual([]);
    expect(retries).toEqual([1500]);
  });
});
