import { constants } from 'node:os';

/** A run stopped by a signal; the CLI exits 128 + the signal's number (130 for Ctrl-C). */
export class Interrupted extends Error {
  constructor(readonly signalName: NodeJS.Signals) {
    super(`interrupted by ${signalName}`);
  }

  get exitCode(): number {
    return 128 + constants.signals[this.signalName];
  }
}

/** SIGINT (Ctrl-C) and SIGTERM caught while a run works, so it can stop cleanly instead of dying mid-write. */
export interface InterruptListener {
  /** Aborted (with an Interrupted reason) when the first signal arrives: stops the workers. */
  readonly signal: AbortSignal;
  /** Throws Interrupted once a signal has arrived: called between the steps that write. */
  throwIfInterrupted(): void;
  /** Gives the signals back to their default behaviour. */
  dispose(): void;
}

export function listenForInterrupts(): InterruptListener {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (name: NodeJS.Signals) => {
    if (received !== undefined) return;
    received = name;
    controller.abort(new Interrupted(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    throwIfInterrupted() {
      if (received !== undefined) throw new Interrupted(received);
    },
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
