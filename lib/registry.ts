/**
 * The open lists behind mkvenv's extension points: built-in entries first, then the ones a program registered, in
 * registration order. A registration returns a handle that removes the entry again (also as a `using` declaration),
 * so a test or a short-lived plugin leaves nothing behind.
 *
 * @module
 */

/**
 * An entry added to one of mkvenv's registries. Dispose of it (`using reg = registerCreator(...)`) or call
 * {@linkcode Registration.unregister} to remove the entry again.
 */
export interface Registration extends Disposable {
  /** The registered name. */
  readonly name: string;
  /** Removes the entry; calling it again does nothing. */
  unregister(): void;
}

/** Names an entry may take: a letter or digit, then letters, digits, `.`, `_`, `+` and `-` (no commas or spaces). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

/** One kind's entries: the built-in ones, fixed, and the registered ones. */
export class Registry<T extends { readonly name: string }> {
  readonly #kind: string;
  readonly #builtin: readonly T[];
  readonly #reserved: readonly string[];
  readonly #added: T[] = [];

  /**
   * A registry of `kind` (for messages: `creator`, `seeder`, ...) holding `builtin`; `reserved` names can never be
   * registered (`builtin`, and the built-in names that are not entries).
   */
  constructor(kind: string, builtin: readonly T[], reserved: readonly string[] = []) {
    this.#kind = kind;
    this.#builtin = builtin;
    this.#reserved = ["builtin", ...reserved];
  }

  /** Every entry: built-in ones first, then registered ones in registration order. */
  all(): readonly T[] {
    return this.#added.length ? [...this.#builtin, ...this.#added] : this.#builtin;
  }

  /** The registered (not built-in) entries, in registration order. */
  added(): readonly T[] {
    return this.#added;
  }

  /** The entry named `name`, if any. */
  get(name: string): T | undefined {
    return this.#builtin.find((e) => e.name === name) ?? this.#added.find((e) => e.name === name);
  }

  /**
   * Adds `entry`. Throws a TypeError for a name that is malformed, reserved or already taken (built-in or
   * registered): a plugin cannot replace or shadow another.
   */
  register(entry: T): Registration {
    const name = entry?.name;
    if (typeof name !== "string" || !NAME.test(name)) {
      throw new TypeError(
        `Cannot register ${this.#kind} ${JSON.stringify(name)}: a name is letters, digits, ".", "_", "+" and "-"`,
      );
    }
    if (this.#reserved.includes(name)) throw new TypeError(`Cannot register ${this.#kind} "${name}": reserved name`);
    if (this.get(name)) throw new TypeError(`Cannot register ${this.#kind} "${name}": that name is already taken`);
    this.#added.push(entry);
    const added = this.#added;
    let active = true;
    const unregister = (): void => {
      if (!active) return;
      active = false;
      const at = added.indexOf(entry);
      if (at >= 0) added.splice(at, 1);
    };
    return { name, unregister, [Symbol.dispose]: unregister };
  }
}
