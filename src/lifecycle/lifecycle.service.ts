import { Injectable } from '@nestjs/common';

export type DrainListener = () => void | Promise<void>;

/**
 * Whether this replica is draining (SIGTERM received): readiness turns 503, new sessions are
 * refused, open streams are closed so clients resume elsewhere. Listeners run once.
 */
@Injectable()
export class LifecycleService {
  private drainingSince?: number;
  private readonly listeners = new Set<DrainListener>();

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** Starts draining; resolves when every listener has run. Idempotent. */
  async beginDrain(): Promise<void> {
    if (this.drainingSince !== undefined) return;
    this.drainingSince = Date.now();
    await Promise.allSettled([...this.listeners].map(async (listener) => listener()));
  }

  onDrain(listener: DrainListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
