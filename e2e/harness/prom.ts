/** Small clients of the Prometheus and Alertmanager HTTP APIs. */

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

/** An instant query; the result vector. */
export async function query(prometheusUrl: string, promql: string): Promise<Sample[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`, { signal: AbortSignal.timeout(10_000) });
  const body: any = await res.json();
  if (body.status !== 'success') throw new Error(`query ${promql}: ${body.error ?? res.status}`);
  if (body.data.resultType !== 'vector') throw new Error(`query ${promql}: a ${body.data.resultType}, not a vector`);
  return body.data.result.map((r: any) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

/** A range query, as a Grafana panel runs it over its time range: the series returned (any sample counts). */
export async function queryRange(prometheusUrl: string, promql: string, o: { start: number; end: number; stepSeconds: number }): Promise<Record<string, string>[]> {
  const params = new URLSearchParams({ query: promql, start: String(o.start / 1000), end: String(o.end / 1000), step: `${o.stepSeconds}s` });
  const res = await fetch(`${prometheusUrl}/api/v1/query_range?${params}`, { signal: AbortSignal.timeout(10_000) });
  const body: any = await res.json();
  if (body.status !== 'success') throw new Error(`query_range ${promql}: ${body.error ?? res.status}`);
  return body.data.result.map((r: any) => r.metric);
}

/** Alerts of Prometheus's ALERTS series whose labels include `labels` (any state unless given). */
export async function prometheusAlerts(prometheusUrl: string, labels: Record<string, string>, state?: 'pending' | 'firing'): Promise<Sample[]> {
  const matchers = Object.entries({ ...labels, ...(state ? { alertstate: state } : {}) }).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return query(prometheusUrl, `ALERTS{${matchers.join(',')}}`);
}

export interface AmAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly status: { readonly state: 'active' | 'suppressed' | 'unprocessed'; readonly inhibitedBy: string[]; readonly silencedBy: string[] };
  readonly receivers: { readonly name: string }[];
}

/** Alertmanager's current alerts whose labels include `labels`. */
export async function alertmanagerAlerts(alertmanagerUrl: string, labels: Record<string, string>): Promise<AmAlert[]> {
  const filter = Object.entries(labels)
    .map(([k, v]) => `filter=${encodeURIComponent(`${k}=${JSON.stringify(v)}`)}`)
    .join('&');
  const res = await fetch(`${alertmanagerUrl}/api/v2/alerts?${filter}`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`alertmanager alerts: ${res.status}`);
  return (await res.json()) as AmAlert[];
}
