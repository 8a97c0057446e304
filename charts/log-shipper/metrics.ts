/**
 * What the log shipper exposes about its own work, for each of the two shippers the stack can run
 * (`logs.shipper`): Promtail 3.6's and Grafana Alloy 1.18's names for the same facts. Neither
 * runs here, so the names, types and labels come from their source and documentation at the pinned
 * releases, listed with where each comes from in ground-truth/upstream-metrics.tsv; a test holds
 * every definition here to that list.
 */
import { MetricDef } from '../lib/metric';
import { LogsSettings } from './settings';

type Shipper = LogsSettings['shipper'];

/** The same facts under each shipper's names. */
export interface ShipperMetrics {
  /** Entries given up after every retry (lost). */
  readonly droppedEntries: MetricDef;
  /** Entries delivered to Loki. */
  readonly sentEntries: MetricDef;
  /** Push requests, by HTTP status code (histogram: its `_count` counts requests). */
  readonly requestDuration: MetricDef;
  /** Size of each tailed file (grows as the pods write). */
  readonly fileBytes: MetricDef;
  /** Bytes of each tailed file read so far: the file's size less this is what the shipper still has to read (its lag). */
  readonly readBytes: MetricDef;
}

export const SHIPPER_METRICS: Readonly<Record<Shipper, ShipperMetrics>> = {
  promtail: {
    droppedEntries: {
      name: 'promtail_dropped_entries_total',
      type: 'counter',
      help: 'Log entries dropped because they failed to be sent to Loki after all retries.',
      labels: ['host', 'tenant'],
      source: 'promtail (clients/pkg/promtail/client/client.go)',
    },
    sentEntries: {
      name: 'promtail_sent_entries_total',
      type: 'counter',
      help: 'Log entries sent to Loki.',
      labels: ['host'],
      source: 'promtail (clients/pkg/promtail/client/client.go)',
    },
    requestDuration: {
      name: 'promtail_request_duration_seconds',
      type: 'histogram',
      help: 'Duration of push requests, by status code (-1 when no response came back).',
      labels: ['status_code', 'host'],
      source: 'promtail (clients/pkg/promtail/client/client.go)',
    },
    fileBytes: {
      name: 'promtail_file_bytes_total',
      type: 'gauge',
      help: 'Size of each tailed file, in bytes.',
      labels: ['path'],
      source: 'promtail (clients/pkg/promtail/targets/file/tailer.go)',
    },
    readBytes: {
      name: 'promtail_read_bytes_total',
      type: 'gauge',
      help: 'Bytes read so far from each tailed file (a gauge despite its name).',
      labels: ['path'],
      source: 'promtail (clients/pkg/promtail/targets/file/metrics.go)',
    },
  },
  alloy: {
    droppedEntries: {
      name: 'loki_write_dropped_entries_total',
      type: 'counter',
      help: 'Log entries dropped because they failed to be sent to Loki after all retries.',
      labels: ['host', 'tenant'],
      source: 'alloy loki.write (internal/component/common/loki/client/metrics.go)',
    },
    sentEntries: {
      name: 'loki_write_sent_entries_total',
      type: 'counter',
      help: 'Log entries sent to Loki.',
      labels: ['host'],
      source: 'alloy loki.write (internal/component/common/loki/client/metrics.go)',
    },
    requestDuration: {
      name: 'loki_write_request_duration_seconds',
      type: 'histogram',
      help: 'Duration of push requests, by status code.',
      labels: ['status_code', 'host'],
      source: 'alloy loki.write (internal/component/common/loki/client/metrics.go)',
    },
    fileBytes: {
      name: 'loki_source_file_file_bytes_total',
      type: 'gauge',
      help: 'Size of each tailed file, in bytes.',
      labels: ['path'],
      source: 'alloy loki.source.file (internal/component/loki/source/file/metrics.go)',
    },
    readBytes: {
      name: 'loki_source_file_read_bytes_total',
      type: 'gauge',
      help: 'Bytes read so far from each tailed file (a gauge despite its name).',
      labels: ['path'],
      source: 'alloy loki.source.file (internal/component/loki/source/file/metrics.go)',
    },
  },
};
