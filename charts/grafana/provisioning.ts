/**
 * Dashboards as files Grafana provisions: one provider per folder, each reading one directory that
 * is a projected volume of that folder's ConfigMaps.
 *
 * Why ConfigMaps are packed to a budget: a ConfigMap holds at most 1 MiB, and `kubectl apply`
 * (client-side, the README's command) also copies the whole object into its
 * `last-applied-configuration` annotation, and annotations are capped at 256 KiB. A folder whose
 * dashboards outgrow the budget spills into a second ConfigMap, projected into the same directory,
 * so file paths (and the home dashboard path) never change.
 */
import { ConfigIssue } from '../lib/schema';
import { Dashboard } from '../lib/monitoring';
import { UID_PATTERN } from './validate';

/** Serialized size (the last-applied annotation's JSON) a dashboard ConfigMap's data may reach. */
export const CONFIGMAP_BUDGET_BYTES = 200 * 1024;

/** The annotation limit the budget keeps under, with room for the object's metadata. */
export const ANNOTATIONS_LIMIT_BYTES = 256 * 1024;

/** Where each folder's directory is mounted in the pod. */
export const DASHBOARDS_ROOT = '/etc/grafana/dashboards';

/** How often Grafana rescans the dashboard directories (a changed ConfigMap reaches the pod within a minute or two). */
export const RESCAN_SECONDS = 30;

export interface FolderFiles {
  readonly folder: string;
  /** Folder uid and directory name. */
  readonly slug: string;
  readonly path: string;
  /** ConfigMaps of the folder, each a map of file name to dashboard JSON. */
  readonly configMaps: readonly { readonly name: string; readonly data: Readonly<Record<string, string>> }[];
}

/** `Love Parser` -> `love-parser`: the folder's uid, directory and ConfigMap name part. */
export function folderSlug(folder: string): string {
  const slug = folder
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30);
  if (!UID_PATTERN.test(slug)) throw new Error(`folder '${folder}' gives no usable uid; name it with letters or digits`);
  return slug;
}

/** File name of a dashboard in its folder's directory. */
export function dashboardFile(d: Dashboard): string {
  return `${d.model.uid}.json`;
}

/** The dashboard JSON as written to the file (indented, so a change reads as a small diff in dist/). */
export function dashboardJson(d: Dashboard): string {
  return `${JSON.stringify(d.model, null, 2)}\n`;
}

/** Bytes a ConfigMap's data takes in the last-applied annotation (JSON-escaped). */
export function appliedBytes(data: Readonly<Record<string, string>>): number {
  return Buffer.byteLength(JSON.stringify(data), 'utf8');
}

/**
 * Packs each folder's dashboards (in uid order, so the packing is stable) into as few ConfigMaps as
 * the budget allows. Returns an issue for a single dashboard larger than the budget.
 */
export function packFolders(dashboards: readonly Dashboard[], configMapPrefix: string, budget = CONFIGMAP_BUDGET_BYTES): { folders: FolderFiles[]; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const byFolder = new Map<string, Dashboard[]>();
  for (const d of dashboards) byFolder.set(d.folder, [...(byFolder.get(d.folder) ?? []), d]);
  const folders: FolderFiles[] = [];
  const slugs = new Map<string, string>();
  for (const [folder, list] of [...byFolder].sort(([a], [b]) => a.localeCompare(b))) {
    const slug = folderSlug(folder);
    const clash = slugs.get(slug);
    if (clash !== undefined) {
      issues.push({ path: `folder '${folder}'`, message: `has the same uid '${slug}' as folder '${clash}'`, fix: 'rename one of the folders' });
      continue;
    }
    slugs.set(slug, folder);
    const chunks: Record<string, string>[] = [];
    for (const d of [...list].sort((a, b) => a.model.uid.localeCompare(b.model.uid))) {
      const file = dashboardFile(d);
      const json = dashboardJson(d);
      const alone = appliedBytes({ [file]: json });
      if (alone > budget) {
        issues.push({
          path: `dashboard '${d.model.uid}' (folder '${folder}')`,
          message: `is ${Math.ceil(alone / 1024)} KiB as applied, above the ${budget / 1024} KiB a dashboard ConfigMap may hold (a ConfigMap is applied whole into a ${ANNOTATIONS_LIMIT_BYTES / 1024} KiB annotation)`,
          fix: 'split it into smaller dashboards (a row per dashboard), or drop repeated panels',
        });
        continue;
      }
      const last = chunks[chunks.length - 1];
      if (last && appliedBytes({ ...last, [file]: json }) <= budget) last[file] = json;
      else chunks.push({ [file]: json });
    }
    folders.push({
      folder,
      slug,
      path: `${DASHBOARDS_ROOT}/${slug}`,
      configMaps: chunks.map((data, i) => ({ name: `${configMapPrefix}-${slug}-${i + 1}`, data })),
    });
  }
  return { folders, issues };
}

/** The dashboard provisioning file: one provider per folder, read-only in the UI. */
export function providersFile(folders: readonly FolderFiles[]): Record<string, unknown> {
  return {
    apiVersion: 1,
    providers: folders.map((f) => ({
      name: f.slug,
      orgId: 1,
      folder: f.folder,
      folderUid: f.slug,
      type: 'file',
      // Code is the source of truth: a dashboard removed from code disappears from Grafana...
      disableDeletion: false,
      // ...and one changed in the UI cannot be saved over its file (use "Save as" or export it).
      allowUiUpdates: false,
      updateIntervalSeconds: RESCAN_SECONDS,
      options: { path: f.path, foldersFromFilesStructure: false },
    })),
  };
}
