/**
 * Splits a program's stdout into the program's own lines and the log records Effect's default
 * logger printed among them (Arbor's crash reports, say). A record is a line starting with
 * `[HH:MM:SS.mmm] LEVEL (#fiber)` and the lines that continue it: a pretty cause's stack and the
 * annotations object, each indented or a closing `}`.
 */
const header = /^\[\d{2}:\d{2}:\d{2}\.\d{3}\] ([A-Z]+) \(#\d+\)[^:]*:/

export interface Split {
  /** The program's own lines, joined as they were printed. */
  readonly program: string
  /** The first line of each log record, without its time stamp and fiber id (`ERROR: crash report: …`). */
  readonly records: ReadonlyArray<string>
  /** The whole output with each record shortened to that first line, in place. */
  readonly shortened: string
}

export const splitLogRecords = (stdout: string): Split => {
  const program: Array<string> = []
  const records: Array<string> = []
  const shortened: Array<string> = []
  let inRecord = false
  for (const line of stdout.split("\n")) {
    if (header.test(line)) {
      inRecord = true
      const short = line.replace(header, "$1:")
      records.push(short)
      shortened.push(short)
    } else if (!(inRecord && (/^\s/.test(line) || line.startsWith("}")))) {
      inRecord = false
      program.push(line)
      shortened.push(line)
    }
  }
  return { program: program.join("\n"), records, shortened: shortened.join("\n") }
}
