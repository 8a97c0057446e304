import { HEALTH } from '../../charts/backend/backend';
import { BACKEND_LOG_FILES } from '../../charts/contracts/logs';
import { find, synthStack, testConfig } from '../util';

describe('backend chart', () => {
  const { charts } = synthStack();
  const backend = charts.backend;

  test('matches the snapshot', () => {
    expect(backend).toMatchSnapshot();
  });

  test('runs the configured image and replicas, with a PodDisruptionBudget below them', () => {
    const d = find(backend, 'Deployment', 'backend');
    expect(d.metadata.namespace).toBe('love-parser');
    expect(d.spec.replicas).toBe(2);
    expect(d.spec.template.spec.containers[0].image).toBe('ghcr.io/love-parser/backend:1.0.0');
    const pdb = find(backend, 'PodDisruptionBudget', 'backend');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
  });

  test('binds liveness, readiness and a roomy startup probe to the health endpoints on port http', () => {
    const c = find(backend, 'Deployment', 'backend').spec.template.spec.containers[0];
    expect(c.ports).toEqual([{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toMatchObject({ path: HEALTH.live, port: 'http' });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: HEALTH.ready, port: 'http' });
    expect(c.startupProbe.httpGet).toMatchObject({ path: HEALTH.live, port: 'http' });
    expect(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold).toBeGreaterThanOrEqual(180);
  });

  test('takes its environment from the configured Secret, and writes no value of it', () => {
    const custom = synthStack(testConfig({ backend: { envSecret: 'backend-env-v2' } })).charts.backend;
    const c = find(custom, 'Deployment', 'backend').spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ secretRef: { name: 'backend-env-v2', optional: false } }]);
    expect(c.env.map((e: any) => e.name)).toEqual(['NODE_ENV', 'PORT', 'HOST']);
  });

  test('a backend Service on port 3000 selects exactly the Deployment pods', () => {
    const svc = find(backend, 'Service', 'backend');
    const d = find(backend, 'Deployment', 'backend');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' }]);
    expect(svc.spec.selector).toEqual(d.spec.selector.matchLabels);
  });

  test('its scrape job discovers every backend pod in its namespace and labels namespace and pod', () => {
    const { stack } = synthStack();
    const [job] = stack.backend.scrapeJobs as any[];
    expect(job.kubernetes_sd_configs[0]).toMatchObject({ role: 'pod', namespaces: { names: ['love-parser'] } });
    expect(job.metrics_path).toBe('/metrics');
    const targets = job.relabel_configs.map((r: any) => r.target_label).filter(Boolean);
    expect(targets).toEqual(expect.arrayContaining(['namespace', 'pod']));
    const d = find(backend, 'Deployment', 'backend');
    const selector = job.kubernetes_sd_configs[0].selectors[0].label as string;
    for (const pair of selector.split(',')) {
      const [k, v] = pair.split('=');
      expect(d.spec.template.metadata.labels[k]).toBe(v);
    }
  });

  test('a staging config scales it down', () => {
    const staging = synthStack(testConfig({}, 'staging')).charts.backend;
    expect(find(staging, 'Deployment', 'backend').spec.replicas).toBe(1);
    expect(find(staging, 'PodDisruptionBudget', 'backend').spec.minAvailable).toBe(0);
  });
});

describe("the backend's Winston log files (backend.logFiles)", () => {
  const pod = (backend: Record<string, unknown> = {}) => find(synthStack(testConfig({ backend })).charts.backend, 'Deployment', 'backend').spec.template.spec;

  test('off by default: only /tmp is writable, no LOG_DIR', () => {
    const p = pod();
    expect(p.volumes.map((v: any) => v.name)).toEqual(['tmp']);
    expect(p.containers[0].env.map((e: any) => e.name)).not.toContain('LOG_DIR');
  });

  test('on: a size-limited emptyDir at the configured path, named as the log shipper expects, LOG_DIR pointing at it; the root filesystem stays read-only', () => {
    const p = pod({ logFiles: { enabled: true, path: '/srv/app/logs', sizeLimit: '2Gi' } });
    const c = p.containers[0];
    expect(p.volumes).toContainEqual({ name: BACKEND_LOG_FILES.volume, emptyDir: { sizeLimit: '2Gi' } });
    expect(c.name).toBe(BACKEND_LOG_FILES.container);
    expect(c.volumeMounts).toContainEqual({ name: BACKEND_LOG_FILES.volume, mountPath: '/srv/app/logs' });
    expect(c.env).toContainEqual({ name: 'LOG_DIR', value: '/srv/app/logs' });
    expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
  });

  test('a relative path or one inside /tmp is refused with the fix', () => {
    expect(() => testConfig({ backend: { logFiles: { enabled: true, path: 'logs' } } })).toThrow("backend.logFiles.path: expected an absolute directory such as '/app/logs'");
    expect(() => testConfig({ backend: { logFiles: { enabled: true, path: '/tmp/logs' } } })).toThrow("backend.logFiles.path: is '/tmp/logs', inside the backend's /tmp scratch volume");
  });
});

describe('a private registry (backend.imagePullSecrets)', () => {
  const pod = (backend: Record<string, unknown> = {}) => find(synthStack(testConfig({ backend })).charts.backend, 'Deployment', 'backend').spec.template.spec;

  test('none by default; each configured Secret is an imagePullSecret of the pod', () => {
    expect(pod().imagePullSecrets).toBeUndefined();
    expect(pod({ imagePullSecrets: ['ghcr-pull', 'mirror-pull'] }).imagePullSecrets).toEqual([{ name: 'ghcr-pull' }, { name: 'mirror-pull' }]);
  });

  test('a name that is no Secret name, or a repeated one, is refused', () => {
    expect(() => testConfig({ backend: { imagePullSecrets: ['GHCR_pull'] } })).toThrow('backend.imagePullSecrets[0]');
    expect(() => testConfig({ backend: { imagePullSecrets: ['a', 'a'] } })).toThrow('backend.imagePullSecrets: has duplicate items');
  });
});
