/**
 * The files `rotate-ca` installs for RKE2/K3s, prepared at plan time: the staged CA material (with
 * its staged mtimes), every leaf of a changed CA re-issued on its existing key, the CA copies, the
 * signer key, the user kubeconfig and the start triggers, each named by a plan item.
 */
import { ValidationError } from '../../errors.js';
import { encodePrivateKey, parsePrivateKeys, type PrivateKey } from '../../pki/keys.js';
import type { Rke2Catalogue, Rke2Leaf } from '../../layouts/rke2/catalogue.js';
import { effective, isReplaced, type RotationField } from '../../layouts/rke2/rotate-ca-checks.js';
import { leafFiles, loadRke2Authority, readKeys, type Rke2Authority } from './issue.js';
import { userKubeconfigWrite } from './derived.js';
import { issueLeaf } from '../shared/issue.js';
import { RKE2_ISSUANCE } from '../../layouts/rke2/issuance-profile.js';
import { fileNameOf, requireCaWithRole } from '../../layouts/catalogue.js';
import type { PlanItem } from '../shared/plan.js';
import { FileMode, type FileWrite, type OpsContext } from '../shared/ports.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Every file the installation writes, with the plan items naming them (the staged fields' items
 * are the caller's). `mtimes` holds each replaced field's staged mtime.
 * @throws ValidationError `CA_KEY_MISSING` when a leaf's new CA cannot be loaded.
 */
export async function installFiles(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  fields: readonly RotationField[],
  changedCas: ReadonlySet<string>,
  leaves: readonly Rke2Leaf[],
  mtimes: ReadonlyMap<string, bigint>,
): Promise<{ writes: FileWrite[]; items: PlanItem[] }> {
  const now = ctx.clock.now();
  const replaced = fields.filter(isReplaced);
  const items: PlanItem[] = [];
  // On disk the files keep the record's timestamps, so RKE2 does not find them newer than the datastore.
  const writes: FileWrite[] = replaced.map((f) => ({
    path: f.path,
    data: f.staged as Uint8Array,
    mode: /\.key$/.test(f.path) ? FileMode.key : FileMode.cert,
    mtime: new Date(Number((mtimes.get(f.path) as bigint) / 1_000_000n)),
  }));
  const add = (item: Omit<PlanItem, 'files'>, files: readonly FileWrite[]): void => {
    writes.push(...files);
    items.push({ ...item, files: files.map((write) => write.path) });
  };
  const cas = await authorities(catalogue, fields, ctx.tree.root);
  const issued = new Map<string, { cert: string; key: PrivateKey }>();
  for (const leaf of leaves) {
    const made = await reissue(ctx, leaf, cas, now);
    const reason = `re-issued by the new ${leaf.ca} on its existing key`;
    add({ name: leaf.name, action: 'renew', reason }, made.files);
    issued.set(leaf.name, { cert: decoder.decode(made.files[0]?.data), key: made.key });
  }
  for (const copy of catalogue.copies) {
    const ca = changedCas.has(copy.ca) ? cas.get(copy.ca) : undefined;
    if (ca) {
      const data = encoder.encode(copy.firstOnly ? ca.certificate.pem : ca.bundlePem);
      const reason = `copy of the new ${copy.ca}`;
      add({ name: copy.path, action: 'renew', reason }, [
        { path: copy.path, data, mode: copy.mode },
      ]);
    }
  }
  const serviceKey = replaced.find((f) => f.field === 'ServiceKey');
  const [signer] = serviceKey
    ? parsePrivateKeys(decoder.decode(serviceKey.staged), serviceKey.stagedPath)
    : [];
  if (signer) {
    const data = encoder.encode(encodePrivateKey(signer));
    const path = catalogue.serviceCurrentKeyPath;
    const reason = 'the first staged service key alone (the token signer)';
    add({ name: fileNameOf(path), action: 'renew', reason }, [{ path, data, mode: FileMode.key }]);
  }
  const user = await userKubeconfig(ctx, catalogue, changedCas, cas, issued);
  if (user.length > 0)
    add(
      {
        name: user[0]?.path ?? '',
        action: 'renew',
        reason: 'the new CA data and admin certificate',
      },
      user,
    );
  const empty = new Uint8Array();
  const triggers = [catalogue.regenerateTriggerPath, catalogue.forceRestartPath];
  for (const path of triggers.filter((p): p is string => p !== undefined))
    add({ name: path, action: 'create', reason: 'trigger read at the next start' }, [
      { path, data: empty, mode: FileMode.key },
    ]);
  return { writes, items };
}

/**
 * The user kubeconfig (`<prog>.yaml`) when the server CA (its CA data) or the client CA (its admin
 * certificate) changed: the re-issued admin certificate, else the one on disk.
 */
async function userKubeconfig(
  ctx: OpsContext,
  catalogue: Rke2Catalogue,
  changedCas: ReadonlySet<string>,
  cas: ReadonlyMap<string, Rke2Authority>,
  issued: ReadonlyMap<string, { cert: string; key: PrivateKey }>,
): Promise<FileWrite[]> {
  const user = catalogue.userKubeconfig;
  const serverName = requireCaWithRole(catalogue, 'server').name;
  const clientName = requireCaWithRole(catalogue, 'client').name;
  const serverCa = cas.get(serverName);
  if (!user || !serverCa || !(changedCas.has(serverName) || changedCas.has(clientName))) return [];
  const leaf = catalogue.leaves.find((entry) => entry.name === user.leaf);
  let admin = issued.get(user.leaf);
  if (!admin && leaf) {
    const cert = await ctx.tree.read(leaf.certPath);
    const key = (await readKeys(ctx, leaf.keyPath))?.[0];
    if (cert && key) admin = { cert: decoder.decode(cert), key };
  }
  return admin ? [userKubeconfigWrite(user, serverCa, admin)] : [];
}

/**
 * The CAs in force after the rotation, loaded as every RKE2 command loads a CA, from the effective
 * (staged or current) files. A CA whose files are unusable is left out: the checks have refused
 * a changed one already, and an unchanged one signs nothing here.
 */
async function authorities(
  catalogue: Rke2Catalogue,
  fields: readonly RotationField[],
  where: string,
): Promise<Map<string, Rke2Authority>> {
  const read = (path: string): Promise<Uint8Array | undefined> => {
    const field = fields.find((f) => f.path === path);
    return Promise.resolve(field && effective(field));
  };
  const cas = new Map<string, Rke2Authority>();
  for (const entry of catalogue.cas) {
    const ca = await loadRke2Authority(read, entry, where).catch(() => undefined);
    if (ca) cas.set(entry.name, ca);
  }
  return cas;
}

/** A leaf signed by its new CA on its existing key (a new key when it has none). */
async function reissue(
  ctx: OpsContext,
  leaf: Rke2Leaf,
  cas: ReadonlyMap<string, Rke2Authority>,
  now: Date,
): Promise<{ files: FileWrite[]; key: PrivateKey }> {
  const ca = cas.get(leaf.ca);
  if (!ca)
    throw new ValidationError(
      'CA_KEY_MISSING',
      `cannot re-issue "${leaf.name}": CA "${leaf.ca}" is not available`,
    );
  const existing = (await readKeys(ctx, leaf.keyPath))?.[0];
  const key = existing ?? (await ctx.keys.generate(leaf.keyAlgorithm));
  const cert = (await issueLeaf(ctx, RKE2_ISSUANCE, leaf, ca, now, key)).certificate;
  return { files: leafFiles(leaf, cert, key, ca, existing === undefined), key };
}
