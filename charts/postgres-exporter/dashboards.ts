/**
 * Grafana dashboards of this component. Scaffold: issue #5 fills it; the signature is the contract the
 * collectors rely on.
 */
import { ComponentProps } from '../lib/component';
import { Dashboard } from '../lib/monitoring';

export function dashboards(_props: ComponentProps): Dashboard[] {
  return [];
}
