import { App, Chart, Testing } from 'cdk8s';
import { StatefulSet, claimTemplate } from '../../charts/lib/storage';
import { allowOnly } from '../../charts/lib/network';

describe('claim templates are written the way the API server stores them', () => {
  const chart = new Chart(new App(), 'test');
  new StatefulSet(chart, 'sts', {
    metadata: { name: 'x' },
    spec: {
      serviceName: 'x',
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } },
      volumeClaimTemplates: [claimTemplate('data', { a: 'b' }, { size: '5Gi', storageClass: 'fast' })],
    },
  });
  const [sts] = Testing.synth(chart);

  test('with apiVersion, kind, volumeMode and status, which the L1 mapping would otherwise drop', () => {
    expect(sts.spec.volumeClaimTemplates).toEqual([
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'data', labels: { a: 'b' } },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '5Gi' } }, volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      },
    ]);
  });
});

describe('network policies', () => {
  test('an empty rule list is left out (the server drops [] and every apply would be a change)', () => {
    const chart = new Chart(new App(), 'np');
    allowOnly(chart, 'p', { name: 'p', podLabels: { a: 'b' }, ingress: [], egress: [], dns: false });
    const [np] = Testing.synth(chart);
    expect(np.spec).toEqual({ podSelector: { matchLabels: { a: 'b' } }, policyTypes: ['Ingress', 'Egress'] });
  });
});
