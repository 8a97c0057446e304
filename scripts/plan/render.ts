/** The text of `npm run plan`: one section per environment, then the changes apply cannot make. Pure. */
import { ObjectRef, Plan, Step, describe } from './diff';

/** Paths listed per changed object; the rest are counted. */
const MAX_PATHS = 8;

/** A command as it would be typed into a shell. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function line(r: ObjectRef): string {
  return `${describe(r)} (${r.apiVersion})`;
}

function stepLines(steps: readonly Step[]): string[] {
  let n = 0;
  return steps.map((s) => ('command' in s ? `      ${++n}. ${shellLine(s.command)}` : `      - ${s.note}`));
}

/**
 * One environment's plan. `title` says what is compared (`production: dist/ (working tree) -> fresh
 * synthesis`); `manifests` is the directory the removal commands name.
 */
export function renderPlan(title: string, p: Plan): string {
  const out: string[] = [`plan for ${title}`];
  if (p.added.length + p.changed.length + p.removed.length === 0) {
    out.push(`  no changes (${p.unchanged} objects)`);
    return out.join('\n');
  }
  if (p.added.length) {
    out.push(`  added (${p.added.length})`);
    for (const r of p.added) out.push(`    + ${line(r)}`);
  }
  if (p.changed.length) {
    out.push(`  changed (${p.changed.length})`);
    for (const c of p.changed) {
      out.push(`    ~ ${line(c.ref)}`);
      for (const path of c.paths.slice(0, MAX_PATHS)) out.push(`        ${path}`);
      if (c.paths.length > MAX_PATHS) out.push(`        ... and ${c.paths.length - MAX_PATHS} more`);
    }
  }
  if (p.removed.length) {
    // kubectl apply never deletes; Argo CD's automated prune does (except objects marked Prune=false).
    out.push(`  removed (${p.removed.length}): kubectl apply leaves these in place; Argo CD prunes them`);
    for (const r of p.removed) out.push(`    - ${line(r)}: kubectl delete ${r.kind.toLowerCase()} ${r.name}${r.namespace ? ` -n ${r.namespace}` : ''}`);
  }
  out.push(`  unchanged: ${p.unchanged} objects`);
  if (p.cautions.length) {
    out.push('', `  applies, but check first (${p.cautions.length})`);
    for (const c of p.cautions) out.push(`    ${describe(c.ref)}: ${c.fields.join(', ')}`, `      - ${c.note}`);
  }
  if (p.refusals.length) {
    out.push('', `  needs more than kubectl apply (${p.refusals.length})`);
    for (const r of p.refusals) {
      out.push(`    ${describe(r.ref)}: ${r.fields.join(', ')}`, `      why: ${r.why}`, '      steps:', ...stepLines(r.steps));
    }
  }
  return out.join('\n');
}

/** The last line: totals over every environment compared. */
export function renderSummary(plans: readonly Plan[]): string {
  const sum = (f: (p: Plan) => number) => plans.reduce((n, p) => n + f(p), 0);
  const refused = sum((p) => p.refusals.length);
  return (
    `plan: ${sum((p) => p.added.length)} added, ${sum((p) => p.changed.length)} changed, ${sum((p) => p.removed.length)} removed; ` +
    (refused ? `${refused} need more than kubectl apply (exit 3)` : 'kubectl apply does it all')
  );
}
