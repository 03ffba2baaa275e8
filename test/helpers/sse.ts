/** One SSE frame: its `id:` and `data:` lines. */
export interface SseEvent {
  id?: string;
  data?: string;
}

/** Reads SSE frames from a fetch body until `stop` says so or the stream ends, then lets go of it. */
export async function readEvents(response: Response, stop: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  while (!stop(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event: SseEvent = {};
      for (const line of frame.split('\n')) {
        if (line.startsWith('id: ')) event.id = line.slice(4);
        if (line.startsWith('data: ')) event.data = line.slice(6);
      }
      if (event.id !== undefined || event.data !== undefined) events.push(event);
    }
  }
  await reader.cancel().catch(() => undefined);
  return events;
}

/** The JSON-RPC messages among SSE frames (priming frames have no data). */
export function messagesOf(events: SseEvent[]): Array<Record<string, unknown>> {
  return events.filter((event) => event.data).map((event) => JSON.parse(event.data!) as Record<string, unknown>);
}

/** The text of the first content item of a tool result. */
export function textOf(result: unknown): string {
  return (result as { content: Array<{ text?: string }> }).content[0]?.text ?? '';
}
