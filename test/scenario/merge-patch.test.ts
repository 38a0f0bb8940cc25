import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../src/scenario/merge-patch.js';

// RFC 7396, Appendix A "Example Test Cases": ORIGINAL, PATCH, RESULT, row by row.
const appendixA: [string, string, string][] = [
  ['{"a":"b"}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"b"}', '{"b":"c"}', '{"a":"b","b":"c"}'],
  ['{"a":"b"}', '{"a":null}', '{}'],
  ['{"a":"b","b":"c"}', '{"a":null}', '{"b":"c"}'],
  ['{"a":["b"]}', '{"a":"c"}', '{"a":"c"}'],
  ['{"a":"c"}', '{"a":["b"]}', '{"a":["b"]}'],
  ['{"a":{"b":"c"}}', '{"a":{"b":"d","c":null}}', '{"a":{"b":"d"}}'],
  ['{"a":[{"b":"c"}]}', '{"a":[1]}', '{"a":[1]}'],
  ['["a","b"]', '["c","d"]', '["c","d"]'],
  ['{"a":"b"}', '["c"]', '["c"]'],
  ['{"a":"foo"}', 'null', 'null'],
  ['{"a":"foo"}', '"bar"', '"bar"'],
  ['{"e":null}', '{"a":1}', '{"e":null,"a":1}'],
  ['[1,2]', '{"a":"b","c":null}', '{"a":"b"}'],
  ['{}', '{"a":{"bb":{"ccc":null}}}', '{"a":{"bb":{}}}'],
];

describe('applyMergePatch: RFC 7396 Appendix A', () => {
  for (const [original, patch, result] of appendixA) {
    it(`${original} + ${patch} = ${result}`, () => {
      const target = JSON.parse(original);
      const patchValue = JSON.parse(patch);
      expect(applyMergePatch(target, patchValue)).toStrictEqual(JSON.parse(result));
      // Inputs untouched.
      expect(target).toStrictEqual(JSON.parse(original));
      expect(patchValue).toStrictEqual(JSON.parse(patch));
    });
  }
});

describe('applyMergePatch: RFC 7396 section 3 example', () => {
  it('patches the blog-post document', () => {
    const target = {
      title: 'Goodbye!',
      author: { givenName: 'John', familyName: 'Doe' },
      tags: ['example', 'sample'],
      content: 'This will be unchanged',
    };
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
    expect(applyMergePatch(target, patch)).toStrictEqual({
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
    expect(target.author.familyName).toBe('Doe');
  });
});

describe('applyMergePatch: purity', () => {
  it('shares no objects with its inputs', () => {
    const target = { keep: { deep: [1, 2] }, replace: 1 };
    const patch = { replace: { list: [3] } };
    const result = applyMergePatch(target, patch) as { keep: { deep: number[] }; replace: { list: number[] } };
    result.keep.deep.push(99);
    result.replace.list.push(99);
    expect(target.keep.deep).toEqual([1, 2]);
    expect(patch.replace.list).toEqual([3]);
  });

  it('treats "__proto__" as an ordinary key', () => {
    const result = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('patches a strategy overlay onto a scenario', () => {
    const base = { services: { web: { replicas: 2, hpa: { targetCpu: 0.5, maxReplicas: 40 } } }, nodes: { type: 'm5.large' } };
    const strategy = { services: { web: { hpa: { targetCpu: 0.7, maxReplicas: null } } } };
    expect(applyMergePatch(base, strategy)).toStrictEqual({
      services: { web: { replicas: 2, hpa: { targetCpu: 0.7 } } },
      nodes: { type: 'm5.large' },
    });
  });
});
