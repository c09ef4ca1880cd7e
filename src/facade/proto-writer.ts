/**
 * The few protobuf wire primitives the facade's hand-written encoders need. Sizes are
 * computed first and each message is written once into an exactly sized buffer: no
 * intermediate objects, no growing buffers.
 */

/** Bytes of a varint holding a non-negative integer (<= 2^53), or 10 for a negative one (int64 two's complement). */
export function varintSize(n: number): number {
  if (n < 0) return 10;
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Writes protobuf fields into a preallocated buffer, front to back. */
export class ProtoWriter {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  varint(n: number): void {
    if (n < 0) {
      // int64/int32 negatives are sign-extended to 64 bits: always 10 bytes.
      let v = BigInt.asUintN(64, BigInt(n));
      for (let i = 0; i < 9; i++) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
      return;
    }
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  /** A field key: field number and wire type (0 varint, 2 length-delimited). */
  tag(field: number, wireType: 0 | 2): void {
    this.varint(field * 8 + wireType);
  }

  /** A length-delimited string whose UTF-8 length the caller already computed. */
  string(value: string, byteLength: number): void {
    this.varint(byteLength);
    this.pos += this.buf.write(value, this.pos, byteLength, 'utf8');
  }
}
