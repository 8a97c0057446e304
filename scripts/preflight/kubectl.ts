/**
 * The ClusterReader of `npm run preflight`: kubectl, read-only (`kubectl get … -o json` and
 * `kubectl version -o json`), against the current context or `--context`, with the kubeconfig
 * kubectl itself would use (KUBECONFIG or ~/.kube/config).
 *
 * Secrets: only the names of `.data`'s keys leave this file; the values are dropped where the JSON
 * is parsed and never printed, not even in an error.
 */
import { execFileSync } from 'node:child_process';
import { ClusterReader, CrdInfo, NamespaceInfo, PodInfo, ReadError, ServerVersion, StorageClassInfo } from './checks';

export interface KubectlOptions {
  /** The kubectl binary. @default 'kubectl' (from PATH) */
  readonly kubectl?: string;
  /** A kubeconfig context; @default the current context */
  readonly context?: string;
  /** Per request. @default '30s' */
  readonly requestTimeout?: string;
}

/** Pod lists of large clusters are big; kubectl pages through them itself. */
const MAX_OUTPUT = 1024 * 1024 * 1024;

export function kubectlReader(opts: KubectlOptions = {}): ClusterReader & { context(): string | undefined } {
  const bin = opts.kubectl ?? 'kubectl';
  const global = [...(opts.context ? ['--context', opts.context] : []), `--request-timeout=${opts.requestTimeout ?? '30s'}`];

  /** kubectl's stdout; its stderr (first lines) as a ReadError when it fails. */
  const run = (args: string[]): string => {
    try {
      return execFileSync(bin, [...global, ...args], { encoding: 'utf8', maxBuffer: MAX_OUTPUT, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e: any) {
      if (e.code === 'ENOENT') throw new ReadError(`kubectl not found ('${bin}'): install it or set KUBECTL`);
      const said = String(e.stderr ?? e.message).trim().split('\n').slice(0, 3).join(' / ');
      throw new ReadError(said || `kubectl ${args.join(' ')} exited ${e.status}`);
    }
  };
  /** One object, or undefined when it does not exist. */
  const getOne = (args: string[]): any => {
    const out = run(['get', ...args, '--ignore-not-found', '-o', 'json']).trim();
    return out === '' ? undefined : JSON.parse(out);
  };
  const list = (args: string[]): any[] => JSON.parse(run(['get', ...args, '-o', 'json'])).items ?? [];

  return {
    context(): string | undefined {
      if (opts.context) return opts.context;
      try {
        return execFileSync(bin, ['config', 'current-context'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
      } catch {
        return undefined;
      }
    },
    serverVersion(): ServerVersion {
      const v = JSON.parse(run(['version', '-o', 'json'])).serverVersion;
      if (!v) throw new ReadError('kubectl version reported no server version');
      return { gitVersion: v.gitVersion ?? '', major: v.major ?? '', minor: v.minor ?? '' };
    },
    namespace(name: string): NamespaceInfo | undefined {
      const ns = getOne(['namespace', name]);
      return ns && { phase: ns.status?.phase ?? 'Active' };
    },
    secretKeys(namespace: string, name: string): readonly string[] | undefined {
      const s = getOne(['-n', namespace, 'secret', name]);
      return s && Object.keys(s.data ?? {});
    },
    storageClasses(): readonly StorageClassInfo[] {
      return list(['storageclasses.storage.k8s.io']).map((c) => ({ name: c.metadata.name, annotations: c.metadata.annotations ?? {} }));
    },
    pods(): readonly PodInfo[] {
      // Finished pods hold no port; the server filters them out.
      return list(['pods', '--all-namespaces', '--field-selector=status.phase!=Succeeded,status.phase!=Failed']).map((p) => ({
        namespace: p.metadata.namespace,
        name: p.metadata.name,
        nodeName: p.spec?.nodeName,
        phase: p.status?.phase,
        hostNetwork: p.spec?.hostNetwork === true,
        labels: p.metadata.labels ?? {},
        ports: (p.spec?.containers ?? []).flatMap((c: any) => c.ports ?? []),
      }));
    },
    crd(name: string): CrdInfo | undefined {
      const c = getOne(['customresourcedefinitions.apiextensions.k8s.io', name]);
      return (
        c && {
          group: c.spec.group,
          kind: c.spec.names.kind,
          servedVersions: (c.spec.versions ?? []).filter((v: any) => v.served).map((v: any) => v.name),
          established: (c.status?.conditions ?? []).some((x: any) => x.type === 'Established' && x.status === 'True'),
        }
      );
    },
  };
}
