/**
 * The local runtime's errors: members of the Hangar family (`HangarError`), so the CLI and
 * `npm run dev` report them by code like every other failure.
 */
import { ERROR_CODES, HangarError } from '../lib/index.js';

/** A port the runtime was told to use is taken on 127.0.0.1. */
export class PortInUseError extends HangarError {
  declare readonly code: typeof ERROR_CODES.portInUse;

  constructor(service: string, port: number, cause: unknown) {
    super(
      `Port ${port} (${service}) is already in use on 127.0.0.1; stop what holds it or choose another port for ${service}`,
      ERROR_CODES.portInUse,
      { cause },
    );
    this.name = 'PortInUseError';
  }
}

/** Something the runtime itself should have guaranteed did not hold (a bundle missing, an emulator died). */
export class LocalRuntimeError extends HangarError {
  declare readonly code: typeof ERROR_CODES.localRuntime;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ERROR_CODES.localRuntime, options);
    this.name = 'LocalRuntimeError';
  }
}
