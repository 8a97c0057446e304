/**
 * Cross-cutting invariants over every object of every environment: what each workload must have no
 * matter which component wrote it.
 */
import { IMAGES } from '../charts/versions';
import { synthStack, testConfig, workloads } from './util';

const FLOATING = /:(latest|stable|main|master|edge|nightly|dev)$/;
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'StorageClass', 'PersistentVolume', 'PriorityClass']);

for (const env of ['production', 'staging']) {
  describe(`invariants (${env})`, () => {
    const config = testConfig({}, env);
    const { all } = synthStack(config);
    const ns = config.namespaces;
    const agentsNs = ns.agents;
    const pods = workloads(all).map((w) => ({ w, spec: w.spec.template.spec, labels: w.spec.template.metadata.labels }));
    const containersOf = (spec: any) => [...(spec.initContainers ?? []), ...spec.containers];

    test('there are workloads to check', () => {
      expect(pods.length).toBeGreaterThan(0);
    });

    test('every namespaced object is in one of the stack namespaces; cluster-scoped ones in none', () => {
      for (const m of all) {
        if (CLUSTER_SCOPED.has(m.kind)) expect({ obj: `${m.kind}/${m.metadata.name}`, ns: m.metadata.namespace }).toEqual({ obj: `${m.kind}/${m.metadata.name}`, ns: undefined });
        else expect([ns.monitoring, ns.agents, ns.backend]).toContain(m.metadata.namespace);
      }
    });

    test('no Secret object and no literal secret value anywhere', () => {
      expect(all.filter((m) => m.kind === 'Secret')).toEqual([]);
      for (const { w, spec } of pods) {
        for (const c of containersOf(spec)) {
          for (const e of c.env ?? []) {
            if (/PASSWORD|TOKEN|SECRET|DSN|API_KEY|WEBHOOK/i.test(e.name) && !/_FILE$/.test(e.name)) {
              expect({ workload: w.metadata.name, env: e.name, literal: e.value }).toEqual({ workload: w.metadata.name, env: e.name, literal: undefined });
            }
          }
        }
      }
    });

    test('every image is pinned: from versions.ts or the backend config, never floating', () => {
      const pinned = new Set<string>([...Object.values(IMAGES).map((i) => `${i.repository}:${i.tag}`), `${config.backend.image.repository}:${config.backend.image.tag}`]);
      for (const { spec } of pods) {
        for (const c of containersOf(spec)) {
          expect(c.image).not.toMatch(FLOATING);
          expect(pinned).toContain(c.image);
          expect(c.imagePullPolicy).toBe('IfNotPresent');
        }
      }
    });

    test('every container has cpu and memory requests and limits, liveness and readiness probes', () => {
      for (const { w, spec } of pods) {
        for (const c of spec.containers) {
          const id = `${w.kind}/${w.metadata.name}/${c.name}`;
          expect({ id, requests: Object.keys(c.resources?.requests ?? {}).sort() }).toEqual({ id, requests: ['cpu', 'memory'] });
          expect({ id, limits: Object.keys(c.resources?.limits ?? {}).sort() }).toEqual({ id, limits: ['cpu', 'memory'] });
          expect({ id, liveness: !!c.livenessProbe, readiness: !!c.readinessProbe }).toEqual({ id, liveness: true, readiness: true });
        }
      }
    });

    test('outside the agents namespace every pod meets Pod Security restricted, non-root, read-only root', () => {
      for (const { w, spec } of pods.filter((p) => p.w.metadata.namespace !== agentsNs)) {
        const id = `${w.kind}/${w.metadata.name}`;
        expect({ id, hostNetwork: spec.hostNetwork, hostPID: spec.hostPID, hostPath: (spec.volumes ?? []).some((v: any) => v.hostPath) }).toEqual({ id, hostNetwork: undefined, hostPID: undefined, hostPath: false });
        expect({ id, pod: spec.securityContext }).toMatchObject({ id, pod: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } });
        expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
        for (const c of containersOf(spec)) {
          expect({ id, c: c.name, sc: c.securityContext }).toMatchObject({
            id,
            c: c.name,
            sc: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
          });
          expect(c.securityContext.capabilities.add).toBeUndefined();
        }
      }
    });

    test('host agents are confined to their own namespace, and never privileged or escalating', () => {
      for (const { w, spec } of pods.filter((p) => p.w.metadata.namespace === agentsNs)) {
        for (const c of containersOf(spec)) {
          expect({ w: w.metadata.name, privileged: c.securityContext?.privileged ?? false, escalation: c.securityContext?.allowPrivilegeEscalation }).toEqual({
            w: w.metadata.name,
            privileged: false,
            escalation: false,
          });
          expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
          expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
        }
        for (const v of spec.volumes ?? []) if (v.hostPath) expect(v.name).toBeTruthy();
      }
    });

    test('every workload has its own ServiceAccount, which exists in its namespace', () => {
      const names = pods.map(({ w, spec }) => `${w.metadata.namespace}/${spec.serviceAccountName}`);
      expect(new Set(names).size).toBe(names.length);
      for (const { w, spec } of pods) {
        expect(spec.serviceAccountName).toBeDefined();
        expect(spec.serviceAccountName).not.toBe('default');
        expect(all.some((m) => m.kind === 'ServiceAccount' && m.metadata.name === spec.serviceAccountName && m.metadata.namespace === w.metadata.namespace)).toBe(true);
      }
    });

    test('only workloads bound to a Role or ClusterRole mount an API token', () => {
      const bound = new Set(
        all
          .filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding')
          .flatMap((b) => b.subjects ?? [])
          .map((s: any) => `${s.namespace}/${s.name}`),
      );
      for (const { w, spec } of pods) {
        if (spec.automountServiceAccountToken !== false) expect(bound).toContain(`${w.metadata.namespace}/${spec.serviceAccountName}`);
      }
    });

    test('every workload is selected by a NetworkPolicy of its namespace with both policy types', () => {
      const policies = all.filter((m) => m.kind === 'NetworkPolicy');
      for (const { w, labels } of pods) {
        const selecting = policies.filter(
          (p) =>
            p.metadata.namespace === w.metadata.namespace &&
            Object.entries(p.spec.podSelector.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
            Object.keys(p.spec.podSelector.matchLabels ?? {}).length > 0,
        );
        expect({ workload: w.metadata.name, policies: selecting.length > 0 }).toEqual({ workload: w.metadata.name, policies: true });
        for (const p of selecting) expect(p.spec.policyTypes.sort()).toEqual(['Egress', 'Ingress']);
      }
    });

    test('configuration volumes are mounted as directories, never with subPath (updates must reach the pod)', () => {
      for (const { spec } of pods) {
        const cmVolumes = new Set((spec.volumes ?? []).filter((v: any) => v.configMap || v.secret || v.projected).map((v: any) => v.name));
        for (const c of containersOf(spec)) for (const m of c.volumeMounts ?? []) if (cmVolumes.has(m.name)) expect(m.subPath).toBeUndefined();
      }
    });

    test('every Service selects the pods of some workload in its namespace', () => {
      for (const svc of all.filter((m) => m.kind === 'Service' && m.spec.selector)) {
        const match = pods.some(
          ({ w, labels }) => w.metadata.namespace === svc.metadata.namespace && Object.entries(svc.spec.selector).every(([k, v]) => labels[k] === v),
        );
        expect({ service: svc.metadata.name, match }).toEqual({ service: svc.metadata.name, match: true });
      }
    });
  });
}
