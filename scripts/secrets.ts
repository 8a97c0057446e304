/**
 * The Secrets an environment needs before `kubectl apply -f dist/` can start every pod, derived
 * from its configuration (names, keys, which receivers are enabled), and their `.env`-style
 * templates: what `npm run secrets-template` writes and README's "Secrets" section uses.
 *
 * A test (test/secrets/templates.test.ts) holds this list against the synthesized manifests: every
 * Secret a workload references (env, envFrom, volumes) is here with exactly the keys it reads, and
 * nothing else is.
 */
import { ALERTMANAGER_PATHS } from '../charts/alertmanager/alertmanager';
import { secretFiles } from '../charts/alertmanager/routing';
import { StackConfig } from '../charts/config';
import { sharedOf } from '../charts/stack';
import { credentialKeys } from '../charts/thanos/objstore';

export interface SecretKeyNeed {
  readonly key: string;
  /** What the value is. */
  readonly what: string;
  /** The pod starts without it (the backend's optional SENTRY_DSN). @default false */
  readonly optional?: boolean;
}

export interface SecretNeed {
  readonly name: string;
  readonly namespace: string;
  /** Who reads it, for the template's header. */
  readonly usedBy: string;
  /** Base name of the template and of the file you fill in: `<file>.env.example`, `<file>.env`. */
  readonly file: string;
  readonly keys: readonly SecretKeyNeed[];
  /**
   * The workload reads every key of the Secret as environment (`envFrom`), so keys the stack
   * cannot know (the backend's payment keys) belong in it too. @default false
   */
  readonly open?: boolean;
}

/** Every generic Secret the environment's workloads read, in the order to create them. */
export function secretsOf(config: StackConfig): SecretNeed[] {
  const { endpoints } = sharedOf(config);
  const am = config.alertmanager;
  const g = config.grafana.adminSecret;
  const pg = config.postgresExporter.dsnSecret;
  const redis = config.redisExporter;
  return [
    {
      name: config.backend.envSecret,
      namespace: endpoints.backend.namespace,
      usedBy: 'the backend, as its environment (envFrom)',
      file: 'backend',
      open: true,
      keys: [
        { key: 'DATABASE_URL', what: 'Postgres connection string, postgresql://user:password@host:5432/database' },
        { key: 'REDIS_URL', what: 'Redis connection string, redis://:password@host:6379' },
        { key: 'TELEGRAM_BOT_TOKEN', what: 'the Telegram bot token from @BotFather' },
        { key: 'SENTRY_DSN', what: 'Sentry DSN: critical errors also go to Sentry; leave the line out to turn it off', optional: true },
      ],
    },
    {
      name: am.secretName,
      namespace: endpoints.alertmanager.namespace,
      usedBy: `Alertmanager, read from files (only the receivers enabled in config/${config.environment}.yaml)`,
      file: 'alertmanager',
      keys: secretFiles(am, { secretsDir: ALERTMANAGER_PATHS.secretsDir }).map((f) => ({ key: f.key, what: f.what })),
    },
    {
      name: g.name,
      namespace: endpoints.grafana.namespace,
      usedBy: 'Grafana, read from files; used once, when Grafana creates its database (docs/grafana.md)',
      file: 'grafana-admin',
      keys: [
        { key: g.userKey, what: "the admin user's name, e.g. admin" },
        { key: g.passwordKey, what: 'the admin password' },
      ],
    },
    {
      name: pg.name,
      namespace: endpoints.postgresExporter.namespace,
      usedBy: 'postgres-exporter',
      file: 'postgres-exporter',
      keys: [{ key: pg.key, what: 'DSN of the monitoring role, postgresql://monitor:password@host:5432/database?sslmode=require (docs/metrics.md)' }],
    },
    {
      name: redis.secretName,
      namespace: endpoints.redisExporter.namespace,
      usedBy: 'redis-exporter',
      file: 'redis-exporter',
      keys: [
        { key: redis.addressKey, what: 'Redis address, redis://host:6379' },
        { key: redis.passwordKey, what: 'Redis password (empty when Redis has none)' },
      ],
    },
    ...(config.thanos.enabled && config.thanos.objectStorage.secretName !== undefined
      ? [
          {
            name: config.thanos.objectStorage.secretName,
            namespace: endpoints.thanosQuery.namespace,
            usedBy: `the Thanos sidecar (in the Prometheus pods), store gateway and compactor: the ${config.thanos.objectStorage.type} credentials (docs/thanos.md)`,
            file: 'thanos-objstore',
            keys: credentialKeys(config.thanos),
          },
        ]
      : []),
    ...(config.loki.mode === 'simple-scalable' && config.loki.objectStorage.secretName !== undefined
      ? [
          {
            name: config.loki.objectStorage.secretName,
            namespace: endpoints.lokiWrite.namespace,
            usedBy: "Loki's write, read and backend pods: the S3 credentials of its bucket (docs/logs.md)",
            file: 'loki-objstore',
            keys: [
              { key: config.loki.objectStorage.accessKeyIdKey, what: 'the S3 access key id of a user that may read, write, list and delete in the chunks bucket' },
              { key: config.loki.objectStorage.secretAccessKeyKey, what: 'its secret access key' },
            ],
          },
        ]
      : []),
  ];
}

/** A registry-credentials Secret (`kubernetes.io/dockerconfigjson`) a pod pulls its image with. */
export interface PullSecretNeed {
  readonly name: string;
  readonly namespace: string;
  /** The registry host of the image (`ghcr.io`; Docker Hub when the repository names none). */
  readonly server: string;
}

/** The registry host of an image repository, as the kubelet matches credentials to it. */
export function registryOf(repository: string): string {
  const first = repository.split('/')[0];
  return repository.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'https://index.docker.io/v1/';
}

/** The backend's image pull Secrets (`backend.imagePullSecrets`). */
export function pullSecretsOf(config: StackConfig): PullSecretNeed[] {
  const ns = sharedOf(config).endpoints.backend.namespace;
  return config.backend.imagePullSecrets.map((name) => ({ name, namespace: ns, server: registryOf(config.backend.image.repository) }));
}

/** The one command creating a pull Secret (not an env file: kubectl builds the dockerconfigjson). */
export function pullSecretCommand(p: PullSecretNeed): string {
  return `kubectl -n ${p.namespace} create secret docker-registry ${p.name} --docker-server=${p.server} --docker-username=<user> --docker-password="$(cat secrets/<env>/${p.name}.token)"`;
}

/** Where the templates go by default: `secrets/<environment>/`, git-ignored. */
export function defaultSecretsDir(environment: string): string {
  return `secrets/${environment}`;
}

/** The `.env`-style template of one Secret, in the format `kubectl create secret --from-env-file` reads. */
export function envTemplate(s: SecretNeed, environment: string, dir = defaultSecretsDir(environment)): string {
  const filled = `${dir}/${s.file}.env`;
  const lines = [
    `# Secret ${s.name} (namespace ${s.namespace}) for ${environment}: ${s.usedBy}.`,
    `# Generated by \`npm run secrets-template -- --env ${environment}\` from config/${environment}.yaml; regenerate after changing it.`,
    `# Copy to ${filled} (git-ignored), put each value after its '=' (the rest of the line, no quotes), then:`,
    `#   kubectl -n ${s.namespace} create secret generic ${s.name} --from-env-file=${filled}`,
    `# To change it later: the same command with --dry-run=client -o yaml | kubectl apply -f -`,
  ];
  if (s.open) lines.push('# Every key of this file becomes an environment variable: add the other keys the backend reads (payment provider keys) below.');
  for (const k of s.keys) {
    lines.push('', `# ${k.what}${k.optional ? ' (optional)' : ''}`, `${k.optional ? '# ' : ''}${k.key}=`);
  }
  return lines.join('\n') + '\n';
}
