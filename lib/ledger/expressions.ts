/**
 * A small builder for DynamoDB update and condition expressions. Every attribute goes through a
 * `#name` placeholder (so reserved words such as `status` and `name` need no thought) and every
 * value through a `:vN` placeholder. Only placeholders that an expression actually uses end up in
 * the request: DynamoDB rejects a request that declares one it does not use.
 */
export class Expression {
  readonly #names = new Map<string, string>();
  readonly #values = new Map<string, unknown>();
  readonly #set: string[] = [];
  readonly #add: string[] = [];
  readonly #remove: string[] = [];

  /** The placeholder of an attribute name. */
  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.#names.set(placeholder, attribute);
    return placeholder;
  }

  /** The placeholder of a value. */
  value(value: unknown): string {
    const placeholder = `:v${this.#values.size}`;
    this.#values.set(placeholder, value);
    return placeholder;
  }

  /** `SET attribute = value`; an undefined value is skipped, so optional fields stay optional. */
  set(attribute: string, value: unknown): this {
    if (value !== undefined) this.#set.push(`${this.name(attribute)} = ${this.value(value)}`);
    return this;
  }

  /** `SET attribute = if_not_exists(attribute, value)`: first write wins (creation fields). */
  setIfNotExists(attribute: string, value: unknown): this {
    const name = this.name(attribute);
    this.#set.push(`${name} = if_not_exists(${name}, ${this.value(value)})`);
    return this;
  }

  /** `SET target = source`: copies the value `source` had before this update. */
  copy(target: string, source: string): this {
    this.#set.push(`${this.name(target)} = ${this.name(source)}`);
    return this;
  }

  /** `ADD attribute number`. */
  add(attribute: string, amount: number): this {
    this.#add.push(`${this.name(attribute)} ${this.value(amount)}`);
    return this;
  }

  remove(...attributes: string[]): this {
    this.#remove.push(...attributes.map((a) => this.name(a)));
    return this;
  }

  /** `attribute IN (values…)`. */
  in(attribute: string, values: readonly unknown[]): string {
    return `${this.name(attribute)} IN (${values.map((v) => this.value(v)).join(', ')})`;
  }

  /** `attribute = value`. */
  eq(attribute: string, value: unknown): string {
    return `${this.name(attribute)} = ${this.value(value)}`;
  }

  notExists(attribute: string): string {
    return `attribute_not_exists(${this.name(attribute)})`;
  }

  updateExpression(): string {
    const clauses = [
      this.#set.length > 0 ? `SET ${this.#set.join(', ')}` : '',
      this.#add.length > 0 ? `ADD ${this.#add.join(', ')}` : '',
      this.#remove.length > 0 ? `REMOVE ${this.#remove.join(', ')}` : '',
    ];
    return clauses.filter((c) => c !== '').join(' ');
  }

  /** The names and values to send with the request (omitted when empty, as DynamoDB requires). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, unknown>;
  } {
    return {
      ...(this.#names.size > 0 ? { ExpressionAttributeNames: Object.fromEntries(this.#names) } : {}),
      ...(this.#values.size > 0 ? { ExpressionAttributeValues: Object.fromEntries(this.#values) } : {}),
    };
  }
}
