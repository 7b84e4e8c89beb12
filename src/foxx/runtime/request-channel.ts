import type { Socket } from 'node:net';
import { frame, FrameReader } from './fd-sync-call.ts';

/**
 * The request channel between the server and a service process (fd 4, a socket pair): frames
 * of uint32 LE length + one v8 serialization of an *array* of messages. Messages queued during
 * one event-loop turn (every request the HTTP parser produced in one poll phase, every reply a
 * service finished) leave as one frame and one `write` at the next check phase, instead of one
 * IPC message, serialization and syscall each.
 */
export class BatchChannel<Out, In> {
  readonly #socket: Socket;
  readonly #reader = new FrameReader();
  #queue: Out[] = [];
  #scheduled = false;

  /**
   * `unserializable` replaces a message v8 cannot serialize (a reply holding a function …), so
   * one bad message fails alone, never the batch it travels in.
   */
  constructor(socket: Socket, onMessage: (msg: In) => void, readonly unserializable: (msg: Out, err: unknown) => Out) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      for (const batch of this.#reader.push(chunk)) {
        if (!Array.isArray(batch)) continue;
        for (const msg of batch) onMessage(msg as In);
      }
    });
    socket.on('error', () => undefined);
  }

  /** Queues `msg`; the queue is written as one frame once this event-loop turn's I/O is done. */
  send(msg: Out): void {
    this.#queue.push(msg);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    if (batch.length === 0 || this.#socket.destroyed) return;
    let out: Buffer;
    try {
      out = frame(batch);
    } catch {
      out = frame(batch.map((msg) => {
        try {
          frame(msg);
          return msg;
        } catch (err) {
          return this.unserializable(msg, err);
        }
      }));
    }
    this.#socket.write(out);
  };

  destroy(): void {
    this.#queue = [];
    this.#socket.destroy();
  }
}
