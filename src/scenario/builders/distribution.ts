import {
  boundedPareto,
  constant,
  empiricalHistogram,
  empiricalSamples,
  exponential,
  lognormal,
  normal,
  uniform,
  type Distribution,
} from '../../engine/index.js';
import type { DistributionSpec } from '../schema.js';

export function buildDistribution(spec: DistributionSpec): Distribution {
  if (typeof spec === 'number') return constant(spec);
  if (spec.constant !== undefined) return constant(spec.constant);
  if (spec.exponential) return exponential(spec.exponential.mean);
  if (spec.uniform) return uniform(spec.uniform.min, spec.uniform.max);
  if (spec.normal) return normal(spec.normal.mean, spec.normal.sd);
  if (spec.lognormal) return lognormal(spec.lognormal.mean, spec.lognormal.cv);
  if (spec.pareto) return boundedPareto(spec.pareto.alpha, spec.pareto.min, spec.pareto.max);
  if (spec.empirical) return empiricalSamples(spec.empirical.samples);
  if (spec.histogram) return empiricalHistogram(spec.histogram);
  throw new Error('unreachable: the schema admits exactly one distribution');
}
