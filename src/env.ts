// Readers for environment variables: each takes the raw value (undefined when unset) and returns the typed value, or
// throws Invalid with what the value must be. config.ts declares every variable with these; kept free of zod, whose
// import alone costs about as much as starting Node.
export class Invalid extends Error {}

export type Reader<T> = (raw: string | undefined) => T;

export function text(): Reader<string | undefined>;
export function text(def: string): Reader<string>;
export function text(def?: string): Reader<string | undefined> {
  return (raw) => raw ?? def;
}

export function oneOf<const V extends string>(values: readonly V[]): Reader<V | undefined>;
export function oneOf<const V extends string>(values: readonly V[], def: V): Reader<V>;
export function oneOf<const V extends string>(values: readonly V[], def?: V): Reader<V | undefined> {
  return (raw) => {
    if (raw === undefined) return def;
    if (!(values as readonly string[]).includes(raw)) throw new Invalid(`must be one of ${values.map((v) => `"${v}"`).join(', ')}`);
    return raw as V;
  };
}

export function wholeNumber(min: number, max: number): Reader<number | undefined>;
export function wholeNumber(min: number, max: number, def: number): Reader<number>;
export function wholeNumber(min: number, max: number, def?: number): Reader<number | undefined> {
  return (raw) => {
    if (raw === undefined) return def;
    const n = Number(raw);
    if (!raw.trim() || !Number.isInteger(n) || n < min || n > max) throw new Invalid(`must be a whole number from ${min} to ${max}`);
    return n;
  };
}

/** An optional value that must pass `ok`; `message` says what it must be. */
export function checked(ok: (raw: string) => boolean, message: string): Reader<string | undefined>;
export function checked(ok: (raw: string) => boolean, message: string, def: string): Reader<string>;
export function checked(ok: (raw: string) => boolean, message: string, def?: string): Reader<string | undefined> {
  return (raw) => {
    const v = raw ?? def;
    if (v !== undefined && !ok(v)) throw new Invalid(message);
    return v;
  };
}

export function isUrl(raw: string): boolean {
  try {
    new URL(raw);
    return true;
  } catch {
    return false;
  }
}

export type Values<S extends Record<string, Reader<unknown>>> = { [K in keyof S]: ReturnType<S[K]> };

/** Reads every variable of `spec` from `env`; the problems are returned as [name, message] pairs. */
export function readEnv<S extends Record<string, Reader<unknown>>>(spec: S, env: Record<string, string | undefined>): { values: Values<S>; problems: [string, string][] } {
  const values = {} as Values<S>;
  const problems: [string, string][] = [];
  for (const key of Object.keys(spec) as (keyof S & string)[]) {
    try {
      values[key] = spec[key]!(env[key]) as Values<S>[typeof key];
    } catch (e) {
      if (!(e instanceof Invalid)) throw e;
      problems.push([key, e.message]);
    }
  }
  return { values, problems };
}
