/**
 * NetworkPolicies follow the network settings: DNS egress (CoreDNS pods and NodeLocal DNSCache, or
 * anywhere), and the Postgres and Redis ports of managed or TLS servers.
 */
import { find, synthStack, testConfig } from '../util';

const policies = (overrides: Record<string, unknown> = {}) => synthStack(testConfig(overrides)).all.filter((m) => m.kind === 'NetworkPolicy');
const dnsRule = (np: any) => np.spec.egress?.find((e: any) => e.ports.some((p: any) => p.port === 53));
const egressPorts = (np: any) => np.spec.egress.flatMap((e: any) => e.ports.map((p: any) => p.port));

describe('DNS egress', () => {
  test('by default every policy that allows DNS allows the kube-dns pods and NodeLocal DNSCache on 169.254.20.10, UDP and TCP', () => {
    const withDns = policies().filter(dnsRule);
    expect(withDns.length).toBeGreaterThanOrEqual(7);
    for (const np of withDns) {
      expect({ name: np.metadata.name, dns: dnsRule(np) }).toEqual({
        name: np.metadata.name,
        dns: {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }, { ipBlock: { cidr: '169.254.20.10/32' } }],
          ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }],
        },
      });
    }
  });

  test("NodeLocal DNSCache in iptables mode: the kube-dns Service IP is added; other DNS pods' labels and namespace are followed", () => {
    for (const np of policies({ network: { dns: { namespace: 'dns', podLabel: 'app=coredns', cidrs: ['169.254.20.10/32', '10.96.0.10/32'] } } }).filter(dnsRule)) {
      expect(dnsRule(np).to).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } }, podSelector: { matchLabels: { app: 'coredns' } } },
        { ipBlock: { cidr: '169.254.20.10/32' } },
        { ipBlock: { cidr: '10.96.0.10/32' } },
      ]);
    }
  });

  test('on CNIs where an ipBlock cannot match a host address, DNS may go anywhere (port 53 only)', () => {
    for (const np of policies({ network: { dns: { anywhere: true } } }).filter(dnsRule)) {
      expect(dnsRule(np)).toEqual({ ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] });
    }
  });
});

describe('Postgres and Redis ports come from config', () => {
  test('defaults: 5432 and 6379 for the backend and the exporters', () => {
    const nps = policies();
    expect(egressPorts(find(nps, 'NetworkPolicy', 'backend'))).toEqual(expect.arrayContaining([5432, 6379, 443]));
    expect(egressPorts(find(nps, 'NetworkPolicy', 'postgres-exporter'))).toContain(5432);
    expect(egressPorts(find(nps, 'NetworkPolicy', 'redis-exporter'))).toContain(6379);
  });

  test('a pooler on 6432 and TLS Redis on 6380: the policies follow, the old ports are gone', () => {
    const nps = policies({ network: { postgresPort: 6432, redisPort: 6380 } });
    const backend = egressPorts(find(nps, 'NetworkPolicy', 'backend'));
    expect(backend).toEqual(expect.arrayContaining([6432, 6380, 443]));
    expect(backend).not.toContain(5432);
    expect(backend).not.toContain(6379);
    expect(egressPorts(find(nps, 'NetworkPolicy', 'postgres-exporter'))).toEqual([53, 53, 6432]);
    expect(egressPorts(find(nps, 'NetworkPolicy', 'redis-exporter'))).toEqual([53, 53, 6380]);
  });
});
