/** Small Markdown helpers shared by every step's rendering. */

export const STATUS_ICON = { passed: '✅', warning: '⚠️', failed: '❌', skipped: '⏭️' } as const

/** Escapes a value for a table cell: pipes and newlines would break the row. */
export function cell(v: unknown): string {
  return String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ')
}

export function table(header: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  const head = `| ${header.map(cell).join(' | ')} |`
  const sep = `| ${header.map(() => '---').join(' | ')} |`
  return [head, sep, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n')
}

/**
 * Cuts Markdown to at most `max` characters at a line boundary, closing a code fence or `<details>` the cut
 * left open so the rest of the comment still renders, and appending `note`.
 */
export function truncateMarkdown(text: string, max: number, note: string): string {
  if (text.length <= max) return text
  const room = Math.max(0, max - note.length - 32)
  let cut = text.slice(0, room)
  const nl = cut.lastIndexOf('\n')
  if (nl > room / 2) cut = cut.slice(0, nl)
  const fences = (cut.match(/^\s*```/gm) ?? []).length
  if (fences % 2 === 1) cut += '\n```'
  const open = (cut.match(/<details>/g) ?? []).length - (cut.match(/<\/details>/g) ?? []).length
  for (let i = 0; i < open; i++) cut += '\n</details>'
  return `${cut}\n\n${note}`
}
