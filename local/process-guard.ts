/**
 * The last line of defence of `npm start`. Requests never get here: the local servers turn every
 * error of a request into its 500. What can still get here is a detached callback (a timer or stream
 * a handler left behind, a library's event) — on AWS that ends one Lambda sandbox, never the
 * system, and the state that matters lives in DynamoDB Local and the execution records, which a
 * throw in some other callback does not leave half-written. So once the stack is up, such an error
 * is logged and the system goes on; during start-up it still aborts the start, since a half-started
 * stack is worth nothing.
 */

const describe = (err: unknown) => (err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err));

export interface ProcessGuardOptions {
  /** True once the stack is fully started. */
  isReady(): boolean;
  /** Called for an error that must stop the process (only before the stack is ready). */
  onFatal(err: unknown): void;
  log?: (line: string) => void;
}

export interface ProcessGuard {
  onUncaughtException(err: unknown): void;
  onUnhandledRejection(reason: unknown): void;
  uninstall(): void;
}

/** The handlers, separate from installing them, so they can be tested without touching the process. */
export function processGuard(options: ProcessGuardOptions): ProcessGuard {
  const log = options.log ?? ((line: string) => console.error(line));
  const guard: ProcessGuard = {
    onUncaughtException(err) {
      if (!options.isReady()) {
        log(`[local] uncaught exception during start-up, stopping: ${describe(err)}`);
        options.onFatal(err);
        return;
      }
      log(`[local] uncaught exception (logged; the system keeps running): ${describe(err)}`);
    },
    onUnhandledRejection(reason) {
      if (!options.isReady()) {
        log(`[local] unhandled promise rejection during start-up, stopping: ${describe(reason)}`);
        options.onFatal(reason);
        return;
      }
      log(`[local] unhandled promise rejection (logged; the system keeps running): ${describe(reason)}`);
    },
    uninstall() {
      process.off('uncaughtException', guard.onUncaughtException);
      process.off('unhandledRejection', guard.onUnhandledRejection);
    },
  };
  return guard;
}

export function installProcessGuard(options: ProcessGuardOptions): ProcessGuard {
  const guard = processGuard(options);
  process.on('uncaughtException', guard.onUncaughtException);
  process.on('unhandledRejection', guard.onUnhandledRejection);
  return guard;
}
