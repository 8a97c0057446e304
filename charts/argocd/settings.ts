/** The Argo CD Application's slice of the configuration (`argocd:` in config/<environment>.yaml). */
import { Infer, dnsLabel, obj, required, str, withDefault } from '../lib/schema';

export const argocdSettings = obj({
  /** Git URL of this repository. */
  repoURL: required(str({ pattern: /^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, expects: "a git URL such as 'https://github.com/org/repo.git'" })),
  /** @default 'main' */
  targetRevision: withDefault(str({ pattern: /^[A-Za-z0-9._/-]+$/, expects: "a branch, tag or commit such as 'main'" }), 'main'),
  /** @default 'dist' */
  path: withDefault(str({ pattern: /^[A-Za-z0-9._/-]+$/, expects: "a path in the repository such as 'dist'" }), 'dist'),
  /** Namespace Argo CD runs in. @default 'argocd' */
  namespace: withDefault(dnsLabel(), 'argocd'),
  /** @default 'default' */
  project: withDefault(dnsLabel(), 'default'),
});
export type ArgocdSettings = Infer<typeof argocdSettings>;
