/**
 * Alert rules of this component. Scaffold: issue #4 fills it; the signature is the contract the
 * collectors rely on.
 */
import { ComponentProps } from '../lib/component';
import { RuleGroup } from '../lib/monitoring';

export function alertRules(_props: ComponentProps): RuleGroup[] {
  return [];
}
