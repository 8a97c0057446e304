/**
 * Recording rules (heavy dashboard queries precomputed) of this component. Scaffold: issue #5 fills it; the signature is the contract the
 * collectors rely on.
 */
import { ComponentProps } from '../lib/component';
import { RuleGroup } from '../lib/monitoring';

export function recordingRules(_props: ComponentProps): RuleGroup[] {
  return [];
}
