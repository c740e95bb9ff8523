/**
 * Keeps the first and the last bytes of a stream and counts what falls in between, so a
 * command that prints 10 MB costs a few kilobytes of memory and of the model's context.
 */
export class HeadTailBuffer {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private head: Buffer = Buffer.alloc(0);
  private tail: Buffer = Buffer.alloc(0);
  private total = 0;

  constructor(limitBytes: number) {
    this.headLimit = Math.ceil(limitBytes / 2);
    this.tailLimit = Math.floor(limitBytes / 2);
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.head.length < this.headLimit) {
      const take = Math.min(this.headLimit - this.head.length, rest.length);
      this.head = Buffer.concat([this.head, rest.subarray(0, take)]);
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailLimit === 0) return;
    const combined = this.tail.length + rest.length;
    this.tail = combined <= this.tailLimit ? Buffer.concat([this.tail, rest]) : Buffer.concat([this.tail, rest]).subarray(combined - this.tailLimit);
  }

  /** Bytes seen but not kept. */
  get omittedBytes(): number {
    return this.total - this.head.length - this.tail.length;
  }

  /** The kept text: head, a line saying how much was elided, tail; cut points moved to character boundaries. */
  toText(): string {
    if (this.omittedBytes === 0) return Buffer.concat([this.head, this.tail]).toString("utf8");
    const head = this.head.subarray(0, utf8BoundaryBefore(this.head, this.head.length));
    const tail = this.tail.subarray(utf8BoundaryAfter(this.tail));
    const omitted = this.total - head.length - tail.length;
    return `${head.toString("utf8")}\n[... ${omitted} bytes of output omitted ...]\n${tail.toString("utf8")}`;
  }
}

/** The largest index <= end that does not split a UTF-8 character. */
function utf8BoundaryBefore(buffer: Buffer, end: number): number {
  for (let index = end, back = 0; index > 0 && back < 4; index -= 1, back += 1) {
    const byte = buffer[index - 1]!;
    if ((byte & 0xc0) !== 0x80) {
      const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
      return index - 1 + length <= end ? end : index - 1;
    }
  }
  return end;
}

/** The first index that starts a UTF-8 character (skips continuation bytes at the front). */
function utf8BoundaryAfter(buffer: Buffer): number {
  let index = 0;
  while (index < Math.min(3, buffer.length) && (buffer[index]! & 0xc0) === 0x80) index += 1;
  return index;
}

/**
 * Watches a stream for an end-of-command marker (`<nonce> <status> [<count>]\n`) and passes
 * everything before it to a sink. Output is bytes; the marker may arrive split across chunks.
 */
export class MarkerScanner {
  private readonly marker: Buffer;
  private pending: Buffer = Buffer.alloc(0);
  private afterMarker: Buffer | undefined;
  private status: number | undefined;
  private count: number | undefined;

  constructor(
    nonce: string,
    private readonly sink: (chunk: Buffer) => void,
  ) {
    this.marker = Buffer.from(nonce);
  }

  /** The status the marker carried, once the whole marker line has arrived. */
  get exitStatus(): number | undefined {
    return this.status;
  }

  /** The second number of the marker line, when it has one (processes the session stopped after the command). */
  get markerCount(): number | undefined {
    return this.count;
  }

  get done(): boolean {
    return this.status !== undefined;
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    if (this.afterMarker) {
      this.readStatus(Buffer.concat([this.afterMarker, chunk]));
      return;
    }
    const data = Buffer.concat([this.pending, chunk]);
    const found = data.indexOf(this.marker);
    if (found >= 0) {
      if (found > 0) this.sink(data.subarray(0, found));
      this.pending = Buffer.alloc(0);
      this.readStatus(data.subarray(found + this.marker.length));
      return;
    }
    const keep = Math.min(data.length, this.marker.length - 1);
    if (data.length > keep) this.sink(data.subarray(0, data.length - keep));
    this.pending = Buffer.from(data.subarray(data.length - keep));
  }

  /** Hands any held-back bytes to the sink (the stream ended without a marker). */
  flush(): void {
    if (this.pending.length > 0) this.sink(this.pending);
    this.pending = Buffer.alloc(0);
  }

  private readStatus(rest: Buffer): void {
    const newline = rest.indexOf(10);
    if (newline < 0) {
      this.afterMarker = Buffer.from(rest);
      return;
    }
    const [status = "", count] = rest.subarray(0, newline).toString("ascii").trim().split(/\s+/);
    this.status = Number.parseInt(status, 10);
    if (count !== undefined && /^\d+$/.test(count)) this.count = Number(count);
    this.afterMarker = undefined;
  }
}
