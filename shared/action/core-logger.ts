import * as core from '@actions/core'
import type { FileLocation } from '../errors.js'
import type { Logger } from '../util/logger.js'

const props = (w?: FileLocation): core.AnnotationProperties =>
  w
    ? {
        file: w.file,
        ...(w.line ? { startLine: w.line } : {}),
        ...(w.column ? { startColumn: w.column } : {}),
      }
    : {}

/** The core's logger inside Actions: annotations on files, collapsible groups. */
export const coreLogger: Logger = {
  info: (m) => core.info(m),
  debug: (m) => core.debug(m),
  notice: (m, w) => core.notice(m, props(w)),
  warning: (m, w) => core.warning(m, props(w)),
  error: (m, w) => core.error(m, props(w)),
  group: (name, fn) => core.group(name, fn),
}
