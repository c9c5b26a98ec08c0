/** The runner's file commands and workflow commands, as an action writes them (`GITHUB_OUTPUT`, `::error::`). */

export interface Annotation {
  readonly level: 'error' | 'warning' | 'notice'
  readonly message: string
  readonly properties: Record<string, string>
}

/** Reads the `name<<DELIM\nvalue\nDELIM` and `name=value` file-command format (`GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`). */
export function parseFileCommand(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delim] = heredoc
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== delim; i++) value.push(lines[i]!)
      out[name!] = value.join('\n')
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return out
}

/** `GITHUB_PATH`: one directory a line. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)
}

const unescapeData = (s: string) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
const unescapeProp = (s: string) => unescapeData(s).replace(/%3A/g, ':').replace(/%2C/g, ',')

/** One `::command k=v,k=v::message` line on stdout, or undefined for a plain line. */
export function parseWorkflowCommand(
  line: string,
): { command: string; properties: Record<string, string>; message: string } | undefined {
  const m = /^::([a-zA-Z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
  if (!m) return undefined
  const properties: Record<string, string> = {}
  for (const kv of (m[2] ?? '').split(',').filter(Boolean)) {
    const eq = kv.indexOf('=')
    properties[kv.slice(0, eq)] = unescapeProp(kv.slice(eq + 1))
  }
  return { command: m[1]!, properties, message: unescapeData(m[3]!) }
}

/** Workflow commands on stdout: `::error file=a,line=1::message`. */
export function parseAnnotations(stdout: string): Annotation[] {
  const out: Annotation[] = []
  for (const line of stdout.split(/\r?\n/)) {
    const c = parseWorkflowCommand(line)
    if (c && (c.command === 'error' || c.command === 'warning' || c.command === 'notice'))
      out.push({ level: c.command, message: c.message, properties: c.properties })
  }
  return out
}
