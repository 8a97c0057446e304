/**
 * The `prometheus-data` claim, derived from bytes measured on this project's own data rather than
 * guessed: the default claim size follows from these numbers, and a configuration whose claim is
 * too small for its retention is refused (`prometheusChecks`). docs/performance.md shows the runs
 * and how to recompute for another cardinality.
 */
import { durationToSeconds } from '../lib/schema';

/**
 * Bytes on disk per sample after compaction (chunks + index) of the documented cardinality and its
 * recorded series: `npm run bench:dashboards -- --days 2` ("bytes per sample" in its disk table).
 * The 30-day run measured 1.467 on blocks not yet fully compacted; the higher value is kept.
 */
export const BLOCK_BYTES_PER_SAMPLE = 1.516;
/** WAL bytes per sample, `npm run bench:wal` (bench/wal-head.ts), at the documented cardinality. */
export const WAL_BYTES_PER_SAMPLE = 5.67;
/** Memory-mapped head chunks on disk per sample, `npm run bench:wal`. */
export const HEAD_CHUNK_BYTES_PER_SAMPLE = 1.44;

/**
 * Series of the stack at its documented production cardinality: the scraped series of
 * bench/lib/stack-series.ts (routes x methods x status codes x pods x buckets, the exporters, the
 * stack's own servers; a test holds the two equal) and the recorded series the rules make of them,
 * counted by `npm run bench:dashboards` ("recorded series at the end").
 */
export const DOCUMENTED_SCRAPED_SERIES = 12_176;
export const DOCUMENTED_RECORDED_SERIES = 778;
export const DOCUMENTED_SERIES = DOCUMENTED_SCRAPED_SERIES + DOCUMENTED_RECORDED_SERIES;

/**
 * The default claim holds this many times what the documented cardinality needs: the backend can
 * double its routes and its pods (the request histogram is about half of all series) before the
 * claim must grow, and growing one means expanding each bound claim by hand (a StatefulSet's claim
 * template cannot change in place; docs/plan.md).
 */
export const DEFAULT_CLAIM_GROWTH = 3;

/**
 * The head spans up to 3h before a 2h block is cut from it; the WAL and the head's chunks on disk
 * hold that window.
 */
const HEAD_WINDOW_SECONDS = 3 * 3600;
/** Prometheus's default largest block: a tenth of the time retention, at most 31 days. */
const MAX_BLOCK_SECONDS = 31 * 86400;

export interface ClaimNeed {
  readonly samplesPerSecond: number;
  /** Compacted blocks for the whole retention. */
  readonly blocks: number;
  /** WAL and head chunks on disk, over the head's window. */
  readonly walAndHead: number;
  /** The largest block compaction writes before it deletes the blocks it merged. */
  readonly largestBlock: number;
  /** The smallest claim, in bytes: all of the above, with size retention at `retentionSizeRatio` of it. */
  readonly claim: number;
}

export interface ClaimInputs {
  readonly series: number;
  /**
   * Every series is counted at the scrape interval; recorded ones are written at the evaluation
   * interval, which is never shorter, so the count errs large.
   */
  readonly scrapeInterval: string;
  readonly retention: string;
  readonly retentionSizeRatio: number;
  /** A benchmark's own measurement instead of BLOCK_BYTES_PER_SAMPLE. */
  readonly blockBytesPerSample?: number;
}

/**
 * Bytes a Prometheus server needs for `retention` of `series`. Size retention counts the WAL and
 * the head chunks with the blocks (tsdb.BeyondSizeRetention), and compaction needs the room for a
 * new block beside the ones it merges, so the claim is the sum over `retentionSizeRatio`: the time
 * retention, not the size retention, decides what is deleted.
 */
export function prometheusClaimNeed(o: ClaimInputs): ClaimNeed {
  const samplesPerSecond = o.series / durationToSeconds(o.scrapeInterval);
  const retentionSeconds = durationToSeconds(o.retention);
  const perSample = o.blockBytesPerSample ?? BLOCK_BYTES_PER_SAMPLE;
  const blocks = samplesPerSecond * retentionSeconds * perSample;
  const walAndHead = samplesPerSecond * HEAD_WINDOW_SECONDS * (WAL_BYTES_PER_SAMPLE + HEAD_CHUNK_BYTES_PER_SAMPLE);
  const largestBlock = samplesPerSecond * Math.min(retentionSeconds / 10, MAX_BLOCK_SECONDS) * perSample;
  return { samplesPerSecond, blocks, walAndHead, largestBlock, claim: (blocks + walAndHead + largestBlock) / o.retentionSizeRatio };
}

const GIB = 1024 ** 3;

/** Whole GiB at or above `bytes`, as a claim size (`8Gi`). */
export function claimSize(bytes: number): string {
  return `${Math.max(1, Math.ceil(bytes / GIB))}Gi`;
}

/**
 * The default `prometheus.storage.size`: `DEFAULT_CLAIM_GROWTH` times the claim the documented
 * cardinality needs at the default scrape interval, retention and size retention, in whole 5Gi.
 */
export function defaultPrometheusClaim(defaults: Omit<ClaimInputs, 'series'>): string {
  const need = prometheusClaimNeed({ ...defaults, series: DOCUMENTED_SERIES }).claim * DEFAULT_CLAIM_GROWTH;
  return `${Math.ceil(need / (5 * GIB)) * 5}Gi`;
}
