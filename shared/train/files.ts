import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { glob } from 'tinyglobby'
import { InputError } from '../errors.js'

/** One file with its content digest; `path` is relative to the folder (or the file itself) it belongs to. */
export interface FileDigest {
  readonly path: string
  readonly sha256: string
  readonly bytes: number
}

/** A file or folder fingerprinted as a whole: every file's digest and one digest over all of them. */
export interface TreeDigest {
  /** The path as given (relative to the working directory). */
  readonly path: string
  /** `sha256:<hex>` over the sorted `relative-path NUL file-sha256 LF` lines; a single file's own sha256. */
  readonly digest: string
  readonly bytes: number
  readonly files: readonly FileDigest[]
}

/** sha256 of a file, streamed: constant memory whatever its size. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Every regular file under `dir`, relative, with `/` separators, sorted by code point. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string) => {
    for (const e of await readdir(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (e.isDirectory()) await walk(r)
      else if (e.isFile()) out.push(r)
    }
  }
  await walk('')
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * The digest of a whole model or dataset folder. It depends only on the relative paths and the file
 * contents, so the same model trained twice (or copied elsewhere) has the same digest.
 */
export function combineDigests(files: readonly FileDigest[]): string {
  const hash = createHash('sha256')
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)))
    hash.update(`${f.path}\0${f.sha256}\n`)
  return `sha256:${hash.digest('hex')}`
}

/** Fingerprints a file or a folder; a missing path is an error naming `input`. */
export async function digestPath(given: string, cwd: string, input: string): Promise<TreeDigest> {
  const abs = path.resolve(cwd, given)
  const st = await stat(abs).catch(() => undefined)
  if (!st) throw new InputError(input, `names '${given}', which does not exist (in ${cwd})`)
  if (st.isFile()) {
    const sha256 = await sha256File(abs)
    return {
      path: given,
      digest: `sha256:${sha256}`,
      bytes: st.size,
      files: [{ path: path.basename(abs), sha256, bytes: st.size }],
    }
  }
  const files: FileDigest[] = []
  for (const rel of await listFiles(abs)) {
    const f = path.join(abs, rel)
    files.push({ path: rel, sha256: await sha256File(f), bytes: (await stat(f)).size })
  }
  return { path: given, digest: combineDigests(files), bytes: files.reduce((n, f) => n + f.bytes, 0), files }
}

const isGlob = (p: string) => /[*?[\]{}]/.test(p)

/**
 * Fingerprints data inputs: each entry a file, a folder or a glob (relative to `cwd`). A path or glob
 * that matches nothing is an error naming `input`.
 */
export async function fingerprintData(entries: readonly string[], cwd: string, input: string) {
  const out: Array<Omit<TreeDigest, 'files'> & { files: number }> = []
  for (const entry of entries) {
    const paths = isGlob(entry) ? (await glob(entry, { cwd, onlyFiles: true })).sort() : [entry]
    if (paths.length === 0) throw new InputError(input, `pattern '${entry}' matches no file (in ${cwd})`)
    for (const p of paths) {
      const d = await digestPath(p, cwd, input)
      out.push({ path: d.path, digest: d.digest, bytes: d.bytes, files: d.files.length })
    }
  }
  return out
}
