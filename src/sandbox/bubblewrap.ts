/**
 * The bwrap command line for a SandboxView. bubblewrap (0.8, Debian's `bubblewrap`) starts the
 * command in new namespaces, each of which takes something away:
 *
 * - network (`--unshare-net`, part of `--unshare-all`): only a loopback of its own, so no
 *   connection reaches this host's services, its network or the internet;
 * - PID (`--unshare-pid`): it sees its own processes only, and when bwrap dies (`--die-with-parent`
 *   ties it to the process that started it) every process inside is killed with it;
 * - mount: the root is an empty tmpfs into which only the view's paths are bound, beside /usr
 *   read-only, a private /proc and /dev, and an empty /tmp; the host's paths to hide are covered
 *   by an empty tmpfs wherever they fall inside a bound path;
 * - IPC, UTS, user (where the kernel allows) and cgroup; every capability is dropped
 *   (`--cap-drop ALL`, which matters when faxd runs as root), and `--new-session` keeps it off the
 *   terminal.
 *
 * Mounts are ordered from the shallowest path to the deepest, so that a path bound inside
 * another (a job folder inside /tmp) lands on top of it.
 */
import { lstatSync, readlinkSync } from 'node:fs'
import path from 'node:path'
import type { SandboxView } from './sandbox-view.js'

/** The top-level links into /usr of a merged-/usr system (Debian 12: /bin → usr/bin, …). */
export interface RootLink {
  readonly path: string
  /** What it points to; null when it is a real folder, bound read-only as it is. */
  readonly target: string | null
}

const ROOT_ENTRIES = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']

/** Files of /etc that programs read to start, found where they exist. */
const SYSTEM_FILES = ['/etc/alternatives', '/etc/ld.so.cache', '/etc/localtime']

/** How this host's top-level program and library folders are laid out. */
export function readRootLinks(): readonly RootLink[] {
  const links: RootLink[] = []
  for (const entry of ROOT_ENTRIES) {
    try {
      const stats = lstatSync(entry)
      links.push({ path: entry, target: stats.isSymbolicLink() ? readlinkSync(entry) : null })
    } catch {
      // Not on this host (lib32 and libx32 rarely are).
    }
  }
  return links
}

type Mount =
  | { readonly op: '--ro-bind' | '--ro-bind-try' | '--bind'; readonly path: string }
  | { readonly op: '--symlink'; readonly path: string; readonly target: string }
  | { readonly op: '--tmpfs' | '--proc' | '--dev'; readonly path: string }

export function bubblewrapArguments(
  view: SandboxView,
  hidden: readonly string[],
  rootLinks: readonly RootLink[],
): string[] {
  const bound = [...view.readOnly, ...view.writable].map((each) => path.resolve(each))
  const mounts: Mount[] = [
    { op: '--ro-bind', path: '/usr' },
    ...rootLinks.map((link): Mount =>
      link.target === null
        ? { op: '--ro-bind', path: link.path }
        : { op: '--symlink', path: link.path, target: link.target },
    ),
    { op: '--proc', path: '/proc' },
    { op: '--dev', path: '/dev' },
    { op: '--tmpfs', path: '/tmp' },
    ...SYSTEM_FILES.map((file): Mount => ({ op: '--ro-bind-try', path: file })),
    ...view.readOnly.map((each): Mount => ({ op: '--ro-bind-try', path: path.resolve(each) })),
    ...view.writable.map((each): Mount => ({ op: '--bind', path: path.resolve(each) })),
    ...hidden
      .map((each) => path.resolve(each))
      .filter((each) => ['/usr', ...bound].some((outer) => isInside(each, outer)))
      .map((each): Mount => ({ op: '--tmpfs', path: each })),
  ]
  const ordered = mounts
    .map((mount, index) => ({ mount, index }))
    .sort((a, b) => depth(a.mount.path) - depth(b.mount.path) || a.index - b.index)
    .map(({ mount }) => mount)

  const args = [
    '--unshare-all',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--hostname',
    'sandbox',
  ]
  for (const mount of ordered) {
    if (mount.op === '--symlink') {
      args.push(mount.op, mount.target, mount.path)
    } else if (mount.op === '--tmpfs' || mount.op === '--proc' || mount.op === '--dev') {
      args.push(mount.op, mount.path)
    } else {
      args.push(mount.op, mount.path, mount.path)
    }
  }
  args.push('--clearenv')
  for (const [name, value] of Object.entries(view.env)) {
    args.push('--setenv', name, value)
  }
  args.push('--chdir', view.cwd)
  return args
}

/** `inner` is `outer` or lies inside it. */
function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

function depth(file: string): number {
  return file.split('/').filter((part) => part !== '').length
}
