/**
 * The plan of every fixture case (test/plan/fixtures/), for plan-check.sh, one tab-separated line each:
 *
 *   FLAG <case> <Kind> <name>        an object the plan says apply cannot change
 *   STEP <case> <argv...>            a command of its steps, `kubectl apply -f` given the case's after.yaml
 *   CASE <case> <after.yaml>         every case, flagged or not
 */
import { plan } from '../../plan/diff';
import { caseNames, loadCase } from '../../../test/plan/cases';

for (const name of caseNames()) {
  const c = loadCase(name);
  const p = plan(c.before, c.after, { manifests: c.afterFile });
  console.log(['CASE', name, c.afterFile].join('\t'));
  for (const r of p.refusals) {
    console.log(['FLAG', name, r.ref.kind, r.ref.name].join('\t'));
    for (const s of r.steps) if ('command' in s) console.log(['STEP', name, ...s.command].join('\t'));
  }
}
