/** Human-readable pieces of decision messages. Formatting only: nothing here decides. */
import type { MetricDecisionStatus, MetricSpec } from './types.js';

/** Milli-units → "8.6", "15", "0.25". */
export function formatMilli(milli: number): string {
  return `${+(milli / 1000).toFixed(3)}`;
}

function formatBytes(bytes: number): string {
  const units: [string, number][] = [
    ['Gi', 1024 ** 3],
    ['Mi', 1024 ** 2],
    ['Ki', 1024],
  ];
  for (const [suffix, size] of units) if (bytes >= size) return `${+(bytes / size).toFixed(2)}${suffix}`;
  return `${+bytes.toFixed(3)}`;
}

/** A resource amount in its natural unit: cpu "710m", memory "256Mi", others plain. */
export function formatResource(resource: string, amount: number): string {
  if (resource === 'cpu') return `${+amount.toFixed(3)}m`;
  if (resource === 'memory') return formatBytes(amount);
  return `${+amount.toFixed(3)}`;
}

function describeCounts(status: MetricDecisionStatus): string {
  const counts = status.podCounts;
  if (counts === undefined || (counts.unready === 0 && counts.missing === 0 && counts.ignored === 0)) return '';
  const parts = [`${counts.ready} ready`];
  if (counts.unready > 0) parts.push(`${counts.unready} unready`);
  if (counts.missing > 0) parts.push(`${counts.missing} missing`);
  if (counts.ignored > 0) parts.push(`${counts.ignored} ignored`);
  return ` (${parts.join(', ')})`;
}

/** "cpu 142% of target 50% → 12", "external metric queue 8.6 of target 4.4 → 2", or "cpu: <error>". */
export function describeMetric(spec: MetricSpec, status: MetricDecisionStatus): string {
  const target = status.target;
  const current = status.current ?? {};
  let label: string;
  let values = '';
  switch (spec.type) {
    case 'Resource':
    case 'ContainerResource': {
      const resource = spec.type === 'Resource' ? spec.resource.name : spec.containerResource.name;
      label = spec.type === 'Resource' ? resource : `${resource} of container ${spec.containerResource.container}`;
      if (target.averageValue !== undefined) {
        values = `average ${formatResource(resource, current.averageValue ?? 0)} of target ${formatResource(resource, target.averageValue)}`;
      } else {
        values = `${current.averageUtilization ?? 0}% of target ${target.averageUtilization ?? 0}%`;
      }
      break;
    }
    case 'Pods':
      label = `pods metric ${spec.pods.metric.name}`;
      values = `average ${formatMilli(current.averageValue ?? 0)} of target ${formatMilli(target.averageValue ?? 0)}`;
      break;
    case 'Object':
    case 'External': {
      label = spec.type === 'Object' ? `${spec.object.describedObject.kind}/${spec.object.describedObject.name} metric ${spec.object.metric.name}` : `external metric ${spec.external.metric.name}`;
      const perPod = spec.type === 'External' ? target.averageValue !== undefined : target.type === 'AverageValue';
      if (perPod) {
        const average = current.averageValue === undefined ? '' : ` (${formatMilli(current.averageValue)} per pod)`;
        values = `${formatMilli(current.value ?? 0)} total${average} of target ${formatMilli(target.averageValue ?? 0)} per pod`;
      } else {
        values = `${formatMilli(current.value ?? 0)} of target ${formatMilli(target.value ?? 0)}`;
      }
      break;
    }
    default:
      label = `metric #${status.index} (${status.type})`;
  }
  if (status.error !== undefined) return `${label}: ${status.error.message}`;
  return `${label} ${values}${describeCounts(status)} → ${status.proposedReplicas}`;
}
