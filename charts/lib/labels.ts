/**
 * Recommended Kubernetes labels (app.kubernetes.io/*), the same on every object of a component.
 * Selectors use only name + instance: the other labels change with versions and must not break
 * a Deployment's immutable selector.
 */
export const PART_OF = 'love-parser-monitoring';

export interface ComponentIdentity {
  /** app.kubernetes.io/name, e.g. `prometheus`. */
  readonly name: string;
  /** app.kubernetes.io/component, e.g. `metrics`, `alerting`, `api`. */
  readonly component: string;
  /** app.kubernetes.io/version: the image tag. */
  readonly version: string;
  /** app.kubernetes.io/part-of; the stack's unless given (the backend is part of love-parser). */
  readonly partOf?: string;
}

export function selectorLabels(id: Pick<ComponentIdentity, 'name'>): Record<string, string> {
  return { 'app.kubernetes.io/name': id.name, 'app.kubernetes.io/instance': id.name };
}

export function componentLabels(id: ComponentIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    'app.kubernetes.io/component': id.component,
    'app.kubernetes.io/part-of': id.partOf ?? PART_OF,
    'app.kubernetes.io/version': id.version.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63),
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}
