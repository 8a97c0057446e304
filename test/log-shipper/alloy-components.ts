/**
 * The Alloy v1.18 components the shipper uses, with their arguments, blocks and exports as the
 * component reference documents them, and a checker for a parsed configuration: every block is a
 * known component or stage, every argument is known and of its type, required ones are present,
 * component labels are unique, and every reference (`loki.process.pods.receiver`) names an existing
 * component and one of its exports, of the type the argument expects.
 *
 * @see https://grafana.com/docs/alloy/v1.18/reference/components/ (discovery.kubernetes,
 * discovery.relabel, local.file_match, loki.source.file, loki.process, loki.write)
 */
import { Attribute, Block, Expr } from './alloy-syntax';

type ArgType = 'string' | 'number' | 'bool' | 'list' | 'map' | 'targets' | 'receivers';

interface BlockSpec {
  readonly args: Readonly<Record<string, ArgType>>;
  readonly required?: readonly string[];
  readonly blocks?: Readonly<Record<string, BlockSpec>>;
  /** Any `stage.*` block of loki.process may nest here (stage.match). */
  readonly stages?: boolean;
  /** Allowed values of string arguments. */
  readonly oneOf?: Readonly<Record<string, readonly string[]>>;
}

interface ComponentSpec extends BlockSpec {
  /** Exported fields and what they are. */
  readonly exports: Readonly<Record<string, 'targets' | 'receivers' | 'rules'>>;
}

/** loki.process stages (the ones this stack writes, with all their documented arguments). */
export const STAGES: Readonly<Record<string, BlockSpec>> = {
  'stage.cri': { args: { max_partial_lines: 'number', max_partial_line_size: 'number', max_partial_line_size_truncate: 'bool' } },
  'stage.json': { args: { expressions: 'map', source: 'string', drop_malformed: 'bool' }, required: ['expressions'] },
  'stage.template': { args: { source: 'string', template: 'string' }, required: ['source', 'template'] },
  'stage.regex': { args: { expression: 'string', source: 'string' }, required: ['expression'] },
  'stage.labels': { args: { values: 'map' } },
  'stage.structured_metadata': { args: { values: 'map' } },
  'stage.label_drop': { args: { values: 'list' } },
  'stage.multiline': { args: { firstline: 'string', max_lines: 'number', max_wait_time: 'string' }, required: ['firstline'] },
  'stage.match': {
    args: { selector: 'string', action: 'string', drop_counter_reason: 'string', pipeline_name: 'string' },
    required: ['selector'],
    stages: true,
    oneOf: { action: ['keep', 'drop'] },
  },
};

const RELABEL_ACTIONS = ['replace', 'keep', 'drop', 'hashmod', 'labelmap', 'labeldrop', 'labelkeep', 'lowercase', 'uppercase', 'keepequal', 'dropequal'];

export const COMPONENTS: Readonly<Record<string, ComponentSpec>> = {
  'discovery.kubernetes': {
    args: { role: 'string', api_server: 'string', kubeconfig_file: 'string' },
    required: ['role'],
    oneOf: { role: ['node', 'pod', 'service', 'endpoints', 'endpointslice', 'ingress'] },
    blocks: {
      namespaces: { args: { names: 'list', own_namespace: 'bool' } },
      selectors: { args: { role: 'string', label: 'string', field: 'string' }, required: ['role'] },
      attach_metadata: { args: { node: 'bool' } },
    },
    exports: { targets: 'targets' },
  },
  'discovery.relabel': {
    args: { targets: 'targets' },
    required: ['targets'],
    blocks: {
      rule: {
        args: { source_labels: 'list', separator: 'string', regex: 'string', modulus: 'number', target_label: 'string', replacement: 'string', action: 'string' },
        oneOf: { action: RELABEL_ACTIONS },
      },
    },
    exports: { output: 'targets', rules: 'rules' },
  },
  'local.file_match': {
    args: { path_targets: 'targets', sync_period: 'string', ignore_older_than: 'string' },
    required: ['path_targets'],
    exports: { targets: 'targets' },
  },
  'loki.source.file': {
    args: { targets: 'targets', forward_to: 'receivers', encoding: 'string', tail_from_end: 'bool', legacy_positions_file: 'string' },
    required: ['targets', 'forward_to'],
    blocks: {
      decompression: { args: { enabled: 'bool', format: 'string', initial_delay: 'string' }, required: ['enabled', 'format'] },
      file_watch: { args: { min_poll_frequency: 'string', max_poll_frequency: 'string' } },
    },
    exports: {},
  },
  'loki.process': { args: { forward_to: 'receivers' }, required: ['forward_to'], stages: true, exports: { receiver: 'receivers' } },
  'loki.write': {
    args: { external_labels: 'map', max_streams: 'number' },
    blocks: {
      endpoint: {
        args: {
          url: 'string',
          name: 'string',
          batch_size: 'string',
          batch_wait: 'string',
          remote_timeout: 'string',
          min_backoff_period: 'string',
          max_backoff_period: 'string',
          max_backoff_retries: 'number',
          retry_on_http_429: 'bool',
          tenant_id: 'string',
          headers: 'map',
        },
        required: ['url'],
      },
    },
    exports: { receiver: 'receivers' },
  },
};

/** Go duration strings, for the `*_period`, `*_time`, `*_wait`, `*_timeout` arguments. */
const DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
const DURATION_ARGS = /(_period|_wait|_time|_timeout|_frequency|_delay|sync_period)$/;

function typeOf(e: Expr, refType: (path: readonly string[]) => string | undefined): string {
  switch (e.kind) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'bool':
      return 'bool';
    case 'null':
      return 'null';
    case 'object':
      return 'map';
    case 'call':
      return e.fn.join('.') === 'sys.env' ? 'string' : 'unknown';
    case 'binary':
      return typeOf(e.left, refType) === 'string' && typeOf(e.right, refType) === 'string' ? 'string' : 'unknown';
    case 'ref':
      return refType(e.path) ?? 'unresolved';
    case 'list': {
      if (e.items.length > 0 && e.items.every((x) => x.kind === 'ref' && refType(x.path) === 'receivers')) return 'receivers';
      if (e.items.length > 0 && e.items.every((x) => x.kind === 'object')) return 'targets';
      return 'list';
    }
  }
}

/** Every problem of a parsed configuration, as `line N: message`. */
export function checkComponents(top: readonly (Attribute | Block)[]): string[] {
  const issues: string[] = [];
  const components = new Map<string, Block>();
  for (const item of top) {
    if (item.kind !== 'block') {
      issues.push(`line ${item.line}: top-level attribute '${item.name}' is not allowed`);
      continue;
    }
    if (!COMPONENTS[item.name]) {
      issues.push(`line ${item.line}: unknown component ${item.name}`);
      continue;
    }
    if (item.label === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(item.label)) issues.push(`line ${item.line}: ${item.name} needs a label made of letters, digits and '_'`);
    const id = `${item.name}.${item.label}`;
    if (components.has(id)) issues.push(`line ${item.line}: ${id} is declared twice`);
    components.set(id, item);
  }
  const refType = (path: readonly string[]): string | undefined => {
    for (const [id, block] of components) {
      const idParts = id.split('.');
      if (path.length === idParts.length + 1 && idParts.every((p, i) => p === path[i])) {
        const exp = COMPONENTS[block.name].exports[path[path.length - 1]];
        return exp;
      }
    }
    return undefined;
  };

  const checkBlock = (b: Block, spec: BlockSpec, where: string) => {
    const seen = new Set<string>();
    for (const item of b.body) {
      if (item.kind === 'attribute') {
        const want = spec.args[item.name];
        if (!want) {
          issues.push(`line ${item.line}: ${where} has no argument '${item.name}' (known: ${Object.keys(spec.args).join(', ')})`);
          continue;
        }
        if (seen.has(item.name)) issues.push(`line ${item.line}: ${where}.${item.name} is set twice`);
        seen.add(item.name);
        const got = typeOf(item.value, refType);
        if (got === 'unresolved') issues.push(`line ${item.line}: ${where}.${item.name} refers to ${item.value.kind === 'ref' ? item.value.path.join('.') : '?'}, which no component exports`);
        else if (!(got === want || (want === 'list' && got === 'targets'))) issues.push(`line ${item.line}: ${where}.${item.name} must be ${want}, got ${got}`);
        if (item.value.kind === 'string') {
          const allowed = spec.oneOf?.[item.name];
          if (allowed && !allowed.includes(item.value.value)) issues.push(`line ${item.line}: ${where}.${item.name} must be one of ${allowed.join(', ')}`);
          if (DURATION_ARGS.test(item.name) && !DURATION.test(item.value.value)) issues.push(`line ${item.line}: ${where}.${item.name} is not a duration: ${item.value.value}`);
        }
        if (item.value.kind === 'list' && want === 'receivers') {
          for (const r of item.value.items) if (r.kind !== 'ref' || refType(r.path) !== 'receivers') issues.push(`line ${item.line}: ${where}.${item.name} must list receivers`);
        }
      } else {
        const nested = spec.blocks?.[item.name] ?? (spec.stages ? STAGES[item.name] : undefined);
        if (!nested) issues.push(`line ${item.line}: ${where} has no block '${item.name}'`);
        else if (item.label !== undefined) issues.push(`line ${item.line}: ${item.name} takes no label`);
        else checkBlock(item, nested, `${where} > ${item.name}`);
      }
    }
    for (const r of spec.required ?? []) if (!seen.has(r)) issues.push(`line ${b.line}: ${where} is missing required argument '${r}'`);
  };

  for (const [id, block] of components) checkBlock(block, COMPONENTS[block.name], id);
  return issues;
}
