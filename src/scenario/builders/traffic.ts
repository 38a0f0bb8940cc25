import { clockSeconds, secondsToMicros } from '../../engine/time.js';
import { CurveArrivals, ReplayArrivals } from '../../model/traffic/arrivals.js';
import { buildCurve } from '../../model/traffic/rate-curve.js';
import { RequestMix } from '../../model/traffic/request-mix.js';
import type { LoadedTraces } from '../load.js';
import type { BuildContext } from './context.js';
import type { BuiltPaths } from './paths.js';

/**
 * Arrivals from the rate curve or a replayed trace. Streams `traffic:arrivals` (times) and
 * `traffic:requests` (class and first CPU work, in arrival order) are the same for every
 * strategy: common random numbers.
 */
export function buildTraffic(ctx: BuildContext, paths: BuiltPaths, traces: LoadedTraces): void {
  const { scenario, sim } = ctx;
  const classNames = Object.keys(scenario.traffic.classes);
  const mix = new RequestMix(
    classNames.map((name, i) => {
      const c = scenario.traffic.classes[name];
      return { name, share: c.share, cpuWork: paths.firstCpuWork[i], timeoutMicros: c.timeout };
    }),
    sim.random('traffic:requests'),
  );
  const durationMicros = scenario.duration;
  if (scenario.traffic.rate) {
    const curve = buildCurve(scenario.traffic.rate, secondsToMicros(clockSeconds(scenario.clockStart)!));
    const arrivals = new CurveArrivals(sim, curve, sim.random('traffic:arrivals'), mix, paths.entry, durationMicros);
    ctx.start.traffic.push(() => arrivals.start());
    return;
  }
  const spec = scenario.traffic.trace!;
  const { trace, expand, passDuration } = traces.get(spec.file)!;
  const options = { startOffsetMicros: spec.startOffset, speedup: spec.speedup, multiplier: spec.multiplier, jitterMicros: spec.jitter };
  const random = sim.random('traffic:arrivals');
  const arrivals = new ReplayArrivals(sim, () => expand(trace, options, random), passDuration(trace, options), spec.loop, mix, paths.entry, durationMicros);
  ctx.start.traffic.push(() => arrivals.start());
}
