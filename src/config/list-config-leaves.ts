/** One leaf of a configuration tree: a scalar, an array, or an empty object. */
export interface ConfigLeaf {
  segments: string[];
  value: unknown;
}

/** True for `{...}` values (JSON objects), the only values that configuration layers merge into. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Every leaf of a configuration tree in key order; undefined values are skipped. */
export function listConfigLeaves(value: unknown, segments: string[] = []): ConfigLeaf[] {
  if (value === undefined) return [];
  if (!isPlainObject(value) || (Object.keys(value).length === 0 && segments.length > 0)) {
    return [{ segments, value }];
  }
  return Object.entries(value).flatMap(([key, child]) => listConfigLeaves(child, [...segments, key]));
}
