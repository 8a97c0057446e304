/**
 * The object-store configuration every Thanos component that touches the bucket reads
 * (`--objstore.config-file`), and how its credentials reach the process.
 *
 * The decision: the file is rendered here, into a ConfigMap, with every credential written as a
 * `$(VARIABLE)` reference; the container sets those variables from the Secret the operator made
 * (`secretKeyRef`), and Thanos substitutes them when it reads the file (its objstore flag is
 * registered with environment substitution, pkg/extkingpin/flags.go). So the bucket, endpoint,
 * region and TLS settings are validated and visible in dist/, and no secret value ever is. A
 * missing Secret or key keeps the pod in CreateContainerConfigError, never running without
 * credentials. GCS takes a key file instead: the Secret key is mounted and
 * GOOGLE_APPLICATION_CREDENTIALS names it.
 */
import { k8s } from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { secretVolume } from '../lib/pod';
import { ThanosSettings } from './settings';

/** Where the `thanos-config` ConfigMap is mounted in every Thanos container. */
export const THANOS_CONFIG_DIR = '/etc/thanos/config';
export const OBJSTORE_FILE = 'objstore.yml';
/** Query's Store API endpoints (`--endpoint.sd-config-file`). */
export const QUERY_ENDPOINTS_FILE = 'query-endpoints.yml';
/** Where the GCS key file is mounted. */
export const GCS_KEY_DIR = '/etc/thanos/gcs';

/** The variables the objstore file refers to, filled from the Secret. */
export const CREDENTIAL_ENV = {
  s3AccessKey: 'OBJSTORE_ACCESS_KEY',
  s3SecretKey: 'OBJSTORE_SECRET_KEY',
  azureAccountKey: 'OBJSTORE_ACCOUNT_KEY',
} as const;

const ref = (name: string) => `$(${name})`;

/** The objstore file as an object: `type`, `config` (Thanos's format, docs/storage.md upstream). */
export function objstoreConfig(s: ThanosSettings): Record<string, unknown> {
  const o = s.objectStorage;
  const bucket = o.bucket ?? '';
  switch (o.type) {
    case 's3':
      return {
        type: 'S3',
        config: {
          bucket,
          endpoint: o.s3.endpoint,
          ...(o.s3.region !== undefined ? { region: o.s3.region } : {}),
          insecure: o.s3.insecure,
          access_key: ref(CREDENTIAL_ENV.s3AccessKey),
          secret_key: ref(CREDENTIAL_ENV.s3SecretKey),
          ...(o.s3.insecureSkipVerify ? { http_config: { insecure_skip_verify: true } } : {}),
        },
      };
    case 'gcs':
      // No service_account here: the client reads GOOGLE_APPLICATION_CREDENTIALS.
      return { type: 'GCS', config: { bucket } };
    case 'azure':
      return {
        type: 'AZURE',
        config: {
          storage_account: o.azure.storageAccount ?? '',
          storage_account_key: ref(CREDENTIAL_ENV.azureAccountKey),
          container: bucket,
          endpoint: o.azure.endpoint,
        },
      };
  }
}

/** objstore.yml as written into the ConfigMap; strings quoted so a substituted key stays one scalar. */
export function renderObjstore(s: ThanosSettings): string {
  return YAML.stringify(objstoreConfig(s), { lineWidth: 0, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'PLAIN' });
}

/** The environment a bucket-reading container needs: the credentials, from the Secret only. */
export function credentialEnv(s: ThanosSettings): k8s.EnvVar[] {
  const o = s.objectStorage;
  const name = o.secretName ?? '';
  const fromSecret = (env: string, key: string): k8s.EnvVar => ({ name: env, valueFrom: { secretKeyRef: { name, key } } });
  switch (o.type) {
    case 's3':
      return [fromSecret(CREDENTIAL_ENV.s3AccessKey, o.s3.accessKeyKey), fromSecret(CREDENTIAL_ENV.s3SecretKey, o.s3.secretKeyKey)];
    case 'gcs':
      return [{ name: 'GOOGLE_APPLICATION_CREDENTIALS', value: `${GCS_KEY_DIR}/${o.gcs.serviceAccountKey}` }];
    case 'azure':
      return [fromSecret(CREDENTIAL_ENV.azureAccountKey, o.azure.accountKeyKey)];
  }
}

/** The Secret keys the credentials come from (for the secrets template and the docs). */
export function credentialKeys(s: ThanosSettings): { key: string; what: string }[] {
  const o = s.objectStorage;
  switch (o.type) {
    case 's3':
      return [
        { key: o.s3.accessKeyKey, what: 'the S3 access key id of a user that may read, write, list and delete in the bucket' },
        { key: o.s3.secretKeyKey, what: 'its secret access key' },
      ];
    case 'gcs':
      return [{ key: o.gcs.serviceAccountKey, what: 'the JSON key file of a service account with Storage Object Admin on the bucket' }];
    case 'azure':
      return [{ key: o.azure.accountKeyKey, what: 'the storage account key' }];
  }
}

/** Volumes and mounts of a bucket-reading container besides the config: GCS's key file. */
export function credentialVolumes(s: ThanosSettings): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const o = s.objectStorage;
  if (o.type !== 'gcs') return { volumes: [], mounts: [] };
  return {
    volumes: [secretVolume('thanos-gcs-key', o.secretName ?? '', [{ key: o.gcs.serviceAccountKey, path: o.gcs.serviceAccountKey }])],
    mounts: [{ name: 'thanos-gcs-key', mountPath: GCS_KEY_DIR, readOnly: true }],
  };
}
