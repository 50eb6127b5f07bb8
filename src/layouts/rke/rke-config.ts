/**
 * cluster.yml → the `rkeConfig` object RKE stores in `cluster.rkestate` (Go's JSON field names are
 * the camelCase of the YAML keys). Keys of free-form maps (extra_args, labels, …) are user data
 * and keep their spelling.
 */
import { parseYamlValue } from '../safe-parse.js';

/** Maps whose keys are user data, not struct fields. */
const FREE_FORM = new Set([
  'extra_args',
  'extra_args_array',
  'win_extra_args',
  'win_extra_args_array',
  'labels',
  'annotations',
  'node_selector',
  'options',
  'extra_env_map',
]);

/** The camelCase name Go's RKE types use for a YAML key (`kube-api` → `kubeApi`, `ssh_key_path` → `sshKeyPath`). */
export function camelKey(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_match: string, char: string) => char.toUpperCase());
}

/**
 * Converts a cluster.yml text to the state's `rkeConfig` shape, read as RKE's go-yaml does (merge
 * keys applied, see safe-parse.ts). Empty strings, nulls, empty lists and empty maps are left out,
 * as RKE's `omitempty` tags do.
 * @throws InvalidInputError `BAD_CLUSTER_YML` naming `source` when the YAML does not parse.
 */
export function toRkeConfig(text: string, source = 'cluster.yml'): Record<string, unknown> {
  const converted = convert(parseYamlValue(text, source, 'BAD_CLUSTER_YML'), false);
  return typeof converted === 'object' && converted !== null && !Array.isArray(converted)
    ? (converted as Record<string, unknown>)
    : {};
}

function convert(value: unknown, freeForm: boolean): unknown {
  if (Array.isArray(value))
    return value.map((item) => convert(item, false)).filter((item) => item !== undefined);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const next = convert(child, FREE_FORM.has(key));
      if (next !== undefined) out[freeForm ? key : camelKey(key)] = next;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  if (value === null || value === '' || value === false || value === 0) return undefined;
  return value;
}
