/**
 * Shared panel helpers: every dashboard of the stack is built from these, so panels look and
 * behave alike (legends shown as tables with last/max, shared crosshair, units set, queries on a
 * data source picked by uid) and a component's dashboards.ts reads as a list of what it shows.
 *
 * Written with the Grafana Foundation SDK (typed builders). Two things it leaves to the caller,
 * both done in `dashboard()`: built panels have no `id` and queries no `refId` (Grafana needs both
 * to link, repeat and inspect panels), and a timeseries legend is hidden unless asked for.
 */
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import { DashboardBuilder, DashboardCursorSync, DashboardLinkBuilder, DashboardLinkType, RowBuilder, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import * as sdk from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as HeatmapBuilder, HeatmapColorOptionsBuilder, YAxisConfigBuilder, HeatmapColorMode } from '@grafana/grafana-foundation-sdk/heatmap';
import { PanelBuilder as LogsBuilder } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import { DataqueryBuilder as PromQuery, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { Dashboard, DashboardModel } from './monitoring';
import { DATASOURCE_NAMES, LOKI_DS, PROMETHEUS_DS } from './datasources';

/** Folders the stack's dashboards are provisioned into. */
export const FOLDERS = {
  /** The backend: its API, queues and business KPIs. */
  app: 'Love Parser',
  /** The data stores the backend depends on. */
  dataStores: 'Data stores',
  /** Dashboards exported from the UI and dropped in dashboards/custom/. */
  custom: 'Custom',
} as const;

/** Tag on every dashboard of the stack; the dashboards link to each other through it. */
export const STACK_TAG = 'love-parser';

/** Grafana units used by the dashboards (the unit picker's ids). */
export const UNIT = {
  seconds: 's',
  microseconds: 'µs',
  bytes: 'bytes',
  percent: 'percentunit',
  requestsPerSecond: 'reqps',
  perSecond: 'ops',
  count: 'short',
} as const;

const GREEN = 'green';
const AMBER = 'orange';
const RED = 'red';

// ---- queries -----------------------------------------------------------------------------------

export interface QueryOptions {
  /** `{{route}} p95`: how Grafana names the series. @default Grafana's default (the label set) */
  readonly legend?: string;
  /** One value per series (stat, bar gauge) instead of a range. @default false */
  readonly instant?: boolean;
  /** @default 'time_series' */
  readonly format?: 'time_series' | 'table' | 'heatmap';
}

/** A PromQL query on `love-prom`. */
export function prom(expr: string, o: QueryOptions = {}): PromQuery {
  const q = new PromQuery().datasource(PROMETHEUS_DS).expr(expr);
  if (o.legend !== undefined) q.legendFormat(o.legend);
  if (o.instant) q.instant();
  else q.range();
  if (o.format === 'heatmap') q.format(PromQueryFormat.Heatmap);
  if (o.format === 'table') q.format(PromQueryFormat.Table);
  return q;
}

/** A LogQL query on `love-loki`. */
export function loki(expr: string, o: { legend?: string } = {}): LokiQuery {
  const q = new LokiQuery().datasource(LOKI_DS).expr(expr);
  if (o.legend !== undefined) q.legendFormat(o.legend);
  return q;
}

// ---- panels ------------------------------------------------------------------------------------

type AnyQuery = PromQuery | LokiQuery;

interface PanelOptions {
  readonly title: string;
  /** What the panel shows and how to read it; shown as the panel's (i) tooltip. */
  readonly description: string;
  /** Grid columns out of 24. @default 12 */
  readonly width?: number;
  /** Grid rows. @default 8 */
  readonly height?: number;
}

/** A threshold step: the color from `value` upwards. */
export interface Step {
  readonly value: number;
  readonly color: 'green' | 'orange' | 'red';
}

function thresholds(steps: readonly Step[], base: string = GREEN): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: base }, ...steps.map((s) => ({ value: s.value, color: s.color }))]);
}

/** Thresholds that turn amber then red as a value rises (a ratio, a latency). */
export function warnAbove(warning: number, critical: number): Step[] {
  return [
    { value: warning, color: 'orange' },
    { value: critical, color: 'red' },
  ];
}

export interface TimeseriesOptions extends PanelOptions {
  readonly unit: string;
  readonly queries: readonly AnyQuery[];
  /** Stack the series (parts of a whole: connections by state). @default false */
  readonly stack?: boolean;
  /** Draw bars (counts per interval). @default false */
  readonly bars?: boolean;
  /** @default unset (auto) */
  readonly min?: number;
  readonly max?: number;
  /** Thresholds drawn as dashed lines. */
  readonly thresholds?: readonly Step[];
}

/** A time series with its legend as a table (mean, max, last), sorted by max. */
export function timeseries(o: TimeseriesOptions): TimeseriesBuilder {
  const p = new TimeseriesBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(datasourceOf(o.queries))
    .unit(o.unit)
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .lineWidth(1)
    .fillOpacity(o.stack || o.bars ? 60 : 10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false)
    .legend(
      new common.VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(common.LegendDisplayMode.Table)
        .placement(common.LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull'])
        .sortBy('Max')
        .sortDesc(true),
    )
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
  if (o.stack) p.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
  if (o.bars) p.drawStyle(common.GraphDrawStyle.Bars);
  if (o.min !== undefined) p.min(o.min);
  if (o.max !== undefined) p.max(o.max);
  if (o.thresholds) {
    p.thresholds(thresholds(o.thresholds)).thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed));
  }
  for (const q of o.queries) p.withTarget(q);
  return p;
}

export interface StatOptions extends PanelOptions {
  readonly unit: string;
  readonly queries: readonly AnyQuery[];
  /** Colors from green upwards; without steps the value is shown in the neutral color. */
  readonly thresholds?: readonly Step[];
  /** Base color when higher is better (a success rate): steps then go downwards. */
  readonly base?: 'green' | 'orange' | 'red';
  /** Draw the value's history behind it. @default true */
  readonly sparkline?: boolean;
  /** @default 'lastNotNull' */
  readonly reduce?: 'lastNotNull' | 'sum' | 'mean' | 'max';
  /** Show the series name (its legend) instead of the value: for info metrics whose labels are the news. @default 'value' */
  readonly show?: 'value' | 'name';
}

/** One big number per series. */
export function stat(o: StatOptions): StatBuilder {
  const p = new StatBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(datasourceOf(o.queries))
    .unit(o.unit)
    .span(o.width ?? 6)
    .height(o.height ?? 5)
    .graphMode(o.sparkline === false ? common.BigValueGraphMode.None : common.BigValueGraphMode.Area)
    .colorMode(o.thresholds ? common.BigValueColorMode.Value : common.BigValueColorMode.None)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs([o.reduce ?? 'lastNotNull']));
  if (o.thresholds) p.thresholds(thresholds(o.thresholds, o.base ?? GREEN));
  if (o.show === 'name') p.textMode(common.BigValueTextMode.Name);
  for (const q of o.queries) p.withTarget(q);
  return p;
}

/** Success rates: red below `critical`, amber below `warning`, green above. */
export function greenAbove(warning: number, critical: number): Pick<StatOptions, 'thresholds' | 'base'> {
  return {
    base: RED,
    thresholds: [
      { value: critical, color: AMBER },
      { value: warning, color: GREEN },
    ],
  };
}

/** A 0/1 health value (`up`, `pg_up`): red at 0, green at 1. */
export function upDown(): Pick<StatOptions, 'thresholds' | 'base'> {
  return { base: RED, thresholds: [{ value: 1, color: GREEN }] };
}

export interface BarGaugeOptions extends PanelOptions {
  readonly unit: string;
  readonly queries: readonly AnyQuery[];
  readonly thresholds?: readonly Step[];
  /** @default 0 */
  readonly min?: number;
  readonly max?: number;
}

/** Horizontal bars, one per series (largest tables, queues by depth). */
export function barGauge(o: BarGaugeOptions): BarGaugeBuilder {
  const p = new BarGaugeBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(datasourceOf(o.queries))
    .unit(o.unit)
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    .orientation(common.VizOrientation.Horizontal)
    .displayMode(common.BarGaugeDisplayMode.Gradient)
    .min(o.min ?? 0)
    .reduceOptions(new common.ReduceDataOptionsBuilder().values(false).calcs(['lastNotNull']));
  if (o.max !== undefined) p.max(o.max);
  p.thresholds(thresholds(o.thresholds ?? []));
  for (const q of o.queries) p.withTarget(q);
  return p;
}

export interface HeatmapOptions extends PanelOptions {
  /** Unit of the histogram's buckets (the y axis). */
  readonly unit: string;
  /** Bucket counts per interval: `sum by (le) (increase(x_bucket[$__rate_interval]))`. */
  readonly query: string;
}

/** A Prometheus histogram drawn as a heatmap of its buckets over time. */
export function heatmap(o: HeatmapOptions): HeatmapBuilder {
  return new HeatmapBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(PROMETHEUS_DS)
    .span(o.width ?? 12)
    .height(o.height ?? 8)
    // The buckets are already counts: Grafana must not bucket them again.
    .calculate(false)
    .color(new HeatmapColorOptionsBuilder().mode(HeatmapColorMode.Scheme).scheme('Oranges').steps(64))
    .yAxis(new YAxisConfigBuilder().unit(o.unit))
    .withTarget(prom(o.query, { legend: '{{le}}', format: 'heatmap' }));
}

export interface LogsOptions extends PanelOptions {
  readonly query: string;
}

/** Log lines, newest first, with labels and details a click away. */
export function logs(o: LogsOptions): LogsBuilder {
  return new LogsBuilder()
    .title(o.title)
    .description(o.description)
    .datasource(LOKI_DS)
    .span(o.width ?? 24)
    .height(o.height ?? 12)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .prettifyLogMessage(false)
    .sortOrder(common.LogsSortOrder.Descending)
    .withTarget(loki(o.query));
}

export interface AlertListOptions extends PanelOptions {
  /** Alert instance label filter, e.g. `{service="backend"}`. @default every alert */
  readonly labels?: string;
  /** @default 20 */
  readonly maxItems?: number;
}

/**
 * Grafana's alert list (`alertlist`): the firing and pending alerts of the stack's Prometheus rules,
 * most important first. It reads them through the Prometheus data source's rules API (its alert
 * source is picked by data source *name*); silences and notifications are Alertmanager's, on
 * Grafana's Alerting pages through the `love-alertmanager` data source. The SDK has no builder for
 * this panel, so the model is written here, in the shape Grafana saves.
 */
export function alertList(o: AlertListOptions): cog.Builder<sdk.Panel> {
  const panel = {
    type: 'alertlist',
    title: o.title,
    description: o.description,
    gridPos: { h: o.height ?? 8, w: o.width ?? 12, x: 0, y: 0 },
    options: {
      viewMode: 'list',
      groupMode: 'default',
      groupBy: [],
      maxItems: o.maxItems ?? 20,
      // Importance: firing first, then pending.
      sortOrder: 3,
      dashboardAlerts: false,
      alertName: '',
      alertInstanceLabelFilter: o.labels ?? '',
      datasource: DATASOURCE_NAMES.prometheus,
      showInstances: true,
      showInactiveAlerts: false,
      folder: null,
      stateFilter: { firing: true, pending: true, recovering: true, noData: false, normal: false, error: true },
    },
  };
  return { build: () => structuredClone(panel) as unknown as sdk.Panel };
}

function datasourceOf(queries: readonly AnyQuery[]): typeof PROMETHEUS_DS | typeof LOKI_DS {
  const kinds = new Set(queries.map((q) => (q instanceof LokiQuery ? 'loki' : 'prometheus')));
  if (kinds.size !== 1) throw new Error('a panel reads one data source: give it only PromQL or only LogQL queries');
  return kinds.has('loki') ? LOKI_DS : PROMETHEUS_DS;
}

// ---- dashboards --------------------------------------------------------------------------------

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly cog.Builder<sdk.Panel>[];
  /** Collapsed rows load their queries only when opened (the logs row). @default false */
  readonly collapsed?: boolean;
}

export interface DashboardSpec {
  /** Fixed: links, bookmarks and alerts point at it. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  /** Added to the stack tag. */
  readonly tags: readonly string[];
  readonly folder: string;
  readonly rows: readonly RowSpec[];
  /** @default 'now-6h' */
  readonly from?: string;
  /** Links to other dashboards by uid, shown beside the stack's dropdown. @default none */
  readonly links?: readonly { readonly title: string; readonly uid: string }[];
}

/**
 * Builds a dashboard: rows of panels laid out left to right, links to the stack's other dashboards,
 * then numbers panels (1, 2, ...) and queries (A, B, ...) as Grafana would when saving.
 */
export function dashboard(spec: DashboardSpec): Dashboard {
  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([STACK_TAG, ...spec.tags])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .timezone('browser')
    .time({ from: spec.from ?? 'now-6h', to: 'now' })
    .refresh('1m')
    .link(new DashboardLinkBuilder('Love Parser').type(DashboardLinkType.Dashboards).tags([STACK_TAG]).asDropdown(true).keepTime(true).includeVars(false).targetBlank(false));
  for (const l of spec.links ?? []) {
    // A relative URL: Grafana resolves /d/<uid> under its own root URL (and sub-path, if any).
    b.link(new DashboardLinkBuilder(l.title).type(DashboardLinkType.Link).url(`/d/${l.uid}`).keepTime(true).includeVars(false).targetBlank(false).tags([]).asDropdown(false));
  }
  for (const r of spec.rows) {
    if (r.collapsed) {
      // A collapsed row holds its panels; an open row is followed by them.
      const row = new RowBuilder(r.title).collapsed(true);
      for (const p of r.panels) row.withPanel(p);
      b.withRow(row);
    } else {
      b.withRow(new RowBuilder(r.title));
      for (const p of r.panels) b.withPanel(p);
    }
  }
  const model = finalize(JSON.parse(JSON.stringify(b.build())) as Record<string, unknown>);
  return { folder: spec.folder, model: model as DashboardModel };
}

/** Panel ids 1..n (rows and nested panels included) and query refIds A, B, ... per panel. */
export function finalize(model: Record<string, unknown>): Record<string, unknown> {
  let id = 0;
  const number = (panels: unknown) => {
    if (!Array.isArray(panels)) return;
    for (const p of panels as Record<string, unknown>[]) {
      p.id = ++id;
      if (Array.isArray(p.targets)) {
        (p.targets as Record<string, unknown>[]).forEach((t, i) => {
          t.refId = refId(i);
        });
      }
      number(p.panels);
    }
  };
  number(model.panels);
  // The SDK writes empty objects; Grafana's model has lists there.
  model.templating = { list: [] };
  model.annotations = { list: [BUILTIN_ANNOTATIONS] };
  return model;
}

/** The built-in "Annotations & Alerts" every Grafana dashboard carries. */
const BUILTIN_ANNOTATIONS = {
  builtIn: 1,
  datasource: { type: 'grafana', uid: '-- Grafana --' },
  enable: true,
  hide: true,
  iconColor: 'rgba(0, 211, 255, 1)',
  name: 'Annotations & Alerts',
  type: 'dashboard',
};

function refId(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : `${refId(Math.floor(i / 26) - 1)}${String.fromCharCode(65 + (i % 26))}`;
}
