/**
 * Coalesces a socket's writes per tick: the first write of a turn corks the socket, and it is
 * uncorked once the turn's microtasks have run (process.nextTick scheduled from them runs after
 * them). Answers finished in the same turn then leave in one `writev` instead of one each. `ws`
 * has no cork of its own and a WebSocket message cannot carry two frames, so the WebSocket door
 * corks the TCP socket under it.
 */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

export class TickCork {
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(private readonly socket: Corkable) {}

  /** Call before each write of the turn. */
  cork(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(this.uncork);
  }
}
