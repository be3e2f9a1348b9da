// Small helpers shared by CLI commands: parsed flags and user errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** An error the user caused: printed as a message with a hint, never as a stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${(e as Error).message}\nUsage: ${usage}`, 2);
  }
}

export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`${flag} must be one of ${allowed.join(', ')} (got "${value}")`, 2);
}

export type Out = (line: string) => void;
