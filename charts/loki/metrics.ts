/**
 * Loki's metrics: defined in charts/contracts/loki-metrics.ts, since the log shipper's dashboard
 * reads them too; re-exported here for Loki's own alerts and tests.
 */
export { LOKI_METRICS } from '../contracts/loki-metrics';
