import { z } from 'zod';
import { parseCpuMillicores, parseDurationMicros, parseFraction, parseMemoryBytes, parseRatePerSecond } from './units.js';

/** A unit-bearing field: number or string in, one internal unit out, and a message naming the expected form. */
function unitField(parse: (v: unknown) => number | undefined, example: string, description: string) {
  return z
    .union([z.number(), z.string()], { error: (issue) => `expected ${example}, got ${JSON.stringify(issue.input)}` })
    .transform((value, ctx) => {
      const parsed = parse(value);
      if (parsed === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected ${example}, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return parsed;
    })
    .meta({ description });
}

export const duration = () => unitField(parseDurationMicros, 'a duration like "15s", "2m" or "1h30m"', 'Duration: "250ms", "15s", "2m", "1h30m"; a bare number is seconds.');
export const cpu = () => unitField(parseCpuMillicores, 'a CPU quantity like "500m" or "2"', 'CPU quantity (Kubernetes syntax): "500m" or "2" cores.');
export const memory = () => unitField(parseMemoryBytes, 'a memory quantity like "512Mi" or "2Gi"', 'Memory quantity (Kubernetes syntax): "512Mi", "2Gi", "1G".');
export const rate = () => unitField(parseRatePerSecond, 'a rate like "1200/s" or "5k/min"', 'Rate: "1200/s", "5k/min", "300/h"; a bare number is per second.');
export const fraction = () => unitField(parseFraction, 'a fraction like 0.001 or a percentage like "0.1%"', 'Fraction: 0.001 or "0.1%".');
