// Injected time for the token manager: a clock the test moves, and a sleep that records the delay it was
// asked for and moves the clock instead of waiting.
export class FakeClock {
  constructor(public time = Date.UTC(2026, 0, 1)) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface RecordingSleep {
  delays: number[];
  sleep: (ms: number) => Promise<void>;
}

export function recordingSleep(clock: FakeClock): RecordingSleep {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
      clock.advance(ms);
    },
  };
}
