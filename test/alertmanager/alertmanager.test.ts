import * as YAML from 'yaml';
import { ALERTMANAGER_PATHS, CLUSTER_PORT } from '../../charts/alertmanager/alertmanager';
import { GROUP_BY, INHIBIT_EQUAL, RECEIVERS, TEMPLATE_FILE } from '../../charts/alertmanager/routing';
import { StackConfig } from '../../charts/config';
import { WATCHDOG } from '../../charts/lib/alert-rules';
import { find, issuesOf, synthStack, testConfig } from '../util';

function chartOf(config: StackConfig) {
  const manifests = synthStack(config).charts.alertmanager;
  const cm = find(manifests, 'ConfigMap', 'alertmanager-config');
  return { manifests, cm, am: YAML.parse(cm.data['alertmanager.yml']), sts: find(manifests, 'StatefulSet', 'alertmanager') };
}

/** Every receiver name a route (at any depth) refers to. */
function routeReceivers(route: any): string[] {
  return [route.receiver, ...(route.routes ?? []).flatMap(routeReceivers)].filter(Boolean);
}

/** Every `*_file` value anywhere in the config. */
function secretPaths(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(secretPaths);
  if (node && typeof node === 'object') {
    return Object.entries(node).flatMap(([k, v]) => (k.endsWith('_file') && typeof v === 'string' ? [v] : secretPaths(v)));
  }
  return [];
}

describe('alertmanager chart', () => {
  const production = chartOf(testConfig());
  const pod = production.sts.spec.template.spec;
  const main = pod.containers[0];

  test('matches the snapshot', () => {
    expect(production.manifests).toMatchSnapshot();
  });

  test('three replicas of the pinned image gossiping as one cluster: peers by stable pod DNS names, the pod IP advertised', () => {
    expect(production.sts.metadata.namespace).toBe('monitoring');
    expect(production.sts.spec.replicas).toBe(3);
    expect(production.sts.spec.podManagementPolicy).toBe('Parallel');
    expect(production.sts.spec.serviceName).toBe('alertmanager-headless');
    expect(main.image).toBe('quay.io/prometheus/alertmanager:v0.34.0');
    expect(main.args).toEqual(
      expect.arrayContaining([
        `--cluster.listen-address=0.0.0.0:${CLUSTER_PORT}`,
        `--cluster.advertise-address=$(POD_IP):${CLUSTER_PORT}`,
        '--cluster.peer=alertmanager-0.alertmanager-headless.monitoring.svc:9094',
        '--cluster.peer=alertmanager-1.alertmanager-headless.monitoring.svc:9094',
        '--cluster.peer=alertmanager-2.alertmanager-headless.monitoring.svc:9094',
        '--cluster.peer-timeout=15s',
        '--cluster.label=monitoring/alertmanager',
      ]),
    );
    expect(main.args.filter((a: string) => a.startsWith('--cluster.peer=')).length).toBe(3);
    expect(main.env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }]);
    expect(main.ports).toEqual([
      { name: 'http', containerPort: 9093, protocol: 'TCP' },
      { name: 'mesh-tcp', containerPort: 9094, protocol: 'TCP' },
      { name: 'mesh-udp', containerPort: 9094, protocol: 'UDP' },
    ]);
    expect(main.args).toContain(`--config.file=${ALERTMANAGER_PATHS.configFile}`);
    expect(main.args).toContain(`--storage.path=${ALERTMANAGER_PATHS.storage}`);
    const five = chartOf(testConfig({ alertmanager: { replicas: 5 } })).sts;
    expect(five.spec.template.spec.containers[0].args.filter((a: string) => a.startsWith('--cluster.peer=')).length).toBe(5);
  });

  test('the headless Service publishes not-ready pods (a cluster can form before readiness), with the gossip ports', () => {
    const headless = find(production.manifests, 'Service', 'alertmanager-headless');
    expect(headless.spec.clusterIP).toBe('None');
    expect(headless.spec.publishNotReadyAddresses).toBe(true);
    expect(headless.spec.ports).toEqual([
      { name: 'http', port: 9093, targetPort: 'http', protocol: 'TCP' },
      { name: 'mesh-tcp', port: 9094, targetPort: 'mesh-tcp', protocol: 'TCP' },
      { name: 'mesh-udp', port: 9094, targetPort: 'mesh-udp', protocol: 'UDP' },
    ]);
  });

  test('soft anti-affinity by default (any one replica still notifies), hard by config; a PDB; the alerting PriorityClass', () => {
    expect(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: production.sts.spec.selector.matchLabels },
    });
    const hard = chartOf(testConfig({ alertmanager: { antiAffinity: 'hard' } })).sts.spec.template.spec.affinity;
    expect(hard.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(find(production.manifests, 'PodDisruptionBudget', 'alertmanager').spec).toEqual({ maxUnavailable: 1, selector: { matchLabels: production.sts.spec.selector.matchLabels } });
    expect(pod.priorityClassName).toBe('love-parser-alerting');
  });

  test('one claim per replica (a volumeClaimTemplate): silences and the notification log survive restarts', () => {
    expect(production.sts.spec.volumeClaimTemplates.map((c: any) => c.metadata.name)).toEqual(['data']);
  });

  test('silences and the notification log live on a claim from the configured size, labelled with selector labels only', () => {
    const [claim] = production.sts.spec.volumeClaimTemplates;
    expect(claim.spec.resources.requests.storage).toBe('2Gi');
    expect(claim.metadata.labels).toEqual(production.sts.spec.selector.matchLabels);
    expect(main.volumeMounts).toContainEqual({ name: claim.metadata.name, mountPath: ALERTMANAGER_PATHS.storage });
    const custom = chartOf(testConfig({ alertmanager: { storage: { size: '5Gi', storageClass: 'fast' } } })).sts.spec.volumeClaimTemplates[0].spec;
    expect(custom).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '5Gi' } } });
  });

  test('probes on /-/ready and /-/healthy; runs as nobody with fsGroup so the 0400 secret files are readable', () => {
    expect(main.readinessProbe.httpGet).toMatchObject({ path: '/-/ready', port: 'http' });
    expect(main.livenessProbe.httpGet).toMatchObject({ path: '/-/healthy', port: 'http' });
    expect(pod.securityContext).toMatchObject({ runAsUser: 65534, runAsNonRoot: true, fsGroup: 65534 });
    expect(pod.serviceAccountName).toBe('alertmanager');
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(production.manifests, 'ServiceAccount', 'alertmanager').automountServiceAccountToken).toBe(false);
  });

  test('the pod template carries a checksum of the configuration, so a config change rolls the pod', () => {
    const sum = production.sts.spec.template.metadata.annotations['checksum/config'];
    expect(sum).toMatch(/^[0-9a-f]{64}$/);
    const other = chartOf(testConfig({ alertmanager: { repeatInterval: '12h' } })).sts.spec.template.metadata.annotations['checksum/config'];
    expect(other).not.toBe(sum);
    expect(chartOf(testConfig()).sts.spec.template.metadata.annotations['checksum/config']).toBe(sum);
  });

  test('configuration mounted as a directory; templates resolved beside alertmanager.yml', () => {
    expect(main.volumeMounts).toContainEqual({ name: 'config', mountPath: ALERTMANAGER_PATHS.configDir, readOnly: true });
    expect(pod.volumes).toContainEqual({ name: 'config', configMap: { name: 'alertmanager-config' } });
    expect(production.am.templates).toEqual([TEMPLATE_FILE]);
    expect(Object.keys(production.cm.data).sort()).toEqual(['alertmanager.yml', TEMPLATE_FILE]);
  });

  test('every secret is a file of the receivers Secret, mounted read-only with exactly the keys the config reads', () => {
    const paths = secretPaths(production.am);
    expect(paths.length).toBe(6); // slack, smtp, pagerduty, sms url, sms token, heartbeat url
    const vol = pod.volumes.find((v: any) => v.name === 'secrets');
    expect(vol.secret.secretName).toBe('alertmanager-receivers');
    expect(vol.secret.defaultMode).toBe(0o400);
    expect(main.volumeMounts).toContainEqual({ name: 'secrets', mountPath: ALERTMANAGER_PATHS.secretsDir, readOnly: true });
    const mounted = vol.secret.items.map((i: any) => `${ALERTMANAGER_PATHS.secretsDir}/${i.path}`).sort();
    expect([...paths].sort()).toEqual(mounted);
    expect(vol.secret.items.map((i: any) => i.key).sort()).toEqual(['heartbeat-url', 'pagerduty-routing-key', 'slack-webhook-url', 'sms-webhook-token', 'sms-webhook-url', 'smtp-password']);
  });

  test('nothing secret in the ConfigMap: no inline URL, password, key or token field', () => {
    const text = production.cm.data['alertmanager.yml'];
    for (const field of ['api_url:', 'auth_password:', 'auth_secret:', 'routing_key:', 'service_key:', 'credentials:', ' url:', 'password:']) {
      expect({ field, present: text.includes(field) }).toEqual({ field, present: false });
    }
    expect(text).not.toMatch(/hooks\.slack\.com|https?:\/\/(?!alertmanager)/);
  });

  test('warnings go to Slack, critical to email and PagerDuty, notify_sms also to SMS without stealing the alert', () => {
    const { route } = production.am;
    expect(route.group_by).toEqual(['alertname', 'service', 'cluster']);
    expect(route.receiver).toBe(RECEIVERS.slack);
    const byReceiver = Object.fromEntries(route.routes.map((r: any) => [r.receiver, r]));
    expect(byReceiver[RECEIVERS.slack].matchers).toEqual(['severity="warning"']);
    expect(byReceiver[RECEIVERS.email]).toEqual({ receiver: RECEIVERS.email, matchers: ['severity="critical"'], continue: true });
    expect(byReceiver[RECEIVERS.pagerduty]).toEqual({ receiver: RECEIVERS.pagerduty, matchers: ['severity="critical"'] });
    expect(byReceiver[RECEIVERS.sms]).toEqual({ receiver: RECEIVERS.sms, matchers: ['notify_sms="true"'], continue: true });
    // The Watchdog is matched first and stops there, so no severity route ever sees it; production
    // sends it to the heartbeat service.
    expect(route.routes[0]).toMatchObject({ receiver: RECEIVERS.heartbeat, matchers: [`alertname="${WATCHDOG}"`] });
    expect(route.routes[0].continue).toBeUndefined();
  });

  test('the channel, SMTP with TLS required, and the SMS token as a bearer credentials file', () => {
    const receiver = (name: string) => production.am.receivers.find((r: any) => r.name === name);
    expect(receiver(RECEIVERS.slack).slack_configs[0]).toMatchObject({ channel: '#ops-love-parser', api_url_file: `${ALERTMANAGER_PATHS.secretsDir}/slack-webhook-url`, send_resolved: true });
    expect(receiver(RECEIVERS.email).email_configs[0]).toMatchObject({
      to: 'oncall@love-parser.example',
      smarthost: 'smtp.love-parser.example:587',
      require_tls: true,
      auth_password_file: `${ALERTMANAGER_PATHS.secretsDir}/smtp-password`,
    });
    expect(receiver(RECEIVERS.pagerduty).pagerduty_configs[0].routing_key_file).toBe(`${ALERTMANAGER_PATHS.secretsDir}/pagerduty-routing-key`);
    expect(receiver(RECEIVERS.sms).webhook_configs[0]).toMatchObject({
      url_file: `${ALERTMANAGER_PATHS.secretsDir}/sms-webhook-url`,
      http_config: { authorization: { type: 'Bearer', credentials_file: `${ALERTMANAGER_PATHS.secretsDir}/sms-webhook-token` } },
    });
  });

  test('a critical alert inhibits its warning twin on the same alert name, service, cluster and target', () => {
    expect(production.am.inhibit_rules).toEqual([{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: INHIBIT_EQUAL }]);
    expect(INHIBIT_EQUAL).toEqual(expect.arrayContaining(['alertname', 'service', 'cluster', 'instance']));
    // A per-route warning must be covered by the service-wide critical HighErrorRate.
    expect(INHIBIT_EQUAL).not.toContain('route');
    expect(GROUP_BY.every((l) => INHIBIT_EQUAL.includes(l))).toBe(true);
  });

  test('staging leaves disabled receivers out and no route names them', () => {
    const staging = chartOf(testConfig({}, 'staging'));
    expect(staging.am.receivers.map((r: any) => r.name).sort()).toEqual([RECEIVERS.none, RECEIVERS.slack]);
    expect(new Set(routeReceivers(staging.am.route))).toEqual(new Set([RECEIVERS.slack, RECEIVERS.none]));
    expect(staging.am.route.routes.some((r: any) => r.matchers.includes('severity="critical"'))).toBe(false);
    const items = staging.sts.spec.template.spec.volumes.find((v: any) => v.name === 'secrets').secret.items.map((i: any) => i.key);
    expect(items).toEqual(['slack-webhook-url']);
  });

  // Every combination of receivers config accepts (slack or email must be on).
  const combos = [true, false].flatMap((slack) =>
    [true, false].flatMap((email) =>
      [true, false].flatMap((sms) => [true, false].flatMap((opsgenie) => [true, false].flatMap((pagerduty) => [true, false].map((heartbeat) => ({ slack, email, sms, opsgenie, pagerduty, heartbeat }))))),
    ),
  ).filter((c) => c.slack || c.email);
  const named = combos.map((c) => [Object.entries(c).map(([k, v]) => `${k} ${v ? 'on' : 'off'}`).join(', '), c] as const);
  test.each(named)('routes only name receivers that exist: %s', (_name, on) => {
    const { am, sts } = chartOf(
      testConfig({
        alertmanager: {
          slack: { enabled: on.slack },
          email: { enabled: on.email },
          sms: { enabled: on.sms },
          opsgenie: { enabled: on.opsgenie },
          pagerduty: { enabled: on.pagerduty },
          // Where people are paged, an environment without the heartbeat must say why.
          heartbeat: { enabled: on.heartbeat, ...(!on.heartbeat && (on.email || on.sms || on.opsgenie || on.pagerduty) ? { disabledReason: 'tested without the heartbeat on purpose' } : {}) },
        },
      }),
    );
    const names = am.receivers.map((r: any) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const r of routeReceivers(am.route)) expect(names).toContain(r);
    expect(names.includes(RECEIVERS.slack)).toBe(on.slack);
    expect(names.includes(RECEIVERS.email)).toBe(on.email);
    expect(names.includes(RECEIVERS.sms)).toBe(on.sms);
    expect(names.includes(RECEIVERS.opsgenie)).toBe(on.opsgenie);
    expect(names.includes(RECEIVERS.pagerduty)).toBe(on.pagerduty);
    expect(am.route.routes[0].receiver).toBe(on.heartbeat ? RECEIVERS.heartbeat : RECEIVERS.none);
    // Critical alerts always reach someone: a critical route, or the default receiver.
    const critical = am.route.routes.filter((r: any) => r.matchers.includes('severity="critical"')).map((r: any) => r.receiver);
    expect(critical.length > 0 || [RECEIVERS.slack, RECEIVERS.email].includes(am.route.receiver)).toBe(true);
    // Only the last route of a chain to the same alerts may stop it.
    if (critical.length > 1) expect(am.route.routes.filter((r: any) => r.matchers.includes('severity="critical"')).slice(0, -1).every((r: any) => r.continue)).toBe(true);
    // The secret mount holds exactly the files the config reads.
    const items = sts.spec.template.spec.volumes.find((v: any) => v.name === 'secrets').secret.items.map((i: any) => `${ALERTMANAGER_PATHS.secretsDir}/${i.path}`);
    expect(items.sort()).toEqual(secretPaths(am).sort());
  });

  test('the heartbeat posts the Watchdog at its interval, never resolved', () => {
    const { am } = chartOf(testConfig({ alertmanager: { heartbeat: { enabled: true, interval: '2m' } } }));
    // repeat_interval a tenth below the tick: equal, Alertmanager skips every other tick (a heartbeat every 4m).
    expect(am.route.routes[0]).toMatchObject({ receiver: RECEIVERS.heartbeat, group_wait: '0s', group_interval: '2m', repeat_interval: '108s' });
    expect(am.receivers.find((r: any) => r.name === RECEIVERS.heartbeat).webhook_configs).toEqual([{ url_file: `${ALERTMANAGER_PATHS.secretsDir}/heartbeat-url`, send_resolved: false }]);
  });

  test('network policy: in from Prometheus and Grafana on 9093, gossip (TCP and UDP 9094) with the other Alertmanagers only; out to DNS, HTTPS and the SMTP port', () => {
    const np = find(production.manifests, 'NetworkPolicy', 'alertmanager');
    const rule = (port: number) => np.spec.ingress.find((i: any) => i.ports.some((p: any) => p.port === port));
    expect(rule(9093).from.map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/name']).sort()).toEqual(['grafana', 'prometheus']);
    expect(rule(9093).ports).toEqual([{ port: 9093, protocol: 'TCP' }]);
    const amPods = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: production.sts.spec.selector.matchLabels } }];
    const gossipPorts = [{ port: 9094, protocol: 'TCP' }, { port: 9094, protocol: 'UDP' }];
    expect(np.spec.ingress).toContainEqual({ from: amPods, ports: gossipPorts });
    expect(np.spec.ingress).toHaveLength(2);
    expect(np.spec.egress).toContainEqual({ to: amPods, ports: gossipPorts });
    const ports = np.spec.egress.flatMap((e: any) => e.ports.map((p: any) => `${p.port}/${p.protocol}`));
    expect(ports.sort()).toEqual(['443/TCP', '53/TCP', '53/UDP', '587/TCP', '9094/TCP', '9094/UDP']);
    const staging = find(chartOf(testConfig({}, 'staging')).manifests, 'NetworkPolicy', 'alertmanager');
    expect(staging.spec.egress.flatMap((e: any) => e.ports.map((p: any) => p.port))).not.toContain(587);
    const smtps = find(chartOf(testConfig({ alertmanager: { email: { smarthost: 'smtp.example.org:465' } } })).manifests, 'NetworkPolicy', 'alertmanager');
    expect(smtps.spec.egress.flatMap((e: any) => e.ports.map((p: any) => p.port))).toContain(465);
  });

  test("the receivers' egress follows their configured ports and address ranges", () => {
    const receiversRule = (overrides: Record<string, unknown>) =>
      find(chartOf(testConfig({ alertmanager: overrides })).manifests, 'NetworkPolicy', 'alertmanager').spec.egress.find((e: any) => e.ports.some((p: any) => p.port !== 53 && p.port !== 9094));
    const portsOf = (rule: any) => rule.ports.map((p: any) => p.port);
    // An SMS adapter inside the company network on 8080, the heartbeat on 8443: each gets its port.
    expect(portsOf(receiversRule({ sms: { port: 8080 }, heartbeat: { port: 8443 } }))).toEqual([443, 587, 8080, 8443]);
    // Anywhere by default (no `to`), or only the ranges given (an egress proxy).
    expect(receiversRule({}).to).toBeUndefined();
    expect(receiversRule({ receiverCidrs: ['203.0.113.0/24', '198.51.100.7/32'] }).to).toEqual([{ ipBlock: { cidr: '203.0.113.0/24' } }, { ipBlock: { cidr: '198.51.100.7/32' } }]);
    // Only the receivers that are on: email off, no SMTP port.
    expect(portsOf(receiversRule({ email: { enabled: false } }))).toEqual([443]);
    // OpsGenie alone of the HTTPS receivers: 443, or the port its apiUrl names.
    const httpsOff = { slack: { enabled: false }, pagerduty: { enabled: false }, sms: { enabled: false }, heartbeat: { enabled: false, disabledReason: 'tested without the heartbeat on purpose' } };
    expect(portsOf(receiversRule(httpsOff))).toEqual([587]);
    expect(portsOf(receiversRule({ ...httpsOff, opsgenie: { enabled: true } }))).toEqual([443, 587]);
    expect(portsOf(receiversRule({ ...httpsOff, opsgenie: { enabled: true, apiUrl: 'https://opsgenie-proxy.example.org:8443/' } }))).toEqual([587, 8443]);
  });

  test('a receiver port or address range that cannot work is refused', () => {
    expect(issuesOf({ alertmanager: { sms: { port: 70000 }, receiverCidrs: ['999.1.1.1/8'] } }).map((i) => i.path).sort()).toEqual(['alertmanager.receiverCidrs[0]', 'alertmanager.sms.port']);
  });

  test('Prometheus scrapes it and sends alerts to each of its pods, found by the SRV records of the headless Service', () => {
    const { stack, charts } = synthStack();
    expect(stack.alertmanager.scrapeJobs.map((j) => j.job_name)).toEqual(['alertmanager']);
    const prom = YAML.parse(find(charts.prometheus, 'ConfigMap', 'prometheus-config').data['prometheus.yml']);
    expect(prom.scrape_configs.filter((j: any) => j.job_name === 'alertmanager')).toHaveLength(1);
    const [am] = prom.alerting.alertmanagers;
    expect(am.dns_sd_configs).toEqual([{ names: ['_http._tcp.alertmanager-headless.monitoring.svc'], type: 'SRV' }]);
    expect(prom.rule_files.length).toBeGreaterThan(0);
  });
});

describe('notifications say what to do', () => {
  const { am, cm } = chartOf(testConfig());
  const receiver = (name: string) => am.receivers.find((r: any) => r.name === name);
  const tmpl = cm.data[TEMPLATE_FILE] as string;
  /** The body of a `{{ define "<name>" }}` block of the template file. */
  const defined = (name: string) => {
    const m = new RegExp(`\\{\\{ define "${name}" -?\\}\\}([\\s\\S]*?)\\{\\{-? end \\}\\}\\n\\n|\\{\\{ define "${name}" -?\\}\\}([\\s\\S]*)$`).exec(tmpl);
    if (!m) throw new Error(`no template ${name}`);
    return m[1] ?? m[2];
  };

  test('Slack and email show each alert\'s remediation above its runbook link', () => {
    expect(receiver(RECEIVERS.slack).slack_configs[0].text).toBe('{{ template "love.text" . }}');
    expect(receiver(RECEIVERS.email).email_configs[0].html).toBe('{{ template "love.email.html" . }}');
    for (const name of ['love.text', 'love.email.html']) {
      const body = defined(name);
      expect(body).toContain('.Annotations.remediation');
      expect(body.indexOf('.Annotations.remediation')).toBeLessThan(body.indexOf('.Annotations.runbook_url'));
    }
  });

  test('PagerDuty adds the remediation to its details (Alertmanager keeps its default details beside it)', () => {
    expect(receiver(RECEIVERS.pagerduty).pagerduty_configs[0].details).toEqual({ remediation: '{{ .CommonAnnotations.remediation }}' });
  });

  test('alerts of one notification share their remediation: grouping is by alert name', () => {
    expect(GROUP_BY).toContain('alertname');
  });
});

describe('OpsGenie, natively; email to a list', () => {
  const production = chartOf(testConfig());
  const { am, sts } = chartOf(testConfig({ alertmanager: { opsgenie: { enabled: true, apiUrl: 'https://api.eu.opsgenie.com/' } } }));
  const og = am.receivers.find((r: any) => r.name === RECEIVERS.opsgenie);

  test('off by default; on, the native receiver reads its API key from a file of the receivers Secret', () => {
    expect(production.am.receivers.map((r: any) => r.name)).not.toContain(RECEIVERS.opsgenie);
    expect(og.opsgenie_configs[0]).toMatchObject({
      api_key_file: `${ALERTMANAGER_PATHS.secretsDir}/opsgenie-api-key`,
      api_url: 'https://api.eu.opsgenie.com/',
      message: '{{ template "love.title" . }}',
      send_resolved: true,
      details: { remediation: '{{ .CommonAnnotations.remediation }}' },
    });
    expect(og.opsgenie_configs[0].api_key).toBeUndefined();
    const items = sts.spec.template.spec.volumes.find((v: any) => v.name === 'secrets').secret.items.map((i: any) => i.key);
    expect(items).toContain('opsgenie-api-key');
  });

  test('it gets the alerts that must wake someone, without taking them from email, PagerDuty or Slack', () => {
    const routes = am.route.routes;
    const og = routes.find((r: any) => r.receiver === RECEIVERS.opsgenie);
    expect(og).toEqual({ receiver: RECEIVERS.opsgenie, matchers: ['notify_sms="true"'], continue: true });
    expect(routes.indexOf(og)).toBeLessThan(routes.findIndex((r: any) => r.receiver === RECEIVERS.email));
  });

  test('a region URL that is not https is refused', () => {
    expect(() => testConfig({ alertmanager: { opsgenie: { enabled: true, apiUrl: 'http://api.opsgenie.com/' } } })).toThrow("alertmanager.opsgenie.apiUrl: expected an https URL such as 'https://api.eu.opsgenie.com/'");
  });

  test('email goes to one address or a list, written as Alertmanager reads it (comma-separated)', () => {
    const list = chartOf(testConfig({ alertmanager: { email: { to: ['oncall@love-parser.example', 'leads@love-parser.example'] } } })).am;
    expect(list.receivers.find((r: any) => r.name === RECEIVERS.email).email_configs[0].to).toBe('oncall@love-parser.example, leads@love-parser.example');
    expect(production.am.receivers.find((r: any) => r.name === RECEIVERS.email).email_configs[0].to).toBe('oncall@love-parser.example');
    expect(() => testConfig({ alertmanager: { email: { to: ['oncall@love-parser.example', 'not an address'] } } })).toThrow('alertmanager.email.to[1]: expected an email address');
    expect(() => testConfig({ alertmanager: { email: { to: [] } } })).toThrow('alertmanager.email.to: expected a list of');
  });
});
