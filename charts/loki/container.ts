/**
 * The Loki container, the same in both modes (`loki.mode`): one binary whose `-target` says what it
 * runs (`all` for the single binary; `write`, `read` or `backend` in the simple scalable mode), the
 * HTTP port the probes and scrapes use, gRPC between components, and, where several pods form a
 * ring, memberlist.
 */
import { k8s } from 'cdk8s-plus-28';
import { LOKI_HTTP, LOKI_PORTS } from '../contracts/logs';
import { container, httpProbe } from '../lib/pod';
import { Resources } from '../lib/settings';
import { imageOf } from '../versions';
import { LOKI_PATHS } from './config';

/** uid and gid of the `loki` user of the official image; fsGroup makes the claims writable by it. */
export const LOKI_UID = 10001;

export interface LokiContainerOptions {
  /** `all`, or one target of the simple scalable mode. */
  readonly target: string;
  /** Name of the HTTP port (the Service's and the scrape job's). */
  readonly portName: string;
  readonly resources: Resources;
  /** The volume mounted at Loki's data path. */
  readonly dataVolume: string;
  /** Variables that loki.yaml reads as `${VAR}` (the object store's credentials, from a Secret). */
  readonly env?: k8s.EnvVar[];
  /** Whether the pod is a member of a memberlist ring (the simple scalable mode): its port. */
  readonly memberlist?: boolean;
}

export function lokiContainer(o: LokiContainerOptions): k8s.Container {
  return container({
    name: 'loki',
    image: imageOf('loki'),
    // -config.expand-env fills `${VAR}` in loki.yaml from the environment.
    args: [`-config.file=${LOKI_PATHS.configFile}`, `-target=${o.target}`, ...(o.env ? ['-config.expand-env=true'] : [])],
    ...(o.env ? { env: o.env } : {}),
    ports: [
      { name: o.portName, containerPort: LOKI_PORTS.http },
      { name: 'grpc', containerPort: LOKI_PORTS.grpc },
      ...(o.memberlist ? [{ name: 'memberlist', containerPort: LOKI_PORTS.memberlist }] : []),
    ],
    livenessProbe: httpProbe(LOKI_HTTP.live, o.portName),
    readinessProbe: httpProbe(LOKI_HTTP.ready, o.portName),
    resources: o.resources,
    volumeMounts: [
      { name: 'config', mountPath: LOKI_PATHS.configDir, readOnly: true },
      { name: o.dataVolume, mountPath: LOKI_PATHS.data },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  });
}
