/**
 * The common part every component chart receives (kube-prometheus style): the validated config and
 * the computed endpoints. Component-specific links (another component's object) are added per props.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { StackConfig } from '../config';
import { StackEndpoints } from './endpoints';

export interface ComponentProps {
  readonly config: StackConfig;
  readonly endpoints: StackEndpoints;
}

/**
 * A chart whose objects live in `namespace` (stamped by cdk8s on every object without its own).
 * Charts that must exist first are declared as dependencies, which orders the files of dist/.
 */
export class ComponentChart extends Chart {
  constructor(scope: Construct, id: string, namespace: string, dependsOn: readonly Chart[] = []) {
    super(scope, id, { namespace, disableResourceNameHashes: true });
    for (const d of dependsOn) this.addDependency(d);
  }
}
