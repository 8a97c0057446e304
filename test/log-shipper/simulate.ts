/**
 * Runs what a rendered shipper configuration says on sample pods and lines, the way Promtail and
 * Alloy would: discovery on the node, relabelling (Prometheus semantics, Go's `$1` expansion),
 * the `__path__` glob, then the stages (cri, multiline, json with JMESPath, Go templates, RE2
 * regexes, labels, structured metadata, match on LogQL selectors, label drop), then the client's
 * external labels.
 *
 * The input is the configuration as written into the ConfigMap (promtail.yaml parsed as YAML,
 * config.alloy parsed by ./alloy-syntax.ts), read back into stages by `fromPromtail` / `fromAlloy`:
 * so what is simulated is what the DaemonSet would run. Only the constructs the stack uses are
 * implemented; anything else throws, so an unsupported construct cannot pass unnoticed.
 */
import { RelabelRule, Stage } from '../../charts/log-shipper/pipeline';
import { matchesSelector, streamSelector } from '../../charts/loki/logql';
import { Block, Expr, evaluate } from './alloy-syntax';

/** A configuration read back into shipper-neutral terms. */
export interface ShipperModel {
  readonly sources: readonly SourceModel[];
  /** Labels with fixed values added by the client. */
  readonly staticLabels: Readonly<Record<string, string>>;
  /** Labels whose value is an environment variable of the pod (label -> variable). */
  readonly envLabels: Readonly<Record<string, string>>;
}

export interface SourceModel {
  readonly name: string;
  readonly kind: 'pods' | 'files';
  readonly relabel?: readonly RelabelRule[];
  /** Promtail: only targets whose `__host__` equals $HOSTNAME are tailed. */
  readonly hostCheck?: boolean;
  /** Alloy: the discovery's field selector, before evaluation (`spec.nodeName=` + env). */
  readonly fieldSelector?: Expr;
  readonly path?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly stages: readonly Stage[];
}

// ---- Promtail ----------------------------------------------------------------------------------

function stageFromPromtail(s: Record<string, any>): Stage {
  const [name, ...rest] = Object.keys(s);
  if (rest.length > 0) throw new Error(`a stage has one name, got ${Object.keys(s).join(', ')}`);
  const v = s[name];
  switch (name) {
    case 'cri':
      if (Object.keys(v).length > 0) throw new Error('cri options are not simulated');
      return { kind: 'cri' };
    case 'multiline':
      return { kind: 'multiline', firstline: v.firstline, maxWaitTime: v.max_wait_time, maxLines: v.max_lines };
    case 'json':
      return { kind: 'json', expressions: v.expressions };
    case 'template':
      return { kind: 'template', source: v.source, template: v.template };
    case 'regex':
      return { kind: 'regex', expression: v.expression, ...(v.source ? { source: v.source } : {}) };
    case 'labels':
      return { kind: 'labels', values: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (x as string | null) || k])) };
    case 'structured_metadata':
      return { kind: 'structuredMetadata', values: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (x as string | null) || k])) };
    case 'match':
      if (v.action && v.action !== 'keep') throw new Error('match actions other than keep are not simulated');
      return { kind: 'match', selector: v.selector, stages: (v.stages ?? []).map(stageFromPromtail) };
    case 'labeldrop':
      return { kind: 'labelDrop', values: v };
    default:
      throw new Error(`stage ${name} is not simulated`);
  }
}

function relabelFromPromtail(r: Record<string, any>): RelabelRule {
  return {
    ...(r.source_labels ? { sourceLabels: r.source_labels } : {}),
    ...(r.separator !== undefined ? { separator: r.separator } : {}),
    ...(r.regex !== undefined ? { regex: r.regex } : {}),
    ...(r.target_label ? { targetLabel: r.target_label } : {}),
    ...(r.replacement !== undefined ? { replacement: r.replacement } : {}),
    ...(r.action ? { action: r.action } : {}),
  };
}

/** Reads promtail.yaml and the container's arguments (for `-client.external-labels`). */
export function fromPromtail(config: any, args: readonly string[]): ShipperModel {
  if (config.clients.length !== 1) throw new Error('one client expected');
  const envLabels: Record<string, string> = {};
  const staticLabels: Record<string, string> = { ...(config.clients[0].external_labels ?? {}) };
  for (const a of args) {
    const m = /^-client\.external-labels=(.*)$/.exec(a);
    if (!m) continue;
    for (const pair of m[1].split(',')) {
      const [k, v] = pair.split('=');
      const env = /^\$\(([A-Z_][A-Z0-9_]*)\)$/.exec(v);
      if (env) envLabels[k] = env[1];
      else staticLabels[k] = v;
    }
  }
  const sources: SourceModel[] = config.scrape_configs.map((sc: any): SourceModel => {
    const stages = (sc.pipeline_stages ?? []).map(stageFromPromtail);
    if (sc.kubernetes_sd_configs) {
      if (sc.kubernetes_sd_configs.length !== 1 || sc.kubernetes_sd_configs[0].role !== 'pod') throw new Error('one pod discovery expected');
      return { name: sc.job_name, kind: 'pods', relabel: (sc.relabel_configs ?? []).map(relabelFromPromtail), hostCheck: true, stages };
    }
    if (sc.static_configs?.length !== 1) throw new Error(`job ${sc.job_name}: one static config expected`);
    const { __path__: path, ...labels } = sc.static_configs[0].labels;
    return { name: sc.job_name, kind: 'files', path, labels, stages };
  });
  return { sources, staticLabels, envLabels };
}

// ---- Alloy -------------------------------------------------------------------------------------

function attr(b: Block, name: string): Expr | undefined {
  const a = b.body.find((x) => x.kind === 'attribute' && x.name === name);
  return a?.kind === 'attribute' ? a.value : undefined;
}

function str(b: Block, name: string): string | undefined {
  const e = attr(b, name);
  if (e === undefined) return undefined;
  if (e.kind !== 'string') throw new Error(`${b.name}.${name} must be a string literal`);
  return e.value;
}

function strMap(e: Expr | undefined): Record<string, string> {
  if (!e || e.kind !== 'object') throw new Error('expected an object');
  return Object.fromEntries(e.entries.map(([k, v]) => [k, v.kind === 'string' ? v.value : (() => { throw new Error(`${k} must be a string`); })()]));
}

function blocks(b: { body: readonly (Block | { kind: 'attribute' })[] }): Block[] {
  return b.body.filter((x): x is Block => x.kind === 'block');
}

function stageFromAlloy(b: Block): Stage {
  switch (b.name) {
    case 'stage.cri':
      if (b.body.length > 0) throw new Error('cri options are not simulated');
      return { kind: 'cri' };
    case 'stage.multiline': {
      const lines = attr(b, 'max_lines');
      return { kind: 'multiline', firstline: str(b, 'firstline')!, maxWaitTime: str(b, 'max_wait_time')!, maxLines: lines?.kind === 'number' ? lines.value : NaN };
    }
    case 'stage.json':
      return { kind: 'json', expressions: strMap(attr(b, 'expressions')) };
    case 'stage.template':
      return { kind: 'template', source: str(b, 'source')!, template: str(b, 'template')! };
    case 'stage.regex': {
      const source = str(b, 'source');
      return { kind: 'regex', expression: str(b, 'expression')!, ...(source ? { source } : {}) };
    }
    case 'stage.labels':
      return { kind: 'labels', values: Object.fromEntries(Object.entries(strMap(attr(b, 'values'))).map(([k, v]) => [k, v || k])) };
    case 'stage.structured_metadata':
      return { kind: 'structuredMetadata', values: Object.fromEntries(Object.entries(strMap(attr(b, 'values'))).map(([k, v]) => [k, v || k])) };
    case 'stage.match':
      if (attr(b, 'action') !== undefined) throw new Error('match actions are not simulated');
      return { kind: 'match', selector: str(b, 'selector')!, stages: blocks(b).map(stageFromAlloy) };
    case 'stage.label_drop': {
      const v = attr(b, 'values');
      if (v?.kind !== 'list') throw new Error('label_drop values must be a list');
      return { kind: 'labelDrop', values: v.items.map((x) => (x.kind === 'string' ? x.value : '?')) };
    }
    default:
      throw new Error(`${b.name} is not simulated`);
  }
}

function ruleFromAlloy(b: Block): RelabelRule {
  const labels = attr(b, 'source_labels');
  const separator = str(b, 'separator');
  const regex = str(b, 'regex');
  const target = str(b, 'target_label');
  const replacement = str(b, 'replacement');
  const action = str(b, 'action');
  return {
    ...(labels ? { sourceLabels: labels.kind === 'list' ? labels.items.map((x) => (x.kind === 'string' ? x.value : '?')) : [] } : {}),
    ...(separator !== undefined ? { separator } : {}),
    ...(regex !== undefined ? { regex } : {}),
    ...(target ? { targetLabel: target } : {}),
    ...(replacement !== undefined ? { replacement } : {}),
    ...(action ? { action: action as RelabelRule['action'] } : {}),
  };
}

function refTo(e: Expr | undefined): string {
  if (e?.kind !== 'ref') throw new Error('expected a reference');
  return e.path.join('.');
}

/**
 * Follows the component graph from loki.write back to each file source: loki.process <-
 * loki.source.file <- local.file_match <- discovery.relabel <- discovery.kubernetes.
 */
export function fromAlloy(top: readonly (Block | { kind: 'attribute' })[]): ShipperModel {
  const all = top.filter((x): x is Block => x.kind === 'block');
  const byId = new Map(all.map((b) => [`${b.name}.${b.label}`, b]));
  const get = (id: string): Block => {
    const b = byId.get(id);
    if (!b) throw new Error(`no component ${id}`);
    return b;
  };
  const writers = all.filter((b) => b.name === 'loki.write');
  if (writers.length !== 1) throw new Error('one loki.write expected');
  const staticLabels: Record<string, string> = {};
  const envLabels: Record<string, string> = {};
  const ext = attr(writers[0], 'external_labels');
  if (ext?.kind === 'object') {
    for (const [k, v] of ext.entries) {
      if (v.kind === 'string') staticLabels[k] = v.value;
      else if (v.kind === 'call' && v.fn.join('.') === 'sys.env' && v.args[0]?.kind === 'string') envLabels[k] = v.args[0].value;
      else throw new Error(`external label ${k} is neither a string nor sys.env()`);
    }
  }
  const writerReceiver = `loki.write.${writers[0].label}.receiver`;
  const sources: SourceModel[] = [];
  for (const proc of all.filter((b) => b.name === 'loki.process')) {
    const fwd = attr(proc, 'forward_to');
    if (fwd?.kind !== 'list' || fwd.items.map((x) => refTo(x)).join() !== writerReceiver) throw new Error(`${proc.label} must forward to ${writerReceiver}`);
    const tails = all.filter((b) => {
      const f = attr(b, 'forward_to');
      return b.name === 'loki.source.file' && f?.kind === 'list' && f.items.some((x) => refTo(x) === `loki.process.${proc.label}.receiver`);
    });
    if (tails.length !== 1) throw new Error(`loki.process.${proc.label}: one loki.source.file expected, got ${tails.length}`);
    const matchId = refTo(attr(tails[0], 'targets')).replace(/\.targets$/, '');
    const fileMatch = get(matchId);
    const stages = blocks(proc).map(stageFromAlloy);
    const pathTargets = attr(fileMatch, 'path_targets');
    if (pathTargets?.kind === 'list') {
      if (pathTargets.items.length !== 1) throw new Error('one static path target expected');
      const { __path__: path, ...labels } = evaluate(pathTargets.items[0], {}) as Record<string, string>;
      sources.push({ name: proc.label!, kind: 'files', path, labels, stages });
      continue;
    }
    const relabel = get(refTo(pathTargets).replace(/\.output$/, ''));
    const discovery = get(refTo(attr(relabel, 'targets')).replace(/\.targets$/, ''));
    if (str(discovery, 'role') !== 'pod') throw new Error('pod discovery expected');
    const selectors = blocks(discovery).filter((b) => b.name === 'selectors');
    const field = selectors.length === 1 ? attr(selectors[0], 'field') : undefined;
    sources.push({
      name: proc.label!,
      kind: 'pods',
      relabel: blocks(relabel).map(ruleFromAlloy),
      ...(field ? { fieldSelector: field } : {}),
      stages,
    });
  }
  return { sources, staticLabels, envLabels };
}

// ---- evaluation --------------------------------------------------------------------------------

/** A Go RE2 expression as a JavaScript one; RE2 has no lookaround or backreference. */
export function re2(expr: string): RegExp {
  let s = expr;
  let flags = '';
  if (s.startsWith('(?s)')) {
    flags = 's';
    s = s.slice(4);
  }
  if (/\(\?[=!]|\(\?<[=!]|\\[1-9]/.test(s)) throw new Error(`not RE2: ${expr}`);
  if (/\(\?[a-zA-Z]/.test(s.replace(/\(\?P</g, ''))) throw new Error(`inline flags are not simulated: ${expr}`);
  return new RegExp(s.replace(/\(\?P</g, '(?<'), flags);
}

/** Prometheus relabelling: anchored regexes, `;` separator, replacement expanded like Go's Regexp.Expand. */
export function relabel(rules: readonly RelabelRule[], input: Readonly<Record<string, string>>): Record<string, string> | null {
  const l: Record<string, string> = { ...input };
  for (const r of rules) {
    const value = (r.sourceLabels ?? []).map((n) => l[n] ?? '').join(r.separator ?? ';');
    const m = new RegExp(`^(?:${r.regex ?? '(.*)'})$`).exec(value);
    const action = r.action ?? 'replace';
    if (action === 'keep') {
      if (!m) return null;
    } else if (action === 'drop') {
      if (m) return null;
    } else {
      if (!m) continue;
      if (!r.targetLabel) throw new Error('replace needs a target_label');
      // Go: `$name` takes the longest run of letters, digits and '_'; a non-numeric name is empty here.
      const out = (r.replacement ?? '$1').replace(/\$\{(\w+)\}|\$(\w+)/g, (_x, a: string | undefined, b: string | undefined) => {
        const name = a ?? b ?? '';
        return /^[0-9]+$/.test(name) ? (m[Number(name)] ?? '') : '';
      });
      if (out === '') delete l[r.targetLabel];
      else l[r.targetLabel] = out;
    }
  }
  return l;
}

function glob(pattern: string): RegExp {
  if (pattern.includes('**')) throw new Error('** globs are not simulated');
  return new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
}

/** JMESPath, the subset the stack writes: `a.b`, `"quoted"` identifiers and `a || b`. */
export function jmespath(expr: string, doc: unknown): unknown {
  const alternatives = expr.split('||').map((x) => x.trim());
  for (const alt of alternatives) {
    const parts = alt.match(/"(?:[^"\\]|\\.)*"|[^.]+/g) ?? [];
    if (parts.join('.') !== alt) throw new Error(`JMESPath '${expr}' is not simulated`);
    let v: unknown = doc;
    for (const p of parts) {
      const key = p.startsWith('"') ? (JSON.parse(p) as string) : p;
      if (!p.startsWith('"') && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(p)) throw new Error(`JMESPath '${expr}' is not simulated`);
      v = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
    }
    const falsy = v === undefined || v === null || v === false || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
    if (!falsy || alt === alternatives[alternatives.length - 1]) return v ?? undefined;
  }
  return undefined;
}

/** Go text/template, the subset the stack writes: text, `{{ if X }}…{{ else }}…{{ end }}`, `{{ X }}`, `ToLower`, `ToUpper`. */
export function goTemplate(template: string, data: Readonly<Record<string, unknown>>): string {
  const tokens = template.split(/(\{\{-?\s*.*?\s*-?\}\})/).filter((t) => t !== '');
  let pos = 0;
  const value = (x: string): unknown => {
    const words = x.trim().split(/\s+/);
    const field = (w: string) => {
      if (!/^\.[A-Za-z_][A-Za-z0-9_]*$/.test(w)) throw new Error(`template term '${w}' is not simulated`);
      return data[w.slice(1)];
    };
    if (words.length === 1) return field(words[0]);
    if (words.length === 2 && (words[0] === 'ToLower' || words[0] === 'ToUpper')) {
      const v = field(words[1]);
      if (typeof v !== 'string') throw new Error(`${words[0]} of a non-string: the stage would fail`);
      return words[0] === 'ToLower' ? v.toLowerCase() : v.toUpperCase();
    }
    throw new Error(`template action '${x}' is not simulated`);
  };
  // `active` is false inside a branch not taken: its actions are skipped, as Go skips them.
  const run = (stopAt: string[], active: boolean): string => {
    let out = '';
    while (pos < tokens.length) {
      const t = tokens[pos];
      const action = /^\{\{-?\s*(.*?)\s*-?\}\}$/.exec(t)?.[1];
      if (action === undefined) {
        if (active) out += t;
        pos++;
        continue;
      }
      if (stopAt.includes(action)) return out;
      pos++;
      const cond = /^if\s+(.+)$/.exec(action);
      if (cond) {
        const v = active ? value(cond[1]) : undefined;
        const truthy = v !== undefined && v !== null && v !== '' && v !== false && v !== 0;
        const then = run(['else', 'end'], active && truthy);
        let other = '';
        if (tokens[pos] && /\{\{-?\s*else\s*-?\}\}/.test(tokens[pos])) {
          pos++;
          other = run(['end'], active && !truthy);
        }
        if (!tokens[pos] || !/\{\{-?\s*end\s*-?\}\}/.test(tokens[pos])) throw new Error('unterminated if');
        pos++;
        out += truthy ? then : other;
        continue;
      }
      if (['else', 'end'].includes(action)) throw new Error(`unexpected {{ ${action} }}`);
      if (active) {
        const v = value(action);
        out += v === undefined ? '<no value>' : String(v);
      }
    }
    if (stopAt.length > 0) throw new Error(`template: missing {{ ${stopAt.join(' or ')} }}`);
    return out;
  };
  return run([], true);
}

export interface Entry {
  labels: Record<string, string>;
  line: string;
  extracted: Record<string, unknown>;
  metadata: Record<string, string>;
}

const CRI = /^(?<time>\S+?) (?<stream>stdout|stderr) (?<flags>\S+?) (?<content>.*)$/s;

function asString(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function runStages(stages: readonly Stage[], input: Entry[]): Entry[] {
  let entries = input;
  for (const s of stages) {
    switch (s.kind) {
      case 'cri':
        for (const e of entries) {
          const m = CRI.exec(e.line);
          if (!m?.groups) continue;
          if (m.groups.flags !== 'F') throw new Error('partial CRI lines are not simulated');
          Object.assign(e.extracted, m.groups);
          e.labels.stream = m.groups.stream;
          e.line = m.groups.content;
        }
        break;
      case 'multiline': {
        const first = re2(s.firstline);
        const merged: Entry[] = [];
        for (const e of entries) {
          const last = merged[merged.length - 1];
          if (last && !first.test(e.line) && last.line.split('\n').length < s.maxLines) last.line += `\n${e.line}`;
          else merged.push(e);
        }
        entries = merged;
        break;
      }
      case 'json':
        for (const e of entries) {
          let doc: unknown;
          try {
            doc = JSON.parse(e.line);
          } catch {
            continue;
          }
          for (const [k, expr] of Object.entries(s.expressions)) {
            const v = jmespath(expr, doc);
            if (v !== undefined) e.extracted[k] = v;
          }
        }
        break;
      case 'template':
        for (const e of entries) {
          const data: Record<string, unknown> = { ...e.extracted, Entry: e.line };
          if (s.source in e.extracted) data.Value = asString(e.extracted[s.source]);
          const out = goTemplate(s.template, data);
          if (out === '') delete e.extracted[s.source];
          else e.extracted[s.source] = out;
        }
        break;
      case 'regex': {
        const re = re2(s.expression);
        for (const e of entries) {
          const src = s.source === undefined ? e.line : asString(e.extracted[s.source]);
          if (src === undefined) continue;
          const m = re.exec(src);
          // Go sets every named group on a match, "" for one that did not take part.
          if (m) for (const [k, v] of Object.entries(m.groups ?? {})) e.extracted[k] = v ?? '';
        }
        break;
      }
      case 'labels':
      case 'structuredMetadata':
        for (const e of entries) {
          for (const [name, key] of Object.entries(s.values)) {
            const v = asString(e.extracted[key]);
            if (v === undefined || v === '') continue;
            if (s.kind === 'labels') e.labels[name] = v;
            else e.metadata[name] = v;
          }
        }
        break;
      case 'match': {
        const matchers = streamSelector(s.selector);
        const matching = entries.filter((e) => matchesSelector(matchers, e.labels));
        const done = new Set(runStages(s.stages, matching));
        if (done.size !== matching.length) throw new Error('nested stages that add or merge entries are not simulated');
        break;
      }
      case 'labelDrop':
        for (const e of entries) for (const l of s.values) delete e.labels[l];
        break;
    }
  }
  return entries;
}

/** A pod as discovery sees it, and its log file on the node. */
export interface PodFixture {
  /** Discovery labels (`__meta_kubernetes_*`). */
  readonly meta: Readonly<Record<string, string>>;
  /** Path of its log file under /var/log/pods. */
  readonly file: string;
  /** Raw lines of the file (CRI format). */
  readonly lines: readonly string[];
  /** Files the pod writes on its volumes, at their path on the node (under the kubelet's pods directory). */
  readonly volumeFiles?: readonly { readonly path: string; readonly lines: readonly string[] }[];
}

export interface HostFileFixture {
  readonly path: string;
  readonly lines: readonly string[];
}

export interface Shipped {
  readonly source: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly line: string;
}

/** What the shipper on `node` sends to Loki for these pods and host files. */
export function ship(model: ShipperModel, world: { node: string; pods: readonly PodFixture[]; hostFiles: readonly HostFileFixture[] }): Shipped[] {
  const env = { HOSTNAME: world.node };
  const out: Shipped[] = [];
  const emit = (source: SourceModel, labels: Record<string, string>, lines: readonly string[]) => {
    const entries = runStages(
      source.stages,
      lines.map((line) => ({ labels: { ...labels }, line, extracted: {}, metadata: {} })),
    );
    for (const e of entries) {
      const final: Record<string, string> = { ...e.labels, ...model.staticLabels };
      for (const [label, variable] of Object.entries(model.envLabels)) final[label] = env[variable as 'HOSTNAME'] ?? '';
      out.push({ source: source.name, labels: final, metadata: e.metadata, line: e.line });
    }
  };
  for (const source of model.sources) {
    if (source.kind === 'files') {
      const re = glob(source.path!);
      for (const f of world.hostFiles.filter((x) => re.test(x.path))) emit(source, { ...source.labels, filename: f.path }, f.lines);
      continue;
    }
    let pods = world.pods;
    if (source.fieldSelector) {
      const selector = evaluate(source.fieldSelector, env) as string;
      const m = /^spec\.nodeName=(.+)$/.exec(selector);
      if (!m) throw new Error(`field selector '${selector}' is not simulated`);
      pods = pods.filter((p) => p.meta.__meta_kubernetes_pod_node_name === m[1]);
    }
    for (const pod of pods) {
      const target = relabel(source.relabel ?? [], pod.meta);
      if (!target) continue;
      if (source.hostCheck && target.__host__ !== world.node) continue;
      if (!target.__path__) continue;
      const labels = Object.fromEntries(Object.entries(target).filter(([k]) => !k.startsWith('__')));
      const re = glob(target.__path__);
      for (const f of [{ path: pod.file, lines: pod.lines }, ...(pod.volumeFiles ?? [])]) {
        if (re.test(f.path)) emit(source, { ...labels, filename: f.path }, f.lines);
      }
    }
  }
  return out;
}
