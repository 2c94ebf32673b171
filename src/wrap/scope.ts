type Release = () => void | Promise<void>;

/**
 * What a piece of work acquired, to be released in reverse order however the work ends (Node 20
 * has no `await using`). Each release runs even when an earlier one failed.
 */
export class Scope {
  private readonly releases: Release[] = [];

  /** Registers how to release something just acquired. */
  defer(release: Release): void {
    this.releases.push(release);
  }

  /** Acquires a resource and registers its release; nothing is registered when acquiring fails. */
  async use<T>(acquire: () => T | Promise<T>, release: (value: T) => void | Promise<void>): Promise<T> {
    const value = await acquire();
    this.defer(() => release(value));
    return value;
  }

  /** Releases everything, last acquired first; returns the errors the releases threw. */
  async close(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (let r = this.releases.pop(); r; r = this.releases.pop()) {
      try {
        await r();
      } catch (err) {
        errors.push(err);
      }
    }
    return errors;
  }
}

/**
 * Runs `body` with a scope and closes the scope whatever happens. An error of the body wins over
 * errors of the releases (the body's failure is what the user must see); without one, the first
 * release error is thrown.
 */
export async function withScope<T>(body: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  let result: T;
  try {
    result = await body(scope);
  } catch (err) {
    await scope.close();
    throw err;
  }
  const errors = await scope.close();
  if (errors.length > 0) throw errors[0];
  return result;
}
