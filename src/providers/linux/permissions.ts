import { LINUX_READ_PATHS } from './collect.js';

/** What `cloudward collect linux` reads. It runs no command and writes nothing but the bundle it is asked for. */
export function linuxPermissions(): { format: 'text'; text: string } {
  return {
    format: 'text',
    text: `# cloudward linux: read-only; reads these files under --root (default /), runs no command.
# Run as root to read everything: /etc/sudoers and /etc/sudoers.d are root-only (0440), and other users'
# home folders are usually private. As another user, what cannot be read becomes a gap (linux.sudoers,
# linux.cloud-credentials, ...) and the checks that need it report unknown, never pass.
# Credential files are classified in memory: only their path, tool and kind (long-lived or short-lived) are kept.
${LINUX_READ_PATHS.map((p) => `read ${p}`).join('\n')}
`,
  };
}
