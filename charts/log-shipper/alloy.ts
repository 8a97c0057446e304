/**
 * The pipeline (./pipeline.ts) as a Grafana Alloy configuration, one component chain per source:
 *
 *   discovery.kubernetes (pods of this node) -> discovery.relabel (labels, __path__)
 *     -> local.file_match (globs) -> loki.source.file (tails, positions on the host)
 *     -> loki.process (stages) -> loki.write (Loki)
 *
 * Files, not `loki.source.kubernetes`: the latter streams every line through the API server (the
 * kubelet's log endpoint), adds load on the control plane and needs `pods/log` on every pod in the
 * cluster; reading /var/log/pods is what Promtail does, keeps the same positions semantics across
 * restarts and gives the same `filename`-free streams, so the switch changes nothing downstream.
 *
 * @see https://grafana.com/docs/alloy/v1.18/reference/components/
 */
import { LogPipeline, LogSource, NODE_ENV_VAR, RelabelRule, Stage } from './pipeline';

/** Ports and files of the Alloy container. */
export const ALLOY = {
  /** Same port as Promtail: one Service, one NetworkPolicy and one scrape job for either shipper. */
  httpPort: 9080,
  configDir: '/etc/alloy',
  configFile: '/etc/alloy/config.alloy',
  /** On the host: positions of loki.source.file live under it (--storage.path). */
  stateDir: '/var/lib/alloy',
} as const;

/** A reference or function call, written as is. */
class Expr {
  constructor(readonly text: string) {}
}
const expr = (text: string) => new Expr(text);

type Value = string | number | boolean | Expr | readonly Value[] | { readonly [k: string]: Value };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A string literal; raw (backticks) when that avoids escaping regular expressions and selectors. */
function str(s: string): string {
  if (/[\\"]/.test(s) && !s.includes('`')) return `\`${s}\``;
  return JSON.stringify(s);
}

function value(v: Value, indent: string): string {
  if (v instanceof Expr) return v.text;
  if (typeof v === 'string') return str(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => value(x, indent)).join(', ')}]`;
  const entries = Object.entries(v as Record<string, Value>);
  if (entries.length === 0) return '{}';
  const inner = indent + '  ';
  return `{\n${entries.map(([k, x]) => `${inner}${IDENT.test(k) ? k : str(k)} = ${value(x, inner)},`).join('\n')}\n${indent}}`;
}

/** A block: `name "label" { attributes, nested blocks }`. */
interface Block {
  readonly name: string;
  readonly label?: string;
  readonly attrs?: readonly (readonly [string, Value])[];
  readonly blocks?: readonly Block[];
}

function render(b: Block, indent = ''): string {
  const inner = indent + '  ';
  const head = `${indent}${b.name}${b.label !== undefined ? ` ${JSON.stringify(b.label)}` : ''} {`;
  const attrs = b.attrs ?? [];
  const blocks = b.blocks ?? [];
  if (attrs.length === 0 && blocks.length === 0) return `${head} }`;
  const width = Math.max(...attrs.map(([k]) => k.length), 0);
  const lines = [
    ...attrs.map(([k, v]) => `${inner}${k.padEnd(width)} = ${value(v, inner)}`),
    ...blocks.map((x) => render(x, inner)),
  ];
  return `${head}\n${lines.join('\n')}\n${indent}}`;
}

function stageBlock(s: Stage): Block {
  switch (s.kind) {
    case 'cri':
      return { name: 'stage.cri' };
    case 'multiline':
      return {
        name: 'stage.multiline',
        attrs: [
          ['firstline', s.firstline],
          ['max_wait_time', s.maxWaitTime],
          ['max_lines', s.maxLines],
        ],
      };
    case 'json':
      return { name: 'stage.json', attrs: [['expressions', { ...s.expressions }]] };
    case 'template':
      return {
        name: 'stage.template',
        attrs: [
          ['source', s.source],
          ['template', s.template],
        ],
      };
    case 'regex':
      return { name: 'stage.regex', attrs: [['expression', s.expression], ...(s.source ? ([['source', s.source]] as const) : [])] };
    case 'labels':
      return { name: 'stage.labels', attrs: [['values', { ...s.values }]] };
    case 'structuredMetadata':
      return { name: 'stage.structured_metadata', attrs: [['values', { ...s.values }]] };
    case 'match':
      return { name: 'stage.match', attrs: [['selector', s.selector]], blocks: s.stages.map(stageBlock) };
    case 'labelDrop':
      return { name: 'stage.label_drop', attrs: [['values', [...s.values]]] };
  }
}

function ruleBlock(r: RelabelRule): Block {
  const attrs: [string, Value][] = [];
  if (r.sourceLabels) attrs.push(['source_labels', [...r.sourceLabels]]);
  if (r.separator !== undefined) attrs.push(['separator', r.separator]);
  if (r.regex !== undefined) attrs.push(['regex', r.regex]);
  if (r.targetLabel) attrs.push(['target_label', r.targetLabel]);
  if (r.replacement !== undefined) attrs.push(['replacement', r.replacement]);
  if (r.action) attrs.push(['action', r.action]);
  return { name: 'rule', attrs };
}

const WRITER = 'default';
const DISCOVERY = 'pods';

function sourceBlocks(s: LogSource): Block[] {
  const process: Block = {
    name: 'loki.process',
    label: s.name,
    attrs: [['forward_to', [expr(`loki.write.${WRITER}.receiver`)]]],
    blocks: s.stages.map(stageBlock),
  };
  const tail: Block = {
    name: 'loki.source.file',
    label: s.name,
    attrs: [
      ['targets', expr(`local.file_match.${s.name}.targets`)],
      ['forward_to', [expr(`loki.process.${s.name}.receiver`)]],
    ],
  };
  if (s.kind === 'files') {
    return [{ name: 'local.file_match', label: s.name, attrs: [['path_targets', [{ __path__: s.path, ...s.labels }]]] }, tail, process];
  }
  return [
    { name: 'discovery.relabel', label: s.name, attrs: [['targets', expr(`discovery.kubernetes.${DISCOVERY}.targets`)]], blocks: s.relabel.map(ruleBlock) },
    { name: 'local.file_match', label: s.name, attrs: [['path_targets', expr(`discovery.relabel.${s.name}.output`)]] },
    tail,
    process,
  ];
}

function bytesSize(n: number): string {
  return n % 1048576 === 0 ? `${n / 1048576}MiB` : `${n}B`;
}

/** The whole configuration file. */
export function alloyConfig(p: LogPipeline): string {
  const blocks: Block[] = [];
  if (p.sources.some((s) => s.kind === 'pods')) {
    blocks.push({
      name: 'discovery.kubernetes',
      label: DISCOVERY,
      attrs: [['role', 'pod']],
      // Only this node's pods, filtered by the API server: the watch stays small on a big cluster.
      blocks: [
        {
          name: 'selectors',
          attrs: [
            ['role', 'pod'],
            ['field', expr(`"spec.nodeName=" + sys.env(${JSON.stringify(NODE_ENV_VAR)})`)],
          ],
        },
      ],
    });
  }
  for (const s of p.sources) blocks.push(...sourceBlocks(s));
  blocks.push({
    name: 'loki.write',
    label: WRITER,
    attrs: [['external_labels', { ...p.externalLabels, [p.nodeLabel]: expr(`sys.env(${JSON.stringify(NODE_ENV_VAR)})`) }]],
    blocks: [
      {
        name: 'endpoint',
        attrs: [
          ['url', p.lokiPushUrl],
          ['batch_wait', p.client.batchWait],
          ['batch_size', bytesSize(p.client.batchSizeBytes)],
          ['remote_timeout', p.client.timeout],
          ['min_backoff_period', p.client.minBackoff],
          ['max_backoff_period', p.client.maxBackoff],
          ['max_backoff_retries', p.client.maxRetries],
        ],
      },
    ],
  });
  return `// Generated by charts/log-shipper/alloy.ts from the shipper-neutral pipeline; do not edit.\n\n${blocks.map((b) => render(b)).join('\n\n')}\n`;
}

/** Command-line arguments of `alloy` (the image's entrypoint). */
export function alloyArgs(): string[] {
  return [
    'run',
    ALLOY.configFile,
    `--storage.path=${ALLOY.stateDir}/data`,
    `--server.http.listen-addr=0.0.0.0:${ALLOY.httpPort}`,
    // Only generally available components: a preview component cannot slip in unnoticed.
    '--stability.level=generally-available',
    '--disable-reporting',
  ];
}
