/**
 * Bad input, as a new user writes it: every kind is refused before anything is written, with the
 * field, the bad value and the fix. Each case is a real environment directory given to synthesize()
 * (the function `npm run synth` runs); a handful also run main.ts as a process, for the exit status
 * and the absence of a stack trace. Valid-but-dangerous values are refused unless overridden with a
 * reason (the last describe).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { ConfigError, ConfigIssue, durationToMillis, durationToSeconds, parseCidr } from '../charts/lib/schema';
import { MAX_CONFIG_BYTES } from '../charts/load-config';
import { synthesize } from '../charts/synth';
import { ROOT, merge, rawEnvironment } from './util';

interface Case {
  readonly name: string;
  /** Settings merged over config/production.yaml ... */
  readonly set?: Record<string, unknown>;
  /** ... or the whole text of config/production.yaml. */
  readonly text?: string;
  /** Settings merged over config/staging.yaml. */
  readonly staging?: Record<string, unknown>;
  /** Further files in config/. */
  readonly files?: Record<string, string>;
  /** The field the problem names (the environment prefix, `[production] `, is added when two environments load). */
  readonly path: string;
  /** Text of the problem that shows the bad value. */
  readonly value: string;
  /** Text of the fix. */
  readonly fix: string;
}

const SHA = 'a'.repeat(64);
const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefgh'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');

const CASES: Case[] = [
  // ---- the file itself
  { name: 'a YAML alias bomb', text: bomb, path: 'config/production.yaml', value: 'beyond 50 copies', fix: 'write the values out' },
  { name: 'a file that is a list', text: '- backend\n- prometheus\n', path: 'config/production.yaml', value: 'is a list, not a map', fix: "'section: { key: value }'" },
  { name: 'a file that is a scalar', text: 'production\n', path: 'config/production.yaml', value: "a single value ('production')", fix: "'section: { key: value }'" },
  { name: 'a file that is a number', text: '42\n', path: 'config/production.yaml', value: 'a single value (42)', fix: "'section: { key: value }'" },
  { name: 'an environment file ending in .yml', files: { 'qa.yml': 'cluster: qa\n' }, path: 'config/qa.yml', value: "is ignored: environment files end in '.yaml'", fix: 'rename it to config/qa.yaml' },
  { name: 'an environment file name that is not a DNS label', files: { 'QA_env.yaml': 'cluster: qa\n' }, path: 'config/QA_env.yaml', value: "'QA_env'", fix: 'lowercase letters' },
  { name: 'invalid YAML syntax', text: 'backend:\n  image: [unclosed\n', path: 'config/production.yaml', value: 'is not valid YAML at line', fix: 'correct the YAML' },
  { name: 'a key written twice', text: 'cluster: a\ncluster: b\n', path: 'config/production.yaml', value: 'Map keys must be unique', fix: 'correct the YAML' },
  { name: 'a binary tag', text: 'cluster: !!binary aGVsbG8=\n', path: 'config/production.yaml', value: "tag 'tag:yaml.org,2002:binary' at line 1", fix: 'remove the tag' },
  { name: 'an unknown tag', text: 'cluster: !vault secret/x\n', path: 'config/production.yaml', value: 'Unresolved tag: !vault', fix: 'correct the YAML' },
  { name: 'a key that is a list', text: '? [a, b]\n: c\n', path: 'config/production.yaml', value: 'a key that is a list or a map', fix: 'plain words as keys' },
  { name: 'two YAML documents', text: 'cluster: a\n---\ncluster: b\n', path: 'config/production.yaml', value: 'holds 2 YAML documents', fix: 'keep one document' },
  { name: 'a file too large to be a configuration', text: `# ${'x'.repeat(MAX_CONFIG_BYTES)}\ncluster: a\n`, path: 'config/production.yaml', value: 'bytes, more than any environment file needs', fix: 'keep only the settings' },
  { name: 'an environment key naming another environment', set: { environment: 'staging' }, path: 'environment', value: "is 'staging' inside config/production.yaml", fix: 'the file name sets it' },
  { name: 'a __proto__ key', text: 'backend:\n  __proto__: { replicas: 9 }\n', path: 'backend.__proto__', value: 'is not a known setting', fix: 'remove it' },

  // ---- types, keys, moved settings
  { name: 'a word where a number goes', set: { backend: { replicas: 'two' } }, path: 'backend.replicas', value: "got 'two'", fix: 'a whole number from 1 to 50' },
  { name: 'a fraction where a whole number goes', set: { backend: { replicas: 1.5 } }, path: 'backend.replicas', value: 'got 1.5', fix: 'a whole number' },
  { name: 'a number beyond exact integers', set: { loki: { maxStreams: 1e20 } }, path: 'loki.maxStreams', value: 'got 100000000000000000000', fix: 'a whole number from 100' },
  { name: 'an infinite number', text: 'backend:\n  image: { repository: a/b, tag: "1.0.0" }\nloki:\n  ingestionRateMb: .inf\n', path: 'loki.ingestionRateMb', value: 'got Infinity', fix: 'a whole number from 1 to 1024' },
  { name: 'a misspelled key', set: { backend: { replcias: 3 } }, path: 'backend.replcias', value: 'is not a known setting', fix: "did you mean 'backend.replicas'?" },
  { name: 'a key of an earlier layout', set: { alerts: { errorRatio: 0.1 } }, path: 'alerts.errorRatio', value: 'has moved to backend.alerts.errorRatio (got 0.1)', fix: 'write it as backend.alerts.errorRatio' },
  { name: 'a required setting missing', text: 'cluster: love-parser\nargocd:\n  repoURL: https://github.com/love-parser/monitoring.git\n', path: 'backend.image', value: 'is required and missing', fix: 'add backend.image with its settings repository, tag' },
  { name: 'a section that is a string', set: { prometheus: 'fast' }, path: 'prometheus', value: "got 'fast'", fix: 'set a map' },
  { name: 'a list where a map goes', set: { grafana: { adminSecret: ['a'] } }, path: 'grafana.adminSecret', value: 'got ["a"]', fix: 'set a map' },
  { name: 'one namespace for everything', set: { namespaces: { agents: 'monitoring', backend: 'monitoring' } }, path: 'namespaces', value: 'must be three different namespaces', fix: 'own namespace' },
  { name: 'a namespace that is not a DNS label', set: { namespaces: { monitoring: 'Monitoring_NS' } }, path: 'namespaces.monitoring', value: "got 'Monitoring_NS'", fix: 'DNS label' },
  { name: 'no pod could ever be evicted', set: { backend: { replicas: 2, minAvailable: 2 } }, path: 'backend.minAvailable', value: 'is 2 with backend.replicas 2', fix: 'below 2' },

  // ---- network
  { name: 'an SMTP port above 65535', set: { alertmanager: { email: { smarthost: 'smtp.example.org:99999' } } }, path: 'alertmanager.email.smarthost', value: "'smtp.example.org:99999'", fix: 'a port from 1 to 65535' },
  { name: 'SMTP port 0', set: { alertmanager: { email: { smarthost: 'smtp.example.org:0' } } }, path: 'alertmanager.email.smarthost', value: "'smtp.example.org:0'", fix: 'a port from 1 to 65535' },
  { name: 'an SMTP host with an empty label', set: { alertmanager: { email: { smarthost: 'smtp..example.org:587' } } }, path: 'alertmanager.email.smarthost', value: "'smtp..example.org:587'", fix: 'host:port' },
  { name: 'an SMTP address beyond 255', set: { alertmanager: { email: { smarthost: '10.0.0.256:587' } } }, path: 'alertmanager.email.smarthost', value: "'10.0.0.256'", fix: 'host:port' },
  { name: 'a CIDR of impossible numbers', set: { network: { nodeCidrs: ['999.1.1.1/99'] } }, path: 'network.nodeCidrs[0]', value: "'999.1.1.1/99'", fix: "a CIDR such as '10.0.0.0/16'" },
  { name: 'a prefix of /33', set: { network: { apiServerCidrs: ['10.0.0.0/33'] } }, path: 'network.apiServerCidrs[0]', value: "'10.0.0.0/33'", fix: 'a CIDR such as' },
  { name: 'a CIDR with host bits', set: { network: { nodeCidrs: ['10.1.2.3/16'] } }, path: 'network.nodeCidrs[0]', value: "'10.1.2.3/16'", fix: "'10.1.0.0/16'" },
  { name: 'an IPv6 CIDR with host bits', set: { network: { nodeCidrs: ['fd00::1/64'] } }, path: 'network.nodeCidrs[0]', value: "'fd00::1/64'", fix: "'fd00::/64'" },
  { name: 'a word for a CIDR', set: { network: { nodeCidrs: ['everywhere'] } }, path: 'network.nodeCidrs[0]', value: "got 'everywhere'", fix: 'IPv4 or IPv6 CIDR' },
  { name: 'a CIDR listed twice', set: { network: { nodeCidrs: ['10.0.0.0/8', '10.0.0.0/8'] } }, path: 'network.nodeCidrs', value: 'duplicate items', fix: 'list each item once' },
  { name: 'production open to any API server address without saying so', set: { overrides: [] }, path: 'network.apiServerCidrs', value: 'which hold API tokens, may reach any address on ports 443, 6443', fix: "the control plane's addresses" },
  { name: 'a Postgres port of 0', set: { network: { postgresPort: 0 } }, path: 'network.postgresPort', value: 'got 0', fix: 'from 1 to 65535' },
  { name: 'Redis and Postgres on one port', set: { network: { redisPort: 5432 } }, path: 'network.redisPort', value: 'the same as network.postgresPort', fix: 'the port each server listens on' },
  { name: 'a DNS pod label without a value', set: { network: { dns: { podLabel: 'k8s-app' } } }, path: 'network.dns.podLabel', value: "got 'k8s-app'", fix: "'k8s-app=kube-dns'" },
  { name: 'a DNS cache address that is not a CIDR', set: { network: { dns: { cidrs: ['169.254.20.10'] } } }, path: 'network.dns.cidrs[0]', value: "got '169.254.20.10'", fix: "'169.254.20.10/32'" },
  { name: 'an API server port 0', set: { network: { apiServerPorts: [0] } }, path: 'network.apiServerPorts[0]', value: 'got 0', fix: 'from 1 to 65535' },

  // ---- Secrets and images
  { name: "a Secret key '..'", set: { alertmanager: { slack: { webhookUrlKey: '..' } } }, path: 'alertmanager.slack.webhookUrlKey', value: "got '..'", fix: "not '.' or '..'" },
  { name: "a Secret key starting with '..'", set: { postgresExporter: { dsnSecret: { key: '..data' } } }, path: 'postgresExporter.dsnSecret.key', value: "got '..data'", fix: "not starting with '..'" },
  { name: 'a Secret key with a slash', set: { redisExporter: { passwordKey: 'redis/password' } }, path: 'redisExporter.passwordKey', value: "got 'redis/password'", fix: 'a Secret key' },
  { name: 'a Secret name with capitals', set: { backend: { envSecret: 'Backend-Env' } }, path: 'backend.envSecret', value: "got 'Backend-Env'", fix: 'DNS subdomain' },
  { name: 'a repository with a port and no path', set: { backend: { image: { repository: 'backend:100' } } }, path: 'backend.image.repository', value: "got 'backend:100'", fix: "a port only as 'registry:5000/path'" },
  { name: 'a repository with its tag', set: { backend: { image: { repository: 'ghcr.io/love-parser/backend:1.0.0' } } }, path: 'backend.image.repository', value: "'ghcr.io/love-parser/backend:1.0.0'", fix: '(no tag' },
  { name: 'a repository in capitals', set: { backend: { image: { repository: 'GHCR.io/Love/Backend' } } }, path: 'backend.image.repository', value: "'GHCR.io/Love/Backend'", fix: 'an image repository' },
  { name: 'the tag latest', set: { backend: { image: { tag: 'latest' } } }, path: 'backend.image.tag', value: "got 'latest'", fix: "not 'latest'" },
  { name: 'the image tag 1', set: { backend: { image: { tag: '1' } } }, path: 'backend.image.tag', value: "is '1', a release line", fix: "'1.4@sha256:<digest>'" },
  { name: 'the image tag v2.1', set: { backend: { image: { tag: 'v2.1' } } }, path: 'backend.image.tag', value: "is 'v2.1', a release line", fix: "the full release, such as '1.4.2'" },
  { name: 'a digest that is not sha256 of 64 hex digits', set: { backend: { image: { tag: '1.0.0@sha256:abc' } } }, path: 'backend.image.tag', value: "got '1.0.0@sha256:abc'", fix: "'1.4.2@sha256:<64 hex digits>'" },
  { name: 'the SMS token key equal to the URL key', set: { alertmanager: { sms: { tokenKey: 'sms-webhook-url' } } }, path: 'alertmanager.sms.tokenKey', value: "the same key of Secret 'alertmanager-receivers' as sms.urlKey", fix: 'its own key' },
  { name: 'the PagerDuty key equal to the Slack key', set: { alertmanager: { pagerduty: { routingKeyKey: 'slack-webhook-url' } } }, path: 'alertmanager.pagerduty.routingKeyKey', value: 'as slack.webhookUrlKey', fix: 'its own key' },
  { name: "Grafana's password key equal to its user key", set: { grafana: { adminSecret: { passwordKey: 'admin-user' } } }, path: 'grafana.adminSecret.passwordKey', value: "is 'admin-user', the same key of Secret 'grafana-admin'", fix: 'its own key' },
  { name: "Redis's password key equal to its address key", set: { redisExporter: { passwordKey: 'address' } } , path: 'redisExporter.passwordKey', value: "is 'address'", fix: 'its own key' },

  // ---- sizes and resources
  { name: 'a storage size of 99999...Ti', set: { prometheus: { storage: { size: '9999999999999999Ti' } } }, path: 'prometheus.storage.size', value: "'9999999999999999Ti', larger than any volume", fix: "such as '50Gi'" },
  { name: 'a storage size in GB', set: { prometheus: { storage: { size: '50GB' } } }, path: 'prometheus.storage.size', value: "got '50GB'", fix: "'50Gi'" },
  { name: 'a 2Gi Prometheus volume for 30 days', set: { prometheus: { storage: { size: '2Gi' } } }, path: 'prometheus.storage.size', value: "is '2Gi', smaller than the 5Gi that 30d of prometheus.expectedSeries 12954 every 15s needs", fix: "at least '5Gi'" },
  { name: 'a year of retention on the default claim', set: { prometheus: { retention: '1y' } }, path: 'prometheus.storage.size', value: "is '15Gi', smaller than the 53Gi that 1y", fix: 'shorten prometheus.retention' },
  { name: 'a 1Mi Alertmanager volume', set: { alertmanager: { storage: { size: '1Mi' } } }, path: 'alertmanager.storage.size', value: "is '1Mi', below this volume's floor of 1Gi", fix: "use at least '1Gi'" },
  { name: 'a 1Mi Grafana volume', set: { grafana: { storage: { size: '1Mi' } } }, path: 'grafana.storage.size', value: "is '1Mi'", fix: 'overrides' },
  { name: 'a 1Gi Loki volume with 1 GiB/s of ingest', set: { loki: { storage: { size: '1Gi' }, ingestionRateMb: 1024, ingestionBurstMb: 2048 } }, path: 'loki.storage.size', value: "is '1Gi', which loki.ingestionRateMb 1024 MiB/s fills in 5 s", fix: 'at least an hour of the limit' },
  { name: 'a CPU request of 0', set: { backend: { resources: { requests: { cpu: '0' } } } }, path: 'backend.resources.requests.cpu', value: "is '0': a CPU quantity of 0", fix: "at least '10m'" },
  { name: 'a CPU limit of 0', set: { prometheus: { resources: { limits: { cpu: '0' } } } }, path: 'prometheus.resources.limits.cpu', value: "is '0'", fix: "at least '10m'" },
  { name: 'a CPU quantity finer than a millicore', set: { loki: { resources: { requests: { cpu: '0.0001' } } } }, path: 'loki.resources.requests.cpu', value: "got '0.0001'", fix: 'at most three decimals' },
  { name: 'a thousand cores', set: { grafana: { resources: { limits: { cpu: '999' } } } }, path: 'grafana.resources.limits.cpu', value: "is '999', more than any node has", fix: 'the cores the component needs' },
  { name: 'memory of 1Ki', set: { nodeExporter: { resources: { requests: { memory: '1Ki' } } } }, path: 'nodeExporter.resources.requests.memory', value: "is '1Ki'", fix: "at least '32Mi'" },
  { name: 'memory of 2Ti', set: { prometheus: { resources: { limits: { memory: '2048Gi' } } } }, path: 'prometheus.resources.limits.memory', value: "is '2048Gi', more than any node has", fix: 'what the component needs' },
  { name: 'a request above its limit', set: { prometheus: { resources: { requests: { memory: '8Gi' } } } }, path: 'prometheus.resources.requests.memory', value: "is '8Gi', above the limit '4Gi'", fix: 'at or below limits' },

  // ---- durations
  { name: 'a 1ms scrape interval', set: { prometheus: { scrapeInterval: '1ms', evaluationInterval: '1ms' } }, path: 'prometheus.scrapeInterval', value: "is '1ms', shorter than 1s", fix: "at least '1s'" },
  { name: 'a 1ms evaluation interval', set: { prometheus: { evaluationInterval: '1ms' } }, path: 'prometheus.evaluationInterval', value: "is '1ms'", fix: 'at least' },
  { name: 'a scrape interval longer than staleness allows', set: { prometheus: { scrapeInterval: '10m', evaluationInterval: '10m' } }, path: 'prometheus.scrapeInterval', value: "is '10m', longer than 2m", fix: "at most '2m'" },
  { name: 'a 1ms Prometheus retention', set: { prometheus: { retention: '1ms' } }, path: 'prometheus.retention', value: "is '1ms', shorter than 1d", fix: "at least '1d'" },
  { name: 'a retention of 99999999999999999999d', set: { prometheus: { retention: '99999999999999999999d' } }, path: 'prometheus.retention', value: 'longer than Prometheus and Alertmanager accept', fix: "'30d'" },
  { name: 'a Loki retention of 99999999999999999999d', set: { loki: { retention: '99999999999999999999d' } }, path: 'loki.retention', value: 'longer than Prometheus and Alertmanager accept', fix: "'30d'" },
  { name: 'a Loki retention of 36h', set: { loki: { retention: '36h' } }, path: 'loki.retention', value: "is '36h'; Loki's retention must be whole days", fix: "such as '30d'" },
  { name: 'a 1ms group wait', set: { alertmanager: { groupWait: '1ms' } }, path: 'alertmanager.groupWait', value: "is '1ms'", fix: "at least '1s'" },
  { name: 'a 1ms group interval', set: { alertmanager: { groupInterval: '1ms' } }, path: 'alertmanager.groupInterval', value: "is '1ms'", fix: "at least '1s'" },
  { name: 'a 1ms repeat interval', set: { alertmanager: { repeatInterval: '1ms', groupInterval: '1ms' } }, path: 'alertmanager.repeatInterval', value: "is '1ms'", fix: "at least '1s'" },
  { name: 'a peer timeout the last replica waits past the group interval', set: { alertmanager: { peerTimeout: '3m' } }, path: 'alertmanager.peerTimeout', value: "the last of 3 replicas waits 2 x '3m' before it sends, not shorter than alertmanager.groupInterval '5m'", fix: 'lower peerTimeout below 150s, or raise groupInterval' },
  { name: "a peer timeout the last replica waits past the heartbeat's repeat", set: { alertmanager: { peerTimeout: '30s', heartbeat: { interval: '1m' } } }, path: 'alertmanager.peerTimeout', value: "not shorter than the heartbeat's repeat of 54s", fix: 'raise alertmanager.heartbeat.interval' },
  { name: 'a repeat interval shorter than the group interval', set: { alertmanager: { repeatInterval: '1m' } }, path: 'alertmanager.repeatInterval', value: "is '1m', shorter than alertmanager.groupInterval '5m'", fix: 'at least groupInterval' },
  { name: 'a heartbeat every year', set: { alertmanager: { heartbeat: { enabled: true, interval: '1y' } } }, path: 'alertmanager.heartbeat.interval', value: "is '1y', longer than 1h", fix: "at most '1h'" },
  { name: 'a duration of zero', set: { backend: { alerts: { errorFor: '0s' } } }, path: 'backend.alerts.errorFor', value: "is '0s', a duration of zero", fix: "'1h30m'" },
  { name: 'a fractional duration', set: { rules: { rateWindow: '1.5h' } }, path: 'rules.rateWindow', value: "got '1.5h'", fix: "'1h30m'" },
  { name: 'units out of order', set: { backend: { alerts: { latencyFor: '30m1h' } } }, path: 'backend.alerts.latencyFor', value: "got '30m1h'", fix: "'1h30m'" },
  { name: 'a duration with a space', set: { backend: { alerts: { queueStuckFor: '10 m' } } }, path: 'backend.alerts.queueStuckFor', value: "got '10 m'", fix: "'5m'" },

  // ---- GitOps
  { name: 'a second environment syncing dist', staging: { argocd: { path: 'dist' } }, path: '[staging] argocd.path', value: "is 'dist', but the manifests of staging are written to dist-staging/", fix: "'dist-staging'" },
  { name: 'two environments syncing the same path', staging: { argocd: { path: 'dist' } }, path: '[staging] argocd.path', value: 'the same as the Application of production', fix: 'its own path' },
  { name: 'a path that is not the environment directory', set: { argocd: { path: 'manifests' } }, path: 'argocd.path', value: "is 'manifests'", fix: "set argocd.path to 'dist'" },
  { name: "the Argo CD project 'default'", set: { argocd: { project: 'default' } }, path: 'argocd.project', value: "is 'default'", fix: 'its own project' },

  // ---- loki on object storage (loki.mode simple-scalable)
  { name: 'loki simple-scalable without a chunks bucket', set: { loki: { mode: 'simple-scalable', objectStorage: { secretName: 'loki-objstore' } } }, path: 'loki.objectStorage.buckets.chunks', value: 'is required when loki.mode is simple-scalable', fix: 'love-parser-logs' },
  { name: 'loki simple-scalable without a Secret', set: { loki: { mode: 'simple-scalable', objectStorage: { buckets: { chunks: 'love-parser-logs' } } } }, path: 'loki.objectStorage.secretName', value: 'credentials come only from a Secret', fix: "'access-key-id' and 'secret-access-key'" },
  { name: 'a loki bucket with capitals and underscores', set: { loki: { objectStorage: { buckets: { chunks: 'Love_Logs' } } } }, path: 'loki.objectStorage.buckets.chunks', value: "is 'Love_Logs', not a valid bucket name", fix: "3-63 lowercase letters" },
  { name: 'a loki bucket with an S3-reserved suffix', set: { loki: { objectStorage: { buckets: { chunks: 'love-logs-s3alias' } } } }, path: 'loki.objectStorage.buckets.chunks', value: "S3 reserves the prefixes", fix: 'without them' },
  { name: 'a loki endpoint with a scheme', set: { loki: { objectStorage: { endpoint: 'https://minio.storage.svc:9000' } } }, path: 'loki.objectStorage.endpoint', value: 'a URL; Loki takes the endpoint without a scheme', fix: "'minio.storage.svc:9000'" },
  { name: 'a loki endpoint with a path', set: { loki: { objectStorage: { endpoint: 's3.eu-west-1.amazonaws.com/love-logs' } } }, path: 'loki.objectStorage.endpoint', value: 'a host followed by a path', fix: "'s3.eu-west-1.amazonaws.com'" },
  { name: 'loki simple-scalable with no read pods', set: { loki: { ...{ mode: 'simple-scalable', objectStorage: { buckets: { chunks: 'love-parser-logs' }, secretName: 'loki-objstore' } }, read: { replicas: 0 } } }, path: 'loki.read.replicas', value: 'is 0 while loki.mode is simple-scalable: without a read pod no query is answered', fix: 'at least 2 read pods' },
  { name: 'loki simple-scalable with no write pods', set: { loki: { ...{ mode: 'simple-scalable', objectStorage: { buckets: { chunks: 'love-parser-logs' }, secretName: 'loki-objstore' } }, write: { replicas: 0 } } }, path: 'loki.write.replicas', value: 'no log is accepted', fix: 'at least 2 write pods' },
  { name: 'loki insecure and insecureSkipVerify at once', set: { loki: { mode: 'simple-scalable', objectStorage: { buckets: { chunks: 'love-parser-logs' }, secretName: 'loki-objstore', insecure: true, insecureSkipVerify: true } } }, path: 'loki.objectStorage.insecureSkipVerify', value: 'plain http has no certificate to skip', fix: 'set one of them' },
  { name: 'loki write pods requesting more memory than their limit', set: { loki: { ...{ mode: 'simple-scalable', objectStorage: { buckets: { chunks: 'love-parser-logs' }, secretName: 'loki-objstore' } }, write: { resources: { requests: { memory: '2Gi' } } } } }, path: 'loki.write.resources.requests.memory', value: "is '2Gi', above the limit '1Gi'", fix: 'keep requests at or below limits' },

  // ---- overrides
  { name: 'an override without a reason', set: { overrides: [{ path: 'prometheus.retention' }] }, path: 'overrides[0].reason', value: 'is required and missing', fix: 'a reason of 15 to 500 characters' },
  { name: 'an override with a blank reason', set: { overrides: [{ path: 'prometheus.retention', reason: '                    ' }] }, path: 'overrides[0].reason', value: 'too short to say why', fix: 'say in a sentence' },
  { name: 'an override of a field that is fine', set: { overrides: [{ path: 'prometheus.retention', reason: 'we keep little history here' }] }, path: 'overrides[0].path', value: 'has nothing to override', fix: 'remove this override' },
  { name: 'an override of an invalid value', set: { backend: { replicas: 0 }, overrides: [{ path: 'backend.replicas', reason: 'we want no backend at all' }] }, path: 'overrides[0].path', value: 'cannot be overridden', fix: 'fix backend.replicas itself' },
];

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-'));
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

let n = 0;
/** A repository root with config/ for the case and a dist/ that must stay as it is. */
function setUp(c: Pick<Case, 'set' | 'text' | 'staging' | 'files'>): string {
  const root = path.join(scratch, `case-${n++}`);
  const config = path.join(root, 'config');
  fs.mkdirSync(config, { recursive: true });
  fs.writeFileSync(path.join(config, 'production.yaml'), c.text ?? YAML.stringify(merge(rawEnvironment('production'), c.set ?? {})));
  fs.writeFileSync(path.join(config, 'staging.yaml'), YAML.stringify(merge(rawEnvironment('staging'), c.staging ?? {})));
  for (const [f, text] of Object.entries(c.files ?? {})) fs.writeFileSync(path.join(config, f), text);
  fs.mkdirSync(path.join(root, 'dist'));
  fs.writeFileSync(path.join(root, 'dist', 'marker.yaml'), 'kept: true\n');
  return root;
}

/** What was written under root besides config/ and the marker. */
function written(root: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(root)) {
    if (e === 'config') continue;
    if (e === 'dist') {
      for (const f of fs.readdirSync(path.join(root, e))) if (f !== 'marker.yaml') out.push(`dist/${f}`);
    } else out.push(e);
  }
  return out;
}

function issuesOf(root: string): ConfigIssue[] {
  try {
    synthesize({ root, configDir: path.join(root, 'config') });
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e; // a crash: the test fails with its stack trace
  }
  throw new Error('synthesis accepted the bad input');
}

describe('bad input: the field, the value and the fix; nothing written', () => {
  test('there are at least 60 kinds', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const root = setUp(c);
    const issues = issuesOf(root);
    // Paths of the production file carry its name when both environments load.
    expect(issues.map((i) => i.path.replace(/^\[production\] /, ''))).toContain(c.path);
    const wanted = issues.filter((i) => i.path === c.path || i.path === `[production] ${c.path}`);
    const match = wanted.find((i) => i.message.includes(c.value) && i.fix.includes(c.fix));
    expect({ issue: match ?? wanted }).toEqual({ issue: expect.objectContaining({ message: expect.stringContaining(c.value), fix: expect.stringContaining(c.fix) }) });
    expect(written(root)).toEqual([]);
    expect(fs.readFileSync(path.join(root, 'dist', 'marker.yaml'), 'utf8')).toBe('kept: true\n');
  });
});

describe('as a process: exit status 1, the problems on stderr, no stack trace, nothing written', () => {
  const picked = ['a YAML alias bomb', 'a file that is a list', 'an SMTP port above 65535', 'a CIDR of impossible numbers', 'a second environment syncing dist', 'a retention of 99999999999999999999d'];
  test.each(picked)('%s', (name) => {
    const c = CASES.find((x) => x.name === name)!;
    const root = setUp(c);
    const r = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--transpile-only', 'main.ts', '--root', root, '--config', path.join(root, 'config')], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^configuration has \d+ problems?; nothing was written:\n/);
    expect(r.stderr).toContain(`${c.path}: `);
    expect(r.stderr).toContain(c.value);
    expect(r.stderr).toContain(c.fix);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack frame
    expect(r.stdout).toBe('');
    expect(written(root)).toEqual([]);
  });
});

describe('what a new user may write is accepted', () => {
  test('compound Prometheus durations, computed exactly', () => {
    expect(durationToSeconds('1h30m')).toBe(5400);
    expect(durationToSeconds('1d12h30m15s500ms')).toBe(131415.5);
    expect(durationToMillis('99999999999999999999d')).toBe(99999999999999999999n * 86400000n);
    expect(durationToMillis('30m1h')).toBeUndefined();
  });
  test('CIDRs of both families, in their network form', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ family: 4, canonical: '10.0.0.0/8', exact: true });
    expect(parseCidr('0.0.0.0/0')?.exact).toBe(true);
    expect(parseCidr('fd00:10::/64')).toEqual({ family: 6, canonical: 'fd00:10::/64', exact: true });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });
  test('a configuration with compound durations, a pinned digest and IPv6 node addresses synthesizes', () => {
    const root = setUp({
      set: {
        backend: { image: { tag: `1.0.0@sha256:${SHA}` }, alerts: { latencyFor: '1h30m' } },
        prometheus: { retention: '30d12h' },
        network: { nodeCidrs: ['10.0.0.0/16', 'fd00:10::/64'] },
      },
    });
    expect(synthesize({ root, configDir: path.join(root, 'config') })).toEqual(['dist', 'dist-staging', 'argocd']);
    const backend = YAML.parseAllDocuments(fs.readFileSync(path.join(root, 'dist', fs.readdirSync(path.join(root, 'dist')).find((f) => f.includes('backend'))!), 'utf8')).map((d) => d.toJS());
    const deployment = backend.find((m) => m.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].image).toBe(`ghcr.io/love-parser/backend:1.0.0@sha256:${SHA}`);
    expect(deployment.metadata.labels['app.kubernetes.io/version']).toBe('1.0.0');
  });
});

describe('dangerous values are kept with an override that says why', () => {
  test('each accepted danger is named with its reason, and only then', () => {
    const set = {
      prometheus: { retention: '12h' },
      backend: { image: { tag: '1' } },
      alertmanager: { sms: { tokenKey: 'sms-webhook-url' } },
      overrides: [
        { path: 'prometheus.retention', reason: 'a throwaway test cluster keeps half a day' },
        { path: 'backend.image.tag', reason: 'staging follows the 1.x release line on purpose' },
        { path: 'alertmanager.sms.tokenKey', reason: 'our SMS gateway takes its token inside the URL' },
        { path: 'network.apiServerCidrs', reason: 'the production control plane is set per cluster' },
      ],
    };
    const root = setUp({ set });
    expect(synthesize({ root, configDir: path.join(root, 'config') })).toContain('dist');
    // Without the overrides, the same three values are refused.
    const without = setUp({ set: { ...set, overrides: [] } });
    expect(issuesOf(without).map((i) => [i.path, i.overridable])).toEqual([
      ['[production] backend.image.tag', true],
      ['[production] prometheus.retention', true],
      ['[production] alertmanager.sms.tokenKey', true],
      // production.yaml's own override, dropped with the list: the API server left open is said on purpose.
      ['[production] network.apiServerCidrs', true],
    ]);
  });
  test("the override a component's own check offers, written as its fix says, keeps the value", () => {
    const set = { prometheus: { storage: { size: '2Gi' } }, loki: { storage: { size: '1Gi' }, ingestionRateMb: 1024, ingestionBurstMb: 2048 } };
    const offered = issuesOf(setUp({ set })).map((i) => /overrides: \[\{ path: '([^']+)'/.exec(i.fix)?.[1]);
    expect(offered).toEqual(['prometheus.storage.size', 'loki.storage.size']);
    const overrides = [
      ...offered.map((p) => ({ path: p, reason: 'a test cluster keeps a few hours' })),
      { path: 'network.apiServerCidrs', reason: "production.yaml's own, kept: the list replaces it" },
    ];
    const root = setUp({ set: { ...set, overrides } });
    expect(synthesize({ root, configDir: path.join(root, 'config') })).toContain('dist');
  });
  test('an override applies to its field only', () => {
    const root = setUp({
      set: {
        prometheus: { retention: '12h' },
        grafana: { storage: { size: '1Mi' } },
        network: { apiServerCidrs: ['10.0.0.1/32'] },
        overrides: [{ path: 'prometheus.retention', reason: 'a throwaway test cluster keeps half a day' }],
      },
    });
    expect(issuesOf(root).map((i) => i.path)).toEqual(['[production] grafana.storage.size']);
  });
});
