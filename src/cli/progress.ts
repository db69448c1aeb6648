/**
 * One progress line: rewritten in place on a terminal, printed at most every `intervalMs` otherwise
 * (CI logs and files get periodic plain lines, not a flood of carriage returns).
 */
export class Progress {
  private lastPrinted = 0;
  private lastText = '';
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly intervalMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.tty = out.isTTY === true;
  }

  update(text: string): void {
    if (text === this.lastText) return;
    this.lastText = text;
    if (this.tty) {
      this.out.write(`\r\x1b[2K${text}`);
    } else if (this.now() - this.lastPrinted >= this.intervalMs) {
      this.out.write(`${text}\n`);
      this.lastPrinted = this.now();
    }
  }

  /** Ends the line with a final text, always printed. */
  done(text: string): void {
    this.out.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    this.lastText = '';
    this.lastPrinted = 0;
  }
}
