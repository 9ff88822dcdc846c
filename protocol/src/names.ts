/** Kafka's rules for topic and group names: [a-zA-Z0-9._-], 1 to 249 characters. */
const LEGAL = /^[a-zA-Z0-9._-]{1,249}$/;

/** The same rule as one regular expression, for JSON Schema / OpenAPI `pattern` (also not "." or ".."). */
export const NAME_PATTERN = '^(?!\\.{1,2}$)[a-zA-Z0-9._-]{1,249}$';

export function validateName(kind: 'topic' | 'group', name: string): string | null {
  if (typeof name !== 'string' || name.length === 0) return `${kind} name must not be empty`;
  if (name.length > 249) return `${kind} name is longer than 249 characters`;
  if (name === '.' || name === '..') return `${kind} name cannot be "." or ".."`;
  if (!LEGAL.test(name)) return `${kind} name "${name}" may contain only ASCII letters, digits, ".", "_" and "-"`;
  return null;
}

export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';
