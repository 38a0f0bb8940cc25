import type { CurveSpec, Scenario } from './schema.js';

/** The scenario's traffic events worth marking on charts and in the timeline: spikes and steps. */
export function trafficAnnotations(scenario: Scenario): { t_s: number; label: string }[] {
  const out: { t_s: number; label: string }[] = [];
  const visit = (c: CurveSpec) => {
    if ('spike' in c) out.push({ t_s: c.spike.at / 1e6, label: `traffic spike ×${c.spike.multiplier} begins (rise ${c.spike.rise / 1e6}s, hold ${c.spike.hold / 1e6}s)` });
    else if ('step' in c) out.push({ t_s: c.step.at / 1e6, label: `traffic steps from ${c.step.from}/s to ${c.step.to}/s` });
    else if ('sum' in c) c.sum.forEach(visit);
    else if ('product' in c) c.product.forEach(visit);
  };
  if (scenario.traffic.rate) visit(scenario.traffic.rate);
  return out.sort((a, b) => a.t_s - b.t_s);
}
