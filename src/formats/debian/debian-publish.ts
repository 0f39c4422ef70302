import type { NewFile, PackageWriter } from '../../core/packages/package-writer.js';
import type { PackageRow } from '../../core/packages/packages.js';

// One write for all the files of a .changes: .debs named after their binary package and the
// source files named after the source package may share a version (a binary named as its source),
// which is then created once with all of its files.

/** A checked file to publish into a version, new or existing. */
export interface PublishItem {
  name: string;
  version: string;
  /** The version's description when it is created (a .deb's summary; none for source files). */
  description: string;
  existing: PackageRow | undefined;
  file: NewFile;
}

/** Creates each new version with its files, or adds them to the existing one, in the writer's transaction. */
export async function publishItems(writer: PackageWriter, items: PublishItem[]): Promise<void> {
  const groups = new Map<string, PublishItem[]>();
  for (const item of items) {
    const key = `${item.name} ${item.version}`;
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  for (const group of groups.values()) {
    const [first] = group;
    if (first.existing) {
      for (const item of group) await writer.addFile(first.existing, item.file);
      continue;
    }
    const description = group.find((item) => item.description !== '')?.description ?? '';
    await writer.createVersion({ format: 'debian', name: first.name, normalizedName: first.name, version: first.version, metadata: { description }, files: group.map((item) => item.file) });
  }
}
