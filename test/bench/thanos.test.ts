import { ResultSeries, agreement, bucketSummary, hoursByResolution, resolutionsRead, ulid, ulidTime } from '../../bench/lib/thanos';

describe('the helpers of the Thanos benchmark (bench/lib/thanos.ts)', () => {
  test('a ULID is 26 Crockford base32 digits whose first 10 hold the milliseconds', () => {
    const t = Date.UTC(2026, 10, 30, 16, 0, 0, 123);
    const id = ulid(t);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidTime(id)).toBe(t);
    // The spec's example: 1469918176385 ms encodes as 01ARYZ6S41.
    expect(ulid(1469918176385, () => 0)).toBe('01ARYZ6S41' + '0'.repeat(16));
    expect(ulid(2 ** 48 - 1, () => 31)).toBe('7ZZZZZZZZZ' + 'Z'.repeat(16));
  });

  test('two ULIDs of the same millisecond differ (a replica copy gets an id of its own)', () => {
    const t = 1_700_000_000_000;
    expect(ulid(t)).not.toBe(ulid(t));
  });

  test('a time outside 48 bits is refused', () => {
    expect(() => ulid(-1)).toThrow(/48-bit/);
    expect(() => ulid(2 ** 48)).toThrow(/48-bit/);
    expect(() => ulidTime('01ARYZ6S4I')).toThrow(/Crockford/);
  });

  test('the bucket by resolution: spans counted, deletion-marked blocks left out', () => {
    const h = 3_600_000;
    const block = (hours: number, resolution: number, marked = false) => ({ minTime: 0, maxTime: hours * h, resolution, level: 1, samples: 100, bytes: 1024 ** 2 / 2, markedForDeletion: marked });
    expect(bucketSummary([block(336, 0), block(336, 0), block(48, 0), block(2, 0, true), block(2, 0, true), block(336, 300_000), block(336, 3_600_000), block(0.5, 0)])).toEqual([
      'raw: 4 blocks (2 x 14d, 1 x 2d, 1 x 30m), 400 samples, 2.0 MiB',
      '5m: 1 block (1 x 14d), 100 samples, 0.5 MiB',
      '1h: 1 block (1 x 14d), 100 samples, 0.5 MiB',
      'marked for deletion (replaced by the compactor, not served): 2',
    ]);
    expect(bucketSummary([])).toEqual([]);
  });

  test("the store gateway's debug line says which resolutions it read", () => {
    // As pkg/store/bucket.go logs it (logfmt; the spans joined by a newline, escaped).
    const log = [
      'ts=2026-11-30T16:40:00Z caller=bucket.go:1545 level=debug msg="Blocks source resolutions" blocks=9 "Maximum Resolution"=360000 mint=1762000000000 maxt=1764500000000 lset="{cluster=\\"c\\", replica=\\"prometheus-0\\"}" spans="Range: 1762000000000-1764300000000 Resolution: 300000\\nRange: 1764300000000-1764446000000 Resolution: 0"',
      'ts=2026-11-30T16:40:00Z caller=bucket.go:1100 level=debug msg="something else"',
      'ts=2026-11-30T16:40:00Z caller=bucket.go:1545 level=debug msg="Blocks source resolutions" blocks=1 "Maximum Resolution"=12000 mint=1 maxt=2 lset="{replica=\\"prometheus-1\\"}" spans="Range: 0-7200000 Resolution: 0"',
    ].join('\n');
    const read = resolutionsRead(log);
    expect(read).toEqual([
      [
        { minTime: 1762000000000, maxTime: 1764300000000, resolution: 300000 },
        { minTime: 1764300000000, maxTime: 1764446000000, resolution: 0 },
      ],
      [{ minTime: 0, maxTime: 7200000, resolution: 0 }],
    ]);
    expect(hoursByResolution(read[0])).toEqual({ '5m': 638.9, raw: 40.6 });
    expect(hoursByResolution(read[1])).toEqual({ raw: 2 });
    expect(resolutionsRead('level=info msg="starting"')).toEqual([]);
  });
});

describe('how far two answers agree (bench/lib/thanos.ts agreement)', () => {
  test('equal answers: no difference, every point common', () => {
    const m = [{ metric: { pod: 'a' }, values: [[1, '10'], [2, '20']] as [number, string][] }];
    expect(agreement(m, m)).toEqual({ maxRelativeDifference: 0, common: 2, onlyOne: 0 });
  });

  test('series matched by labels whatever their order; the largest relative difference wins', () => {
    const a: ResultSeries[] = [
      { metric: { pod: 'a', job: 'x' }, values: [[1, '100'], [2, '200']] as [number, string][] },
      { metric: { pod: 'b' }, values: [[1, '0'], [2, '0']] as [number, string][] },
    ];
    const b: ResultSeries[] = [
      { metric: { pod: 'b' }, values: [[1, '0'], [2, '0']] as [number, string][] },
      { metric: { job: 'x', pod: 'a' }, values: [[1, '90'], [2, '200']] as [number, string][] },
    ];
    expect(agreement(a, b)).toEqual({ maxRelativeDifference: 0.1, common: 4, onlyOne: 0 });
  });

  test('a step or a series only one answer holds is counted, not compared', () => {
    const a = [{ metric: { pod: 'a' }, values: [[1, '1'], [2, '1'], [3, '1']] as [number, string][] }];
    const b: ResultSeries[] = [
      { metric: { pod: 'a' }, values: [[2, '1'], [4, '1']] as [number, string][] },
      { metric: { pod: 'c' }, values: [[1, '5']] as [number, string][] },
    ];
    expect(agreement(a, b)).toEqual({ maxRelativeDifference: 0, common: 1, onlyOne: 4 });
  });

  test('instant vectors compare their single value', () => {
    expect(agreement([{ metric: {}, value: [5, '50'] }], [{ metric: {}, value: [5, '40'] }]).maxRelativeDifference).toBeCloseTo(0.2);
  });
});
