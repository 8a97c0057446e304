import { HEALTH } from '../../charts/backend/backend';
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
