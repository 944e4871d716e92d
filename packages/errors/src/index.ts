/**
 * The three kinds of error every Heimdall boundary (CLI, HTTP, WebSocket) maps in one place.
 *
 * - {@link UserError}: the input was wrong. The message says what, where and how to fix it. Exit
 *   code 1 / HTTP 4xx, never logged as a failure.
 * - {@link OperationalError}: a dependency failed (disk, network, database). Retried or reported.
 * - {@link UnexpectedError}: a bug. Details are hidden from clients and logged with a correlation id.
 *
 * Pure: no `node:*` imports, so dsp, sim and the web app can throw them too.
 */

/** Where bad input was found: a file (with optional line) and a field path inside it. */
export interface Where {
  /** The file, URL or request the input came from, as the user named it. */
  readonly source?: string;
  /** 1-based line for text inputs (CSV, YAML). */
  readonly line?: number;
  /** Path of the offending field, e.g. `global.core:sample_rate` or `nodes[2].frequency`. */
  readonly field?: string;
}

export interface UserErrorOptions extends Where {
  /** What the user can do about it, e.g. "set a positive sample rate in Hz". */
  readonly fix?: string;
  readonly cause?: unknown;
}

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly kind = 'user' as const;
  readonly source: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly fix: string | undefined;

  constructor(problem: string, options: UserErrorOptions = {}) {
    super(problem, options.cause === undefined ? undefined : { cause: options.cause });
    this.source = options.source;
    this.line = options.line;
    this.field = options.field;
    this.fix = options.fix;
  }

  /** The problem alone, without location (for APIs that return the location separately). */
  get problem(): string {
    return this.message;
  }

  /** A copy that names the source (file) the input came from, if it did not already. */
  at(where: Where): UserError {
    return new UserError(this.message, {
      source: this.source ?? where.source,
      line: this.line ?? where.line,
      field: this.field ?? where.field,
      fix: this.fix,
      cause: this.cause,
    } as UserErrorOptions);
  }

  /** One line: `rec.sigmf-meta: global.core:sample_rate: must be positive (got -1); fix: ...`. */
  describe(): string {
    const place = [
      this.source === undefined
        ? undefined
        : this.line === undefined
          ? this.source
          : `${this.source}:${this.line}`,
      this.field,
    ].filter((p) => p !== undefined);
    const head = place.length > 0 ? `${place.join(': ')}: ` : '';
    return `${head}${this.message}${this.fix === undefined ? '' : `; fix: ${this.fix}`}`;
  }
}

export class OperationalError extends Error {
  override readonly name = 'OperationalError';
  readonly kind = 'operational' as const;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? true;
  }
  readonly retryable: boolean;
}

export class UnexpectedError extends Error {
  override readonly name = 'UnexpectedError';
  readonly kind = 'unexpected' as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export type HeimdallError = UserError | OperationalError | UnexpectedError;

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
