/**
 * The RKE2/K3s files derived from others: the service-account keys, the CA copies K3s rewrites
 * on every start, the component kubeconfigs (file references) and the user kubeconfig.
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, type PrivateKey } from '../../pki/keys.js';
import { buildFileKubeconfig, buildKubeconfig, readKubeconfig } from '../../layouts/kubeconfig.js';
import { fileNameOf } from '../../layouts/catalogue.js';
import type { Rke2Catalogue } from '../../layouts/rke2/catalogue.js';
import { readKeys, type Rke2Authority } from './issue.js';
import type { PlanItem } from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Derived {
  readonly items: PlanItem[];
  readonly writes: FileWrite[];
}

/**
 * `service.key` (created when missing, RSA 2048), `service.current.key` (its first key) and the CA
 * copies, each written only when missing or different from what it derives from.
 * @throws ValidationError `WRONG_KEY_TYPE` when `service.key` holds a key that is not RSA.
 */
export async function derivedFiles(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  authorities: ReadonlyMap<string, Rke2Authority>,
): Promise<Derived> {
  const items: PlanItem[] = [];
  const writes: FileWrite[] = [];
  if (catalogue.role === 'server') {
    const existing = await readKeys(ctx, catalogue.serviceKeyPath);
    const notRsa = existing?.find((key) => key.keyObject.asymmetricKeyType !== 'rsa');
    if (notRsa)
      throw new ValidationError(
        'WRONG_KEY_TYPE',
        `"${catalogue.serviceKeyPath}" holds a ${notRsa.algorithm} key; service-account keys must be RSA`,
      );
    let first = existing?.[0];
    if (first)
      items.push({
        name: fileNameOf(catalogue.serviceKeyPath),
        action: 'reuse',
        reason: `${existing?.length ?? 0} key(s) exist`,
        files: [],
      });
    else {
      items.push({
        name: fileNameOf(catalogue.serviceKeyPath),
        action: 'create',
        reason: 'service-account key missing',
        files: [catalogue.serviceKeyPath],
      });
      first = await ctx.keys.generate('RSA-2048');
      writes.push({
        path: catalogue.serviceKeyPath,
        data: encoder.encode(encodePrivateKey(first)),
        mode: FileMode.key,
      });
    }
    await derive(
      ctx,
      items,
      writes,
      fileNameOf(catalogue.serviceCurrentKeyPath),
      catalogue.serviceCurrentKeyPath,
      first && encodePrivateKey(first),
      FileMode.key,
    );
  }
  for (const copy of catalogue.copies) {
    const ca = authorities.get(copy.ca);
    const content = ca && (copy.firstOnly ? ca.certificate.pem : ca.bundlePem);
    await derive(
      ctx,
      items,
      writes,
      copy.path.replace(/^.*\//, copy.path.startsWith('agent/') ? 'agent/' : ''),
      copy.path,
      content,
      copy.mode,
    );
  }
  return { items, writes };
}

async function derive(
  ctx: OpsContext,
  items: PlanItem[],
  writes: FileWrite[],
  name: string,
  path: string,
  content: string | undefined,
  mode: number,
): Promise<void> {
  const current = await ctx.tree.read(path);
  if (current !== undefined && content !== undefined && decoder.decode(current) === content) {
    items.push({ name, action: 'reuse', reason: 'up to date', files: [] });
    return;
  }
  items.push({
    name,
    action: 'create',
    reason: current === undefined ? 'missing' : 'rewritten from its source, as every start does',
    files: [path],
  });
  if (content !== undefined) writes.push({ path, data: encoder.encode(content), mode });
}

/** Component kubeconfigs that are missing; existing ones must parse. */
export async function kubeconfigFiles(ctx: OpsContext, catalogue: Rke2Catalogue): Promise<Derived> {
  const items: PlanItem[] = [];
  const writes: FileWrite[] = [];
  for (const kubeconfig of catalogue.kubeconfigs) {
    const existing = await ctx.tree.read(kubeconfig.path);
    if (existing !== undefined) {
      readKubeconfig(decoder.decode(existing), kubeconfig.path);
      items.push({
        name: kubeconfig.path,
        action: 'reuse',
        reason: 'kubeconfig exists',
        files: [],
      });
      continue;
    }
    items.push({
      name: kubeconfig.path,
      action: 'create',
      reason: 'missing',
      files: [kubeconfig.path],
    });
    const text = buildFileKubeconfig({
      server: kubeconfig.server,
      caFile: kubeconfig.caFile,
      certFile: kubeconfig.certFile,
      keyFile: kubeconfig.keyFile,
    });
    writes.push({ path: kubeconfig.path, data: encoder.encode(text), mode: FileMode.kubeconfig });
  }
  return { items, writes };
}

/** The user kubeconfig, when missing and the admin certificate and key are known. */
export async function userKubeconfigFile(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  authorities: ReadonlyMap<string, Rke2Authority>,
  material: ReadonlyMap<string, { cert: string; key: PrivateKey }>,
): Promise<{ item: PlanItem; writes: FileWrite[] } | undefined> {
  const user = catalogue.userKubeconfig;
  if (!user) return undefined;
  if (await ctx.tree.exists(user.path))
    return {
      item: { name: user.path, action: 'reuse', reason: 'kubeconfig exists', files: [] },
      writes: [],
    };
  const item: PlanItem = {
    name: user.path,
    action: 'create',
    reason: 'missing',
    files: [user.path],
  };
  const admin = material.get(user.leaf);
  const ca = authorities.get(user.ca);
  if (!admin || !ca) return { item, writes: [] };
  return { item, writes: [userKubeconfigWrite(user, ca, admin)] };
}

/** The user kubeconfig as K3s writes it: everything named `default`, credentials embedded. */
export function userKubeconfigWrite(
  user: NonNullable<Rke2Catalogue['userKubeconfig']>,
  ca: Rke2Authority,
  admin: { cert: string; key: PrivateKey },
): FileWrite {
  const text = buildKubeconfig({
    clusterName: 'default',
    userName: 'default',
    contextName: 'default',
    server: user.server,
    caPem: ca.bundlePem,
    certPem: admin.cert,
    keyPem: encodePrivateKey(admin.key),
  });
  return { path: user.path, data: encoder.encode(text), mode: FileMode.kubeconfig };
}

/**
 * The write and plan line that remember the spec (spec-record.ts) when the data dir's record is
 * missing or says something else; nothing for agents or an unchanged record.
 */
export async function specRecordChange(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
): Promise<{ write: FileWrite; item: PlanItem } | undefined> {
  const record = catalogue.specRecord;
  if (record === undefined) return undefined;
  const existing = await ctx.tree.read(record.path).catch(() => undefined);
  if (existing !== undefined && new TextDecoder().decode(existing) === record.text)
    return undefined;
  return {
    write: { path: record.path, data: new TextEncoder().encode(record.text), mode: FileMode.cert },
    item: {
      name: record.path,
      action: existing === undefined ? 'create' : 'renew',
      reason:
        'kpki remembers the SANs and addresses of this spec for later commands without --config',
      files: [record.path],
    },
  };
}
