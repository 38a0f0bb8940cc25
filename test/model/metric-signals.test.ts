import { describe, expect, test } from 'vitest';
import { selectorMatches } from '../../src/model/autoscaling/metric-signals.js';

describe('selectorMatches: Kubernetes label-selector semantics against a simulated series', () => {
  const labels = { model: 'resnet50', queue: 'orders' };
  test.each([
    [undefined, true],
    [{}, true],
    [{ matchLabels: { model: 'resnet50' } }, true],
    [{ matchLabels: { model: 'bert' } }, false],
    [{ matchLabels: { model: 'resnet50', region: 'eu' } }, false],
    [{ matchExpressions: [{ key: 'queue', operator: 'In', values: ['orders', 'refunds'] }] }, true],
    [{ matchExpressions: [{ key: 'queue', operator: 'In', values: ['refunds'] }] }, false],
    [{ matchExpressions: [{ key: 'queue', operator: 'NotIn', values: ['refunds'] }] }, true],
    [{ matchExpressions: [{ key: 'region', operator: 'NotIn', values: ['eu'] }] }, true], // absent key: not in
    [{ matchExpressions: [{ key: 'model', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'region', operator: 'Exists' }] }, false],
    [{ matchExpressions: [{ key: 'region', operator: 'DoesNotExist' }] }, true],
    [{ matchLabels: { model: 'resnet50' }, matchExpressions: [{ key: 'queue', operator: 'DoesNotExist' }] }, false],
  ])('%j → %s', (selector, matches) => {
    expect(selectorMatches(selector, labels)).toBe(matches);
  });
});
