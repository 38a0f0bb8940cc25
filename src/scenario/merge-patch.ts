/**
 * RFC 7396 JSON Merge Patch, exactly the RFC's algorithm (section 2):
 *
 *   define MergePatch(Target, Patch):
 *     if Patch is an Object:
 *       if Target is not an Object: Target = {}
 *       for each Name/Value pair in Patch:
 *         if Value is null: remove Name from Target (if present)
 *         else: Target[Name] = MergePatch(Target[Name], Value)
 *       return Target
 *     else:
 *       return Patch
 *
 * So null deletes a member, arrays are replaced wholesale, and a patch that is not an
 * object replaces the target. Pure: neither input is mutated, and the result shares no
 * objects or arrays with either input (everything it returns is a fresh copy), so it can
 * be changed freely.
 *
 * Inputs are JSON values (what JSON/YAML parsing yields). An "Object" is a non-null,
 * non-array object. A member whose value is `undefined` (not JSON) is treated as absent.
 * Keys such as "__proto__" are copied as ordinary own properties, never as prototypes.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own enumerable property even for "__proto__", which plain assignment would not. */
function defineMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A deep copy of a JSON value. */
function cloneJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(cloneJson);
  if (isJsonObject(value)) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (value[key] !== undefined) defineMember(copy, key, cloneJson(value[key]));
    }
    return copy;
  }
  return value;
}

/** The result of applying merge patch `patch` to `target` (RFC 7396). Inputs are not changed. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isJsonObject(patch)) return cloneJson(patch);
  const result = (isJsonObject(target) ? cloneJson(target) : {}) as Record<string, unknown>;
  for (const name of Object.keys(patch)) {
    const value = patch[name];
    if (value === undefined) continue;
    if (value === null) {
      delete result[name];
    } else {
      const current = Object.hasOwn(result, name) ? result[name] : undefined;
      defineMember(result, name, applyMergePatch(current, value));
    }
  }
  return result;
}
