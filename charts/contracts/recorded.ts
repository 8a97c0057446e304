/**
 * Recorded series that one component's rules write and another component's dashboards read. The
 * component that records them builds its rules from these names; the reader selects them by the same
 * names, so a rename cannot leave a dashboard reading nothing.
 */
import { rateOp, recordName } from '../lib/recording-rules';

/** Share of each backend pod's Postgres pool in use: recorded by the backend, drawn by the Database Health dashboard. */
export const BACKEND_DB_POOL_USAGE = recordName(['job', 'pod'], 'love_parser_db_pool_connections_in_use', 'ratio');

/** The node exporter's recorded series (kube-prometheus's node rules, same names); the backend dashboard's "system load" row reads them. */
export function nodeRecords(rateWindow: string) {
  return {
    /** CPUs of a node. */
    cpus: recordName(['instance'], 'node_cpus', 'count'),
    /** Share of a node's CPU time not idle, over the rate window. */
    cpuUtilisation: recordName(['instance'], 'node_cpu_utilisation', rateOp(rateWindow)),
    /** 1m load average per CPU: above 1, runnable tasks wait for a CPU. */
    load1PerCpu: recordName(['instance'], 'node_load1_per_cpu', 'ratio'),
    /** Share of a node's memory not available to new work. */
    memoryUtilisation: recordName(['instance'], 'node_memory_utilisation', 'ratio'),
  } as const;
}
