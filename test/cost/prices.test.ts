import { describe, expect, it } from 'vitest';
import {
  billingRulesOf,
  defaultPriceCatalog,
  hourlyRateUsd,
  lookupPrice,
  validatePriceCatalogData,
  withOverrides,
} from '../../src/catalog/prices.js';

describe('defaultPriceCatalog', () => {
  it('holds the reference prices (spot checks against pricing-and-timing.md §1)', () => {
    const p = defaultPriceCatalog.prices;
    expect(p['ec2.m5.large.instance-hour'].priceUsd).toBe(0.096);
    expect(p['eks.cluster-hour'].priceUsd).toBe(0.1);
    expect(p['fargate.vcpu-hour'].priceUsd).toBe(0.04048);
    expect(p['fargate.gb-hour'].priceUsd).toBe(0.004445);
    expect(p['lambda.requests-per-million'].priceUsd).toBe(0.2);
    expect(p['lambda.gb-second'].priceUsd).toBe(0.0000166667);
    expect(p['rds.postgres.db.t3.medium.instance-hour'].priceUsd).toBe(0.072);
    expect(p['aurora.serverless-v2.acu-hour'].priceUsd).toBe(0.12);
    expect(p['rds-proxy.vcpu-hour'].priceUsd).toBe(0.015);
    expect(p['elasticache.cache.r6g.large.node-hour'].priceUsd).toBe(0.206);
    expect(p['sqs.standard.per-million'].priceUsd).toBe(0.4);
    expect(p['apigateway.rest.per-million'].priceUsd).toBe(3.5);
    expect(p['apigateway.http.per-million'].priceUsd).toBe(1);
    expect(p['cloudfront.data-out.gb'].priceUsd).toBe(0.085);
    expect(p['cloudfront.https.per-10k'].priceUsd).toBe(0.01);
    expect(p['alb.hour'].priceUsd).toBe(0.0225);
    expect(p['alb.lcu-hour'].priceUsd).toBe(0.008);
    expect(p['data-transfer-out.gb'].priceUsd).toBe(0.09);
    expect(p['nat-gateway.hour'].priceUsd).toBe(0.045);
    expect(p['nat-gateway.gb'].priceUsd).toBe(0.045);
  });

  it('carries confidence and billing rules from the reference', () => {
    const p = defaultPriceCatalog.prices;
    expect(p['rds.postgres.db.r6g.xlarge.instance-hour'].confidence).toBe('U');
    expect(p['alb.hour'].confidence).toBe('P');
    expect(billingRulesOf(p['ec2.m5.large.instance-hour'])).toEqual({ granularitySeconds: 1, minimumSeconds: 60 });
    expect(billingRulesOf(p['rds.postgres.db.t3.medium.instance-hour'])).toEqual({ granularitySeconds: 1, minimumSeconds: 600 });
    expect(billingRulesOf(p['fargate.vcpu-hour'])).toEqual({ granularitySeconds: 1, minimumSeconds: 60 });
    expect(billingRulesOf(p['lambda.gb-second'])).toEqual({ granularitySeconds: 0.001, minimumSeconds: 0 });
    expect(billingRulesOf(p['lambda.provisioned-concurrency.gb-second'])).toEqual({ granularitySeconds: 300, minimumSeconds: 300 });
  });

  it('every entry has a source and a valid confidence, and ids are unique', () => {
    for (const [id, entry] of Object.entries(defaultPriceCatalog.prices)) {
      expect(entry.id).toBe(id);
      expect(entry.source.length).toBeGreaterThan(0);
      expect(['P', 'S', 'D', 'U']).toContain(entry.confidence);
    }
  });

  it('converts time units to an hourly rate', () => {
    expect(hourlyRateUsd(defaultPriceCatalog.prices['ec2.m5.large.instance-hour'])).toBe(0.096);
    // 0.000024 $/vCPU-s × 3600 = 0.0864 $/vCPU-h
    expect(hourlyRateUsd(defaultPriceCatalog.prices['gcp.cloud-run.vcpu-second'])).toBeCloseTo(0.0864, 12);
    expect(hourlyRateUsd(defaultPriceCatalog.prices['sqs.standard.per-million'])).toBeUndefined();
  });
});

describe('lookupPrice', () => {
  it('returns an error value naming an unknown id', () => {
    expect(lookupPrice(defaultPriceCatalog, 'ec2.m9.huge', 'services.web.instanceType')).toEqual({
      ok: false,
      error: { path: 'services.web.instanceType', message: "unknown price id 'ec2.m9.huge'" },
    });
    const found = lookupPrice(defaultPriceCatalog, 'alb.hour');
    expect(found.ok && found.entry.priceUsd).toBe(0.0225);
  });
});

describe('withOverrides', () => {
  it('replaces a price by number without changing the input catalog', () => {
    const result = withOverrides(defaultPriceCatalog, { 'ec2.m5.large.instance-hour': 0.05 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const entry = result.catalog.prices['ec2.m5.large.instance-hour'];
    expect(entry).toMatchObject({ priceUsd: 0.05, unit: 'instance-hour', overridden: true, source: 'scenario override', minimumSeconds: 60 });
    expect(defaultPriceCatalog.prices['ec2.m5.large.instance-hour'].priceUsd).toBe(0.096);
    expect(result.catalog.prices['alb.hour']).toBe(defaultPriceCatalog.prices['alb.hour']);
  });

  it('adds a new id when a unit is given', () => {
    const result = withOverrides(defaultPriceCatalog, {
      'ec2.m7g.large.instance-hour': { priceUsd: 0.0816, unit: 'instance-hour', source: 'my quote', granularitySeconds: 1, minimumSeconds: 60 },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.catalog.prices['ec2.m7g.large.instance-hour']).toMatchObject({
      id: 'ec2.m7g.large.instance-hour',
      priceUsd: 0.0816,
      unit: 'instance-hour',
      source: 'my quote',
      minimumSeconds: 60,
    });
  });

  it('returns errors naming each bad id', () => {
    const result = withOverrides(
      defaultPriceCatalog,
      { 'made.up': 1, 'also.made.up': { priceUsd: 2 }, 'alb.hour': -1, 'nat-gateway.gb': { priceUsd: 'x' } as never },
      'pricing',
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { path: 'pricing.made.up', message: "unknown price id 'made.up': to add a price, give { priceUsd, unit }" },
      { path: 'pricing.also.made.up.unit', message: "unknown price id 'also.made.up': a new price needs a unit" },
      { path: 'pricing.alb.hour', message: 'expected a price in USD ≥ 0' },
      { path: 'pricing.nat-gateway.gb.priceUsd', message: 'expected a number ≥ 0' },
    ]);
  });
});

describe('validatePriceCatalogData', () => {
  it('reports each bad field by path', () => {
    const result = validatePriceCatalogData({
      region: 'us-east-1',
      currency: 'USD',
      prices: [
        { id: 'a', description: 'd', priceUsd: 1, unit: 'gb', source: 's', date: null, confidence: 'X' },
        { id: 'b', description: 'd', priceUsd: 1, unit: 'gb', source: 's', date: null, confidence: 'P', minimumSeconds: -1 },
      ],
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        { path: 'prices[0].confidence', message: "expected one of 'P', 'S', 'D', 'U'" },
        { path: 'prices[1].minimumSeconds', message: 'expected a number of seconds ≥ 0' },
      ],
    });
  });
});
