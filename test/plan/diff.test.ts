/** The pure part of `npm run plan`: the field-level diff, quantities, and the plan of each fixture. */
import { Manifest, Plan, diffValues, lineCounts, parseQuantity, plan, renderPath } from '../../scripts/plan/diff';
import { renderPlan, renderSummary, shellLine } from '../../scripts/plan/render';
import { caseNames, loadCase } from './cases';

const OPTS = { manifests: 'dist/' };

function planOf(name: string): Plan {
  const c = loadCase(name);
  return plan(c.before, c.after, OPTS);
}

/** The commands of a plan's refusals, as typed. */
function commands(p: Plan): string[] {
  return p.refusals.flatMap((r) => r.steps.flatMap((s) => ('command' in s ? [shellLine(s.command)] : [])));
}

describe('diffValues', () => {
  test('equal values give no change', () => {
    expect(diffValues({ a: [1, { b: 'x' }] }, { a: [1, { b: 'x' }] })).toEqual([]);
  });

  test('leaves that differ, keys added and removed, each with its path', () => {
    const changes = diffValues({ spec: { replicas: 1, gone: true } }, { spec: { replicas: 2, added: 'y' } });
    expect(changes.map((c) => [renderPath(c.path), c.before, c.after])).toEqual([
      ['spec.added', undefined, 'y'],
      ['spec.gone', true, undefined],
      ['spec.replicas', 1, 2],
    ]);
  });

  test('lists of named items match by name, so an insertion changes one path, not every later item', () => {
    const before = { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] };
    const after = { containers: [{ name: 'new', image: '9' }, { name: 'a', image: '1' }, { name: 'b', image: '2' }] };
    expect(diffValues(before, after).map((c) => renderPath(c.path))).toEqual(['containers[name=b].image', 'containers[name=new]']);
  });

  test('other lists compare by index', () => {
    expect(diffValues({ args: ['--a', '--b'] }, { args: ['--a', '--c', '--d'] }).map((c) => renderPath(c.path))).toEqual(['args[1]', 'args[2]']);
  });

  test('keys that are not identifiers are quoted', () => {
    expect(renderPath(['data', 'prometheus.yml'])).toBe('data["prometheus.yml"]');
    expect(renderPath(['metadata', 'annotations', 'checksum/config'])).toBe('metadata.annotations["checksum/config"]');
  });
});

test('a multi-line string says how many lines came and went', () => {
  expect(lineCounts({ path: ['data', 'a.yml'], before: 'a\nb\nc\n', after: 'a\nc\nd\ne\n' })).toBe(' (+2 -1 lines)');
  expect(lineCounts({ path: ['data', 'level'], before: 'warn', after: 'info' })).toBe('');
});

describe('parseQuantity', () => {
  test.each([
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['500M', 5e8],
    ['100m', 0.1],
    ['1e3', 1000],
    ['2Ti', 2 * 2 ** 40],
  ])('%s', (q, v) => expect(parseQuantity(q)).toBe(v));

  test('a 2Gi claim is larger than 2000Mi and smaller than 3G', () => {
    expect(parseQuantity('2Gi')!).toBeGreaterThan(parseQuantity('2000Mi')!);
    expect(parseQuantity('2Gi')!).toBeLessThan(parseQuantity('3G')!);
  });

  test('what is not a quantity', () => {
    expect(parseQuantity('ten')).toBeUndefined();
    expect(parseQuantity('1GB')).toBeUndefined();
  });
});

describe('each change the API server refuses in place is flagged with its steps', () => {
  // case -> the one object flagged and its fields
  const expected: Record<string, [string, string[]]> = {
    'statefulset-claim-template': ['StatefulSet plan-check/claims', ['spec.volumeClaimTemplates']],
    'statefulset-selector': ['StatefulSet plan-check/selector', ['spec.selector']],
    'statefulset-service-name': ['StatefulSet plan-check/servicename', ['spec.serviceName']],
    'statefulset-revision-history': ['StatefulSet plan-check/history', ['spec.revisionHistoryLimit']],
    'deployment-selector': ['Deployment plan-check/web', ['spec.selector']],
    'daemonset-selector': ['DaemonSet plan-check/agent', ['spec.selector']],
    'claim-shrink': ['PersistentVolumeClaim plan-check/grafana-data', ['spec.resources.requests.storage']],
    'configmap-immutable': ['ConfigMap plan-check/rules', ['data']],
    'secret-immutable': ['Secret plan-check/token', ['data']],
    'service-cluster-ip': ['Service plan-check/api', ['spec.clusterIP']],
    'service-headless': ['Service plan-check/peers', ['spec.clusterIP']],
    'rolebinding-role-ref': ['RoleBinding plan-check/reader', ['roleRef']],
    'priorityclass-value': ['PriorityClass plan-check-critical', ['value']],
  };

  test('every fixture directory is covered here (and in-place, which flags nothing)', () => {
    expect(caseNames()).toEqual([...Object.keys(expected), 'in-place'].sort());
  });

  test.each(Object.entries(expected))('%s', (name, [object, fields]) => {
    const p = planOf(name);
    expect(p.refusals.map((r) => [`${r.ref.kind} ${r.ref.namespace ? `${r.ref.namespace}/` : ''}${r.ref.name}`, r.fields])).toEqual([[object, fields]]);
    expect(p.changed.map((c) => c.ref.name)).toContain(p.refusals[0].ref.name);
    expect(p.added).toEqual([]);
    expect(p.removed).toEqual([]);
    // Every procedure ends by applying the manifests again.
    expect(commands(p).at(-1)).toBe('kubectl apply -f dist/');
  });

  test('a StatefulSet with the same selector is deleted with --cascade=orphan: its pods keep running', () => {
    for (const name of ['statefulset-claim-template', 'statefulset-service-name', 'statefulset-revision-history']) {
      const sts = planOf(name).refusals[0].ref.name;
      expect(commands(planOf(name))).toEqual([`kubectl delete statefulset ${sts} -n plan-check --cascade=orphan`, 'kubectl apply -f dist/']);
    }
  });

  test('a StatefulSet whose selector changes is deleted with its pods, with a downtime note', () => {
    const p = planOf('statefulset-selector');
    expect(commands(p)).toEqual(['kubectl delete statefulset selector -n plan-check', 'kubectl apply -f dist/']);
    expect(JSON.stringify(p.refusals[0].steps)).toMatch(/downtime/);
  });

  test('a claim template that grows says the existing claims stay as they are', () => {
    const notes = planOf('statefulset-claim-template').refusals[0].steps.flatMap((s) => ('note' in s ? [s.note] : []));
    expect(notes.join('\n')).toMatch(/existing claims \(<template>-claims-<ordinal>\) keep their old spec/);
    expect(notes.join('\n')).toMatch(/to grow the existing 'data' claims/);
  });

  test('only the revision history limit: 1.28 refuses it, 1.37 accepts it, and the plan says so', () => {
    expect(planOf('statefulset-revision-history').refusals[0].why).toMatch(/^Kubernetes 1\.28 refuses .*; newer releases such as 1\.37 accept a change of spec\.revisionHistoryLimit in place$/);
    expect(planOf('statefulset-service-name').refusals[0].why).toMatch(/; spec\.serviceName is refused by 1\.37 as well \("field is immutable"\)$/);
    expect(planOf('statefulset-service-name').refusals[0].why).not.toMatch(/accept/);
  });

  test('Deployment and DaemonSet selectors: delete and apply, with a downtime note', () => {
    expect(commands(planOf('deployment-selector'))).toEqual(['kubectl delete deployment web -n plan-check', 'kubectl apply -f dist/']);
    expect(commands(planOf('daemonset-selector'))).toEqual(['kubectl delete daemonset agent -n plan-check', 'kubectl apply -f dist/']);
    expect(JSON.stringify(planOf('deployment-selector').refusals[0].steps)).toMatch(/downtime/);
  });

  test('a shrinking claim: cannot shrink; copy the data out, delete, apply, copy back', () => {
    const r = planOf('claim-shrink').refusals[0];
    expect(r.why).toMatch(/cannot shrink/);
    expect(commands(planOf('claim-shrink'))).toEqual(['kubectl delete persistentvolumeclaim grafana-data -n plan-check', 'kubectl apply -f dist/']);
    expect(r.steps[0]).toEqual({ note: expect.stringMatching(/^copy the data out first/) });
  });

  test('a growing claim applies, with a caution and no refusal', () => {
    const c = loadCase('claim-shrink');
    const p = plan(c.after, c.before, OPTS);
    expect(p.refusals).toEqual([]);
    expect(p.cautions.map((x) => [x.ref.name, x.fields])).toEqual([['grafana-data', ['spec.resources.requests.storage']]]);
  });

  test('any other change of a claim spec is refused', () => {
    const c = loadCase('claim-shrink');
    const after = [{ ...c.before[0], spec: { ...(c.before[0].spec as object), storageClassName: 'fast' } }] as Manifest[];
    expect(plan(c.before, after, OPTS).refusals.map((r) => r.fields)).toEqual([['spec.storageClassName']]);
  });

  test('an immutable ConfigMap or Secret: a new name, or delete and apply', () => {
    expect(commands(planOf('configmap-immutable'))).toEqual(['kubectl delete configmap rules -n plan-check', 'kubectl apply -f dist/']);
    expect(commands(planOf('secret-immutable'))).toEqual(['kubectl delete secret token -n plan-check', 'kubectl apply -f dist/']);
    expect(JSON.stringify(planOf('configmap-immutable').refusals[0].steps)).toMatch(/new name/);
  });

  test('an immutable ConfigMap that stops being immutable is refused too', () => {
    const c = loadCase('configmap-immutable');
    const after = [{ ...c.before[0], immutable: false }] as Manifest[];
    expect(plan(c.before, after, OPTS).refusals.map((r) => r.fields)).toEqual([['immutable']]);
  });

  test('a Service clusterIP: refused when set, ignored when dropped; delete and apply either way', () => {
    expect(planOf('service-cluster-ip').refusals[0].why).toMatch(/may not change once set/);
    expect(planOf('service-headless').refusals[0].why).toMatch(/keeps the old value, so apply reports "configured" and nothing changes/);
    expect(commands(planOf('service-headless'))).toEqual(['kubectl delete service peers -n plan-check', 'kubectl apply -f dist/']);
  });

  test('a cluster-scoped object is deleted without a namespace', () => {
    expect(commands(planOf('priorityclass-value'))).toEqual(['kubectl delete priorityclass plan-check-critical', 'kubectl apply -f dist/']);
  });
});

describe('what kubectl apply does by itself', () => {
  const p = planOf('in-place');

  test('nothing is flagged', () => {
    expect(p.refusals).toEqual([]);
    expect(p.cautions).toEqual([]);
  });

  test('added, changed with their paths, removed and unchanged', () => {
    expect(p.added.map((r) => `${r.kind}/${r.name}`)).toEqual(['ConfigMap/extra']);
    expect(p.removed.map((r) => `${r.kind}/${r.name}`)).toEqual(['ConfigMap/legacy']);
    expect(Object.fromEntries(p.changed.map((c) => [`${c.ref.kind}/${c.ref.name}`, c.paths]))).toEqual({
      'Deployment/backend': ['spec.template.spec.containers[name=main].image'],
      'StatefulSet/prometheus': ['spec.replicas', 'spec.template.spec.containers[name=main].image'],
      'ConfigMap/frozen': ['immutable (added)'],
      'ConfigMap/settings': ['data.level'],
    });
    expect(p.unchanged).toBe(1);
  });

  test('the text: sections, paths, the removal command, and the summary', () => {
    const text = renderPlan('fixture', p);
    expect(text).toContain('  added (1)\n    + ConfigMap plan-check/extra (v1)');
    expect(text).toContain('    ~ StatefulSet plan-check/prometheus (apps/v1)\n        spec.replicas\n        spec.template.spec.containers[name=main].image');
    expect(text).toContain('    - ConfigMap plan-check/legacy (v1): kubectl delete configmap legacy -n plan-check');
    expect(text).not.toContain('needs more than kubectl apply');
    expect(renderSummary([p])).toBe('plan: 1 added, 4 changed, 1 removed; kubectl apply does it all');
  });

  test('a refusal is rendered with why and numbered commands', () => {
    const text = renderPlan('fixture', planOf('statefulset-claim-template'));
    expect(text).toContain('  needs more than kubectl apply (1)\n    StatefulSet plan-check/claims: spec.volumeClaimTemplates\n      why: ');
    expect(text).toContain('      1. kubectl delete statefulset claims -n plan-check --cascade=orphan\n      2. kubectl apply -f dist/');
    expect(renderSummary([p, planOf('statefulset-claim-template')])).toMatch(/1 need more than kubectl apply \(exit 3\)$/);
  });
});

test('an object written twice is an error, not a silent choice', () => {
  const c = loadCase('configmap-immutable');
  expect(() => plan([...c.before, ...c.before], c.after, OPTS)).toThrow('ConfigMap plan-check/rules (v1) is written twice');
});
