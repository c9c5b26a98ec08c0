import { isAscii, isUtf8 } from 'node:buffer'
import { createReadStream } from 'node:fs'
import { open } from 'node:fs/promises'
import { createGunzip } from 'node:zlib'
import { DataError } from './types.js'

export const BLOCK_BYTES = 4 * 1024 * 1024
const LONG_LINE_BYTES = 16 * 1024 * 1024
/** Size of the text blocks handed to the parsers (below V8's large-object threshold). */
const TEXT_BYTES = 64 * 1024

/** What the first bytes of a file say it is: gzip (1f 8b) or Parquet ('PAR1'), whatever its name claims. */
export async function fileMagic(file: string): Promise<{ gzip: boolean; parquet: boolean }> {
  const head = await readHead(file, 4)
  return { gzip: head[0] === 0x1f && head[1] === 0x8b, parquet: head.toString('latin1') === 'PAR1' }
}

export async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await open(file, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    const { bytesRead } = await fh.read(buf, 0, bytes, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/**
 * The raw bytes of a file, in chunks of about `BLOCK_BYTES`, gunzipped when `gzip`. A plain file is read
 * with positioned reads into two alternating buffers, so a chunk is only valid until the next one is asked for.
 */
export async function* byteChunks(file: string, gzip: boolean, shown = file): AsyncGenerator<Buffer> {
  if (gzip) {
    const stream = createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(
      createGunzip({ chunkSize: 1024 * 1024 }),
    )
    try {
      for await (const chunk of stream) yield chunk as Buffer
    } catch (e) {
      throw new DataError(shown, `not a valid gzip stream: ${(e as Error).message}`)
    }
    return
  }
  const fh = await open(file, 'r')
  try {
    const bufs = [Buffer.allocUnsafe(BLOCK_BYTES), Buffer.allocUnsafe(BLOCK_BYTES)]
    let k = 0
    for (;;) {
      const buf = bufs[k]!
      k ^= 1
      const { bytesRead } = await fh.read(buf, 0, BLOCK_BYTES, null)
      if (bytesRead === 0) break
      yield buf.subarray(0, bytesRead)
    }
  } finally {
    await fh.close()
  }
}

/** The end of buf moved back, if needed, so it does not split a UTF-8 character. */
export function charBoundary(buf: Uint8Array): number {
  let cut = buf.length
  while (cut > buf.length - 4 && cut > 0 && (buf[cut - 1]! & 0xc0) === 0x80) cut--
  if (cut > 0 && buf[cut - 1]! >= 0xc0) cut--
  return cut
}

export interface TextBlock {
  /** The decoded text (an ASCII block decodes it on first use: the CSV fast lane reads the bytes). */
  readonly text: string
  /** The block held bytes that are not UTF-8 (decoded as U+FFFD). */
  readonly suspect: boolean
  /** An ASCII block's bytes (offsets match the text's), valid until the next block is asked for. */
  readonly bytes?: Uint8Array
}

/** A block of ASCII bytes. Its text is only made if asked for, while the bytes are still valid. */
class AsciiBlock implements TextBlock {
  readonly suspect = false
  private decoded: string | undefined
  constructor(readonly bytes: Buffer) {}
  get text(): string {
    this.decoded ??= this.bytes.toString('latin1')
    return this.decoded
  }
}

/**
 * Turns byte chunks into text blocks that end at a line break (the last may not), so a multi-byte
 * character is never split. Pure ASCII decodes as latin1 (the fastest path); invalid UTF-8 is decoded with
 * replacement characters and the block flagged, for the reader to report with the line number.
 */
export async function* textBlocks(chunks: AsyncIterable<Buffer>): AsyncGenerator<TextBlock> {
  let rest: Buffer | undefined
  for await (const chunk of chunks) {
    let buf = chunk
    if (rest?.length) buf = Buffer.concat([rest, chunk])
    const nl = buf.lastIndexOf(10)
    if (nl < 0) {
      if (buf.length < LONG_LINE_BYTES) {
        rest = Buffer.from(buf) // copy: the chunk buffer is reused
        continue
      }
      // a very long line: pass it on in pieces cut at a character boundary (the CSV parser joins them)
      const cut = charBoundary(buf)
      yield decode(buf.subarray(0, cut))
      rest = Buffer.from(buf.subarray(cut))
      continue
    }
    yield* textPieces(buf.subarray(0, nl + 1))
    rest = nl + 1 < buf.length ? Buffer.from(buf.subarray(nl + 1)) : undefined
  }
  if (rest?.length) yield decode(rest)
}

/**
 * Decodes bytes in pieces of about TEXT_BYTES cut after a line break (the last piece ends where `buf` ends):
 * strings that small live in V8's young generation and die young, so memory stays flat however large the
 * file (4 MiB strings would pile up until a full GC).
 */
export function* textPieces(buf: Buffer): Generator<TextBlock> {
  let pos = 0
  while (buf.length - pos > TEXT_BYTES + TEXT_BYTES / 2) {
    let cut = buf.lastIndexOf(10, pos + TEXT_BYTES)
    if (cut < pos) cut = buf.indexOf(10, pos + TEXT_BYTES)
    if (cut < 0) break
    yield decode(buf.subarray(pos, cut + 1))
    pos = cut + 1
  }
  if (pos < buf.length) yield decode(buf.subarray(pos))
}

function decode(buf: Buffer): TextBlock {
  if (isAscii(buf)) return new AsciiBlock(buf)
  if (isUtf8(buf)) return { text: buf.toString('utf8'), suspect: false }
  return { text: buf.toString('utf8'), suspect: true }
}
