/** A one-line progress bar on a TTY (stderr): records read of the total, rate, redrawn at most 10 times a second. */
export class Progress {
  private count = 0;
  private last = 0;
  private readonly started = Date.now();

  constructor(
    private readonly tty: NodeJS.WriteStream | null,
    private readonly total: number,
  ) {}

  add(n: number): void {
    this.count += n;
    if (!this.tty || Date.now() - this.last < 100) return;
    this.last = Date.now();
    this.draw();
  }

  done(): void {
    if (!this.tty) return;
    this.draw();
    this.tty.write('\n');
  }

  private draw(): void {
    const width = 30;
    const share = this.total > 0 ? Math.min(1, this.count / this.total) : 1;
    const filled = Math.round(share * width);
    const secs = (Date.now() - this.started) / 1000;
    const rate = secs > 0 ? Math.round(this.count / secs) : 0;
    this.tty!.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${this.count}/${this.total} records ${rate}/s`);
  }
}
