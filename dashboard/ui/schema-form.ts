/**
 * A form from a payload's JSON Schema: strings, numbers, booleans and enums get an input each,
 * arrays of those one entry per line, nested objects a fieldset; anything else a JSON box. It only
 * collects values — the server validates, and each of its issues is shown at the field it names.
 */
import { html } from 'htm/preact';

export type Schema = Readonly<Record<string, unknown>>;
/** Field values as typed, by dotted path. */
export type Values = Readonly<Record<string, string>>;
/** Server issues by dotted path under the payload (`to`, `to.0`, `(root)`). */
export type Issues = Readonly<Record<string, string>>;

const propertiesOf = (schema: Schema): Record<string, Schema> =>
  (typeof schema.properties === 'object' && schema.properties !== null ? schema.properties : {}) as Record<
    string,
    Schema
  >;
const required = (schema: Schema): readonly string[] =>
  Array.isArray(schema.required) ? (schema.required as string[]) : [];
const typeOf = (schema: Schema): string | undefined =>
  typeof schema.type === 'string' ? schema.type : undefined;
const itemsOf = (schema: Schema): Schema =>
  typeof schema.items === 'object' && schema.items !== null ? (schema.items as Schema) : {};
const SCALARS = new Set(['string', 'number', 'integer', 'boolean']);

/** Whether the form can show this schema field by field (else: one JSON box). */
export function formable(schema: Schema | null): schema is Schema {
  return schema !== null && typeOf(schema) === 'object' && Object.keys(propertiesOf(schema)).length > 0;
}

function scalar(schema: Schema, raw: string): unknown {
  const type = typeOf(schema);
  if (type === 'number' || type === 'integer') return raw.trim() === '' ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true';
  return raw;
}

/** The payload the values describe; empty optional fields are left out. */
export function collect(schema: Schema, values: Values, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(propertiesOf(schema))) {
    const path = prefix ? `${prefix}.${name}` : name;
    const type = typeOf(field);
    if (type === 'object') {
      const nested = collect(field, values, path);
      if (Object.keys(nested).length > 0 || required(schema).includes(name)) out[name] = nested;
      continue;
    }
    const raw = values[path] ?? '';
    if (type === 'array') {
      const items = raw
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      if (items.length > 0 || required(schema).includes(name))
        out[name] = items.map((i) => scalar(itemsOf(field), i));
    } else if (type !== undefined && SCALARS.has(type)) {
      if (type === 'boolean' ? raw !== '' : raw !== '') out[name] = scalar(field, raw);
    } else if (raw.trim() !== '') {
      try {
        out[name] = JSON.parse(raw);
      } catch {
        out[name] = raw;
      }
    }
  }
  return out;
}

/** The issues that belong to a field: its own path and its items' (`to`, `to.0`). */
function issuesAt(issues: Issues, path: string): string[] {
  return Object.entries(issues)
    .filter(([p]) => p === path || p.startsWith(`${path}.`))
    .map(([p, message]) =>
      p === path ? message : `item ${Number(p.slice(path.length + 1)) + 1}: ${message}`,
    );
}

export function SchemaFields(props: {
  readonly schema: Schema;
  readonly values: Values;
  readonly issues: Issues;
  readonly onChange: (path: string, value: string) => void;
  readonly prefix?: string;
}) {
  const { schema, values, issues, onChange, prefix = '' } = props;
  return html`${Object.entries(propertiesOf(schema)).map(([name, field]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const type = typeOf(field);
    const label = `${name}${required(schema).includes(name) ? ' *' : ''}`;
    const problems = type === 'object' ? [] : issuesAt(issues, path);
    const id = `field-${path}`;
    const set = (e: Event) => onChange(path, (e.target as HTMLInputElement).value);
    const described = problems.length > 0 ? `${id}-error` : undefined;
    let input: unknown;
    if (type === 'object') {
      return html`<fieldset><legend>${label}</legend><${SchemaFields} schema=${field} values=${values} issues=${issues} onChange=${onChange} prefix=${path} /></fieldset>`;
    }
    if (Array.isArray(field.enum)) {
      input = html`<select id=${id} name=${path} value=${values[path] ?? ''} onChange=${set} aria-invalid=${problems.length > 0} aria-describedby=${described}>
        <option value="">–</option>${(field.enum as unknown[]).map((v) => html`<option value=${String(v)}>${String(v)}</option>`)}</select>`;
    } else if (type === 'boolean') {
      input = html`<select id=${id} name=${path} value=${values[path] ?? ''} onChange=${set}><option value="">–</option><option value="true">true</option><option value="false">false</option></select>`;
    } else if (type === 'array' || (type !== undefined && !SCALARS.has(type)) || type === undefined) {
      const hint = type === 'array' ? 'one per line' : 'JSON';
      input = html`<textarea id=${id} name=${path} rows=${3} placeholder=${hint} value=${values[path] ?? ''} onInput=${set} aria-invalid=${problems.length > 0} aria-describedby=${described}></textarea>`;
    } else {
      const kind = type === 'number' || type === 'integer' ? 'number' : 'text';
      input = html`<input id=${id} name=${path} type=${kind} value=${values[path] ?? ''} onInput=${set} aria-invalid=${problems.length > 0} aria-describedby=${described} />`;
    }
    return html`<div class=${`field${problems.length > 0 ? ' invalid' : ''}`} data-field=${path}>
      <label for=${id}>${label}</label>
      ${input}
      ${typeof field.description === 'string' ? html`<small>${field.description}</small>` : null}
      ${problems.length > 0 ? html`<p class="field-error" id=${described} role="alert">${problems.join('; ')}</p>` : null}
    </div>`;
  })}`;
}
