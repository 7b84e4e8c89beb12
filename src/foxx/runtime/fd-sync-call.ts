import fs from 'node:fs';
import v8 from 'node:v8';
import type { HostReply } from './protocol.ts';
import { fromWireError, type SyncCall } from './sync-call.ts';

/**
 * Service-process side of the synchronous host channel: one frame (uint32 LE length + v8
 * serialization of `{op, database, args}`) written to `fd` (a socket pair to the server), then a
 * blocking read of the reply frame. One call at a time, since the thread is blocked meanwhile.
 */
export function createFdSyncCall(fd: number): SyncCall {
  const header = Buffer.alloc(4);
  const readFully = (buf: Buffer): void => {
    let got = 0;
    while (got < buf.length) {
      const n = fs.readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) throw new Error('the server closed the host channel');
      got += n;
    }
  };
  return (op, database, args = {}) => {
    const body = v8.serialize({ op, database, args });
    const frame = Buffer.allocUnsafe(4 + body.length);
    frame.writeUInt32LE(body.length, 0);
    body.copy(frame, 4);
    let off = 0;
    while (off < frame.length) off += fs.writeSync(fd, frame, off, frame.length - off);
    readFully(header);
    const reply = Buffer.allocUnsafe(header.readUInt32LE(0));
    readFully(reply);
    const value = v8.deserialize(reply) as HostReply;
    if (!value.ok) throw fromWireError(value.error);
    return value.value;
  };
}

/** Server side: splits a byte stream into frames. */
export class FrameReader {
  #buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): unknown[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: unknown[] = [];
    while (this.#buf.length >= 4) {
      const n = this.#buf.readUInt32LE(0);
      if (this.#buf.length < 4 + n) break;
      out.push(v8.deserialize(this.#buf.subarray(4, 4 + n)));
      this.#buf = this.#buf.subarray(4 + n);
    }
    return out;
  }
}

/** Server side: one frame of `value`. */
export function frame(value: unknown): Buffer {
  const body = v8.serialize(value);
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32LE(body.length, 0);
  body.copy(out, 4);
  return out;
}
