import type { HostMount } from '../../snapshot/model.js';

/** Where any user can write: files dropped here must not be executable (M1038 executable blocking). */
const USER_WRITABLE_PATHS = ['/tmp', '/var/tmp', '/dev/shm', '/home'];

interface MountLine {
  device: string;
  mountPoint: string;
  fstype: string;
  options: string[];
}

/** The kernel escapes space, tab, newline and backslash in mount fields as octal (`\040`). */
function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_whole, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** Parses /proc/self/mounts or /etc/fstab (same six fields; fstab has comments). */
export function parseMountTable(text: string): MountLine[] {
  const lines: MountLine[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const [device, mountPoint, fstype, options] = line.split(/\s+/);
    if (!device || !mountPoint || !fstype) continue;
    lines.push({
      device: unescapeMountField(device),
      mountPoint: unescapeMountField(mountPoint).replace(/(.)\/+$/, '$1'),
      fstype,
      options: (options ?? 'defaults').split(','),
    });
  }
  return lines;
}

function within(path: string, mountPoint: string): boolean {
  return mountPoint === '/' || path === mountPoint || path.startsWith(`${mountPoint}/`);
}

/**
 * For each user-writable path, the mount that holds it: the deepest mount point above it, and for equal mount
 * points the last one mounted (it hides the earlier ones). A path no mount covers is left out.
 */
export function userWritableMounts(table: MountLine[], origin: 'mounted' | 'fstab'): HostMount[] {
  const mounts: HostMount[] = [];
  for (const path of USER_WRITABLE_PATHS) {
    let best: MountLine | undefined;
    for (const line of table) {
      if (line.fstype === 'swap' || !line.mountPoint.startsWith('/') || !within(path, line.mountPoint)) continue;
      if (!best || line.mountPoint.length >= best.mountPoint.length) best = line;
    }
    if (best)
      mounts.push({
        path,
        mountPoint: best.mountPoint,
        device: best.device,
        fstype: best.fstype,
        options: best.options,
        origin,
      });
  }
  return mounts;
}
