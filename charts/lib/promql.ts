/**
 * PromQL built from objects: selectors from metric definitions and endpoints, never typed into a
 * query string. Alert rules, recording rules and dashboard panels all use these.
 */
import { ServiceEndpoint } from './endpoints';

/** A label matcher: a plain string matches exactly. */
export type Matcher = string | { readonly re: string } | { readonly not: string } | { readonly notRe: string };
export type Matchers = Readonly<Record<string, Matcher>>;

function quote(v: string): string {
  return JSON.stringify(v); // PromQL string literals take Go/JSON escapes
}

function matcher(label: string, m: Matcher): string {
  if (typeof m === 'string') return `${label}=${quote(m)}`;
  if ('re' in m) return `${label}=~${quote(m.re)}`;
  if ('not' in m) return `${label}!=${quote(m.not)}`;
  return `${label}!~${quote(m.notRe)}`;
}

/** `metric{a="b",c=~"d"}`, matchers in the order given. */
export function sel(metric: string, matchers: Matchers = {}): string {
  const ms = Object.entries(matchers).map(([l, m]) => matcher(l, m));
  return ms.length ? `${metric}{${ms.join(',')}}` : metric;
}

/** Matchers selecting the series Prometheus scraped from a component's job. */
export function jobOf(endpoint: ServiceEndpoint): Matchers {
  return { job: endpoint.name };
}

export const rate = (selector: string, window: string) => `rate(${selector}[${window}])`;
export const increase = (selector: string, window: string) => `increase(${selector}[${window}])`;

/** `sum by (a, b) (expr)`, or `sum (expr)` with no labels. */
export function sumBy(by: readonly string[], expr: string): string {
  return by.length ? `sum by (${by.join(', ')}) (${expr})` : `sum (${expr})`;
}

export function maxBy(by: readonly string[], expr: string): string {
  return by.length ? `max by (${by.join(', ')}) (${expr})` : `max (${expr})`;
}

/** The scrape health series Prometheus writes for every target. */
export const UP = 'up';

/**
 * No target of a job is up: every target reports `up == 0`, or the job has no target at all
 * (its pods are gone, or service discovery finds nothing). Both branches carry the `job` label.
 */
export function jobDown(endpoint: ServiceEndpoint): string {
  const up = sel(UP, jobOf(endpoint));
  return `${maxBy(['job'], up)} == 0 or absent(${up})`;
}
