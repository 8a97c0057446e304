/**
 * The prometheus-data claim follows from the bytes measured on the stack's data (charts/prometheus/
 * sizing.ts): the arithmetic, the default derived from it, and the documented cardinality kept equal
 * to the series the benchmarks write.
 */
import { sourceSeries, stackSources } from '../../bench/lib/stack-series';
import { retentionSize } from '../../charts/prometheus/config';
import { CLAIM_DEFAULTS } from '../../charts/prometheus/settings';
import {
  BLOCK_BYTES_PER_SAMPLE,
  DEFAULT_CLAIM_GROWTH,
  DOCUMENTED_SCRAPED_SERIES,
  DOCUMENTED_SERIES,
  HEAD_CHUNK_BYTES_PER_SAMPLE,
  WAL_BYTES_PER_SAMPLE,
  claimSize,
  defaultPrometheusClaim,
  prometheusClaimNeed,
} from '../../charts/prometheus/sizing';
import { sizeToBytes } from '../../charts/lib/schema';
import { testConfig } from '../util';

const GIB = 1024 ** 3;
const DEFAULTS = CLAIM_DEFAULTS;

describe('the prometheus-data claim, from measured bytes', () => {
  test('the documented scraped series are the series the benchmarks write (bench/lib/stack-series.ts)', () => {
    expect(stackSources().reduce((n, s) => n + sourceSeries(s), 0)).toBe(DOCUMENTED_SCRAPED_SERIES);
  });

  test('blocks for the retention, the WAL and head over 3h, the largest block a tenth of the retention, over the size-retention ratio', () => {
    const n = prometheusClaimNeed({ series: 1500, ...DEFAULTS });
    expect(n.samplesPerSecond).toBe(100);
    expect(n.blocks).toBeCloseTo(100 * 30 * 86400 * BLOCK_BYTES_PER_SAMPLE, 3);
    expect(n.walAndHead).toBeCloseTo(100 * 3 * 3600 * (WAL_BYTES_PER_SAMPLE + HEAD_CHUNK_BYTES_PER_SAMPLE), 3);
    expect(n.largestBlock).toBeCloseTo(100 * 3 * 86400 * BLOCK_BYTES_PER_SAMPLE, 3);
    expect(n.claim).toBeCloseTo((n.blocks + n.walAndHead + n.largestBlock) / 0.8, 3);
  });

  test('the largest block stops at 31 days (Prometheus caps its default there), and a slower scrape needs less', () => {
    const year = prometheusClaimNeed({ series: 1500, ...DEFAULTS, retention: '1y' });
    expect(year.largestBlock).toBeCloseTo(100 * 31 * 86400 * BLOCK_BYTES_PER_SAMPLE, 3);
    const slow = prometheusClaimNeed({ series: 1500, ...DEFAULTS, scrapeInterval: '30s' });
    expect(slow.claim).toBeCloseTo(prometheusClaimNeed({ series: 1500, ...DEFAULTS }).claim / 2, 3);
  });

  test('the default claim is the growth factor times what the documented cardinality needs, in whole 5Gi', () => {
    const need = prometheusClaimNeed({ series: DOCUMENTED_SERIES, ...DEFAULTS }).claim * DEFAULT_CLAIM_GROWTH;
    const size = defaultPrometheusClaim(DEFAULTS);
    expect(size).toMatch(/^[1-9][0-9]*Gi$/);
    expect(sizeToBytes(size)).toBeGreaterThanOrEqual(need);
    expect(sizeToBytes(size) - need).toBeLessThan(5 * GIB);
    const cfg = testConfig();
    expect(cfg.prometheus.storage.size).toBe(size);
    expect(cfg.prometheus.expectedSeries).toBe(DOCUMENTED_SERIES);
    // Size retention at 80% of it still holds the 30 days the time retention keeps.
    const n = prometheusClaimNeed({ series: DOCUMENTED_SERIES, ...DEFAULTS });
    const retained = parseInt(retentionSize(size, 0.8), 10) * (retentionSize(size, 0.8).endsWith('GB') ? GIB : 1024 ** 2);
    expect(retained).toBeGreaterThan(n.blocks + n.walAndHead);
  });

  test('claim sizes are whole Gi, rounded up', () => {
    expect(claimSize(1)).toBe('1Gi');
    expect(claimSize(GIB)).toBe('1Gi');
    expect(claimSize(GIB + 1)).toBe('2Gi');
  });
});
