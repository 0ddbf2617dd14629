/** Peak memory of this process, sampled on a timer and on demand (after each drained chunk). */
export class MemoryWatch {
  private peakRss = 0;
  private peakHeap = 0;
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 100): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.peakRss) this.peakRss = m.rss;
    if (m.heapUsed > this.peakHeap) this.peakHeap = m.heapUsed;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  get peakRssMb(): number {
    return Math.round(this.peakRss / 1048576);
  }

  get peakHeapMb(): number {
    return Math.round(this.peakHeap / 1048576);
  }
}
