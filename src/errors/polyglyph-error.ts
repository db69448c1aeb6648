/**
 * Base class of every error Polyglyph raises on purpose. The CLI prints `message` (and `hint`) without
 * a stack trace and exits with `exitCode`; anything that is not a PolyglyphError is a bug.
 */
export class PolyglyphError extends Error {
  /** Process exit code when this error ends a command: 2 = bad input or configuration. */
  readonly exitCode: number = 2;
  /** How to fix it, shown after the message. */
  readonly hint: string | undefined;

  constructor(message: string, options?: { hint?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options?.hint;
  }
}

/** A configuration value (flag, environment variable or config file) is missing or invalid. */
export class ConfigError extends PolyglyphError {}

/** Input the user supplied (a manifest, an argument) cannot be used as it is. */
export class InputError extends PolyglyphError {}

/** A service Polyglyph depends on (Redis, storage) cannot be reached. */
export class ServiceUnavailableError extends PolyglyphError {}
