/** The Argo CD Application's slice of the configuration (`argocd:` in config/<environment>.yaml). */
import { Infer, dnsLabel, obj, optional, refine, required, show, str, withDefault } from '../lib/schema';

export const argocdSettings = obj({
  /** Git URL of this repository. */
  repoURL: required(str({ pattern: /^(https:\/\/|ssh:\/\/|git@)[^\s]+$/, expects: "a git URL such as 'https://github.com/org/repo.git'" })),
  /** Branch, tag or commit the Application syncs. @default 'main' */
  targetRevision: withDefault(str({ pattern: /^[A-Za-z0-9._/-]+$/, expects: "a branch, tag or commit such as 'main'" }), 'main'),
  /**
   * Directory of this environment's manifests in the repository: `dist` for production,
   * `dist-<environment>` for the others (or `<folder>/dist...` when the repository holds more).
   * Two environments never sync the same path. @default 'dist'
   */
  path: withDefault(str({ pattern: /^[A-Za-z0-9._/-]+$/, expects: "a path in the repository such as 'dist'" }), 'dist'),
  /** Namespace Argo CD runs in. @default 'argocd' */
  namespace: withDefault(dnsLabel(), 'argocd'),
  /**
   * The AppProject synthesized with the Application, which limits it to this repository, the
   * stack's namespaces and the kinds dist/ holds. Argo CD's `default` project allows everything and
   * is Argo CD's own object, so it is refused. @default 'love-parser-<environment>'
   */
  project: optional(
    refine(dnsLabel(), (v, path) =>
      v === 'default'
        ? [{ path, message: `is ${show(v)}, Argo CD's own project, which allows any repository, namespace and kind`, fix: "leave it out (the stack gets its own project, 'love-parser-<environment>')" }]
        : [],
    ),
  ),
});
export type ArgocdSettings = Infer<typeof argocdSettings>;
