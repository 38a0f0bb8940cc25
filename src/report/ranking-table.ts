import type { Estimate, StrategyComparison } from './comparison.js';
import { formatTable, wrap } from './table.js';

/** The terminal is assumed to be this wide; the table wraps its last column to fit. */
export const TERMINAL_COLUMNS = 120;

const HEADERS = ['rank', 'strategy', 'total', 'infra', 'lost', 'p99_ms', 'err_%', 'pods', 'nodes', 'slo_missed'] as const;
const ALIGN = ['right', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'left'] as const;

/**
 * The ranking as printed after a run: what each strategy costs the business (`total` =
 * infrastructure + lost revenue, in dollars, the ranking's key) first, then its parts, p99, the
 * error rate, peak pods and nodes, and the SLOs it missed by short name. Dollars are rounded to
 * three significant digits, more where two neighbours in the ranking would otherwise print alike;
 * a figure that does not apply is blank. With replications, `total` carries its 95% half-width
 * (every figure's is in comparison.csv). Fits `TERMINAL_COLUMNS` for strategy names of up to 30
 * characters: the last column wraps.
 */
export function formatRankingTable(rows: readonly StrategyComparison[]): string {
  const replicated = (rows[0]?.replications ?? 1) > 1;
  const totalDigits = distinguishingDigits(rows);
  const cells = rows.map((r) => [
    String(r.rank),
    `${r.strategy}${r.recommended ? ' ◀' : ''}`,
    withHalfWidth(r.businessCostUsd, replicated, (x) => formatUsd(x, totalDigits)),
    formatUsd(r.costUsd.mean),
    r.lostRevenueUsd === undefined ? '' : formatUsd(r.lostRevenueUsd.mean),
    formatMs(r.p99Ms.mean),
    formatPercent(r.errorRate.mean * 100),
    formatCount(r.peakPods.mean),
    r.peakNodes === undefined ? '' : formatCount(r.peakNodes.mean),
    r.slo.length === 0 ? '' : r.meetsSlo ? 'none' : r.slo.filter((s) => !s.met).map((s) => s.short).join(', '),
  ]);
  return formatTable(HEADERS, cells, { align: ALIGN, maxWidth: TERMINAL_COLUMNS });
}

/** The lines under the table: how to read it, then the verdict. */
export function formatRankingLegend(rows: readonly StrategyComparison[]): string {
  const replicated = (rows[0]?.replications ?? 1) > 1;
  const lines = [
    'total = infra + lost (revenue of the orders lost with failed requests): what a strategy costs the business.',
    'Ranked: strategies meeting every SLO first, then by total, then by p99.',
    ...(replicated ? ["total ± its 95% interval; every figure's interval is in comparison.csv."] : []),
    'pods, nodes: peaks. Blank: does not apply (lost without a revenue model, nodes without node pools).',
    ...wrap(verdictLine(rows), TERMINAL_COLUMNS),
  ];
  return `${lines.join('\n')}\n`;
}

function verdictLine(rows: readonly StrategyComparison[]): string {
  const recommended = rows.find((r) => r.recommended);
  if (rows.every((r) => r.slo.length === 0)) return 'No SLOs in the scenario: ◀ marks the lowest total.';
  if (!recommended) return 'No strategy meets every SLO: nothing to recommend.';
  const lost = recommended.lostRevenueUsd;
  const cost =
    lost === undefined
      ? `${formatUsd(recommended.costUsd.mean)} of infrastructure`
      : `${formatUsd(recommended.businessCostUsd.mean)} = ${formatUsd(recommended.costUsd.mean)} infrastructure + ${formatUsd(lost.mean)} lost revenue`;
  return `Recommended: ${recommended.strategy} — meets every SLO at the lowest total cost: ${cost}.`;
}

function withHalfWidth(e: Estimate, replicated: boolean, format: (x: number) => string): string {
  return replicated && Number.isFinite(e.halfWidth) ? `${format(e.mean)} ± ${formatUsd(e.halfWidth, 2).slice(1)}` : format(e.mean);
}

/**
 * Significant digits for `total`: three, or up to six when fewer would print two neighbours
 * of the ranking that differ as the same figure (the order must stay visible).
 */
function distinguishingDigits(rows: readonly StrategyComparison[]): number {
  for (let digits = 3; digits < 6; digits++) {
    const clash = rows.some((r, i) => {
      const next = rows[i + 1];
      return next !== undefined && next.businessCostUsd.mean !== r.businessCostUsd.mean && formatUsd(next.businessCostUsd.mean, digits) === formatUsd(r.businessCostUsd.mean, digits);
    });
    if (!clash) return digits;
  }
  return 6;
}

const SCALES: [number, string][] = [
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'k'],
  [1, ''],
];

/** Dollars to `digits` significant digits with k/M/B: "$147", "$17.7", "$83.2k", "$6.93M", "$0.042". */
export function formatUsd(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return '–';
  if (x === 0) return '$0';
  const rounded = Number(x.toPrecision(digits));
  const [scale, suffix] = SCALES.find(([s]) => Math.abs(rounded) >= s) ?? [1, ''];
  const v = rounded / scale;
  const whole = Math.floor(Math.log10(Math.abs(v))) + 1;
  const text = v.toFixed(Math.max(0, digits - whole));
  return `${x < 0 ? '-' : ''}$${text.replace(/^-/, '')}${suffix}`;
}

/** Milliseconds: "1,806", "87.5", "4.25". */
function formatMs(x: number): string {
  if (!Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  return x.toLocaleString('en-US', { maximumFractionDigits: a >= 100 ? 0 : a >= 10 ? 1 : 2, minimumFractionDigits: a >= 100 ? 0 : a >= 10 ? 1 : 2 });
}

/** A percentage: "17.6", "2.3", "0.042", "0". */
function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p === 0) return '0';
  return p >= 1 ? p.toFixed(1) : String(Number(p.toPrecision(2)));
}

/** A peak count: whole, or one decimal for a mean over replications. */
function formatCount(x: number): string {
  return Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(1);
}
