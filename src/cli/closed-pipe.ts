/**
 * `polyglyph status | head`: once the reader goes away, a write fails with EPIPE, emitted as an
 * 'error' event that would otherwise end the process with a stack trace. A command whose output
 * nobody reads any more has nothing left to do: exit at once, quietly, as `cat` or `grep` do. (A
 * `run` cut off this way leaves its jobs to BullMQ's stalled-job recovery, as a killed worker does.)
 */
export function exitQuietlyWhenReaderGoes(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr], exit: (code: number) => void = (code) => process.exit(code)): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      else throw error;
    });
  }
}
