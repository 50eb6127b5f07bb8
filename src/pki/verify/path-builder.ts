/**
 * Path building by depth-first search with backtracking (RFC 4158 §2-§3): from the leaf, try
 * every certificate whose subject is the current issuer, trust anchors first, until a path to
 * an anchor passes every check. Cross-signed CAs make the candidates a graph, so a path never
 * repeats a (subject, key) pair, and the search is bounded in length, signature checks and steps.
 */
import type { KeyObject } from 'node:crypto';
import { checkCertificateProfile } from './cert-profile.js';
import type { CertRole } from './cert-profile.js';
import type { DecodedCertificate } from './decoded-certificate.js';
import { bytesEqual } from '../der-reader.js';
import { checkIssuerCapability, checkPathConstraints, checkValidity } from './path-checks.js';
import { importPublicKey, verifyCertificateSignature } from './signature.js';
import { failure, quoted } from './types.js';
import type { Failure, Purpose, ValidationPolicy } from './types.js';

/** A certificate available to the search. */
export interface CandidateNode {
  readonly cert: DecodedCertificate;
  readonly isAnchor: boolean;
}

/** What the search needs besides the graph. */
export interface SearchContext {
  readonly nodes: readonly CandidateNode[];
  readonly time: Date;
  readonly purpose: Purpose | undefined;
  readonly policy: ValidationPolicy;
  /** Why supplied certificates could not be decoded, to explain a missing issuer. */
  readonly undecodable: readonly string[];
}

/** The search outcome: a path (leaf first, anchor last) or the most telling failure. */
export type SearchResult =
  | { readonly path: readonly CandidateNode[] }
  | { readonly failure: Failure };

// RFC 5280 §4.2.1.1: when both key identifiers are present they must agree; absent ones are no
// evidence either way, so those candidates stay (kubeadm-era certificates often lack them).
function mayHaveIssued(issuer: DecodedCertificate, child: DecodedCertificate): boolean {
  if (!bytesEqual(issuer.subjectDer, child.issuerDer)) return false;
  const aki = child.authorityKeyId?.keyId;
  const ski = issuer.subjectKeyId;
  return aki === undefined || ski === undefined || bytesEqual(aki, ski);
}

class PathSearch {
  private signatureChecks = 0;
  private steps = 0;
  private best: { depth: number; failure: Failure } | undefined;
  private readonly keys = new Map<DecodedCertificate, KeyObject | string>();
  private readonly edges = new Map<string, Failure | null>();

  constructor(private readonly ctx: SearchContext) {}

  run(leaf: CandidateNode): SearchResult {
    const path = this.extend([leaf]);
    if (path !== undefined) return { path };
    if (this.exhausted()) {
      return {
        failure: failure(
          'LIMIT_EXCEEDED',
          `gave up building a path for ${quoted(leaf.cert)} after ${this.signatureChecks} signature checks`,
        ),
      };
    }
    return { failure: this.best?.failure ?? this.noIssuer(leaf.cert) };
  }

  private exhausted(): boolean {
    const limit = this.ctx.policy.maxSignatureChecks;
    return this.signatureChecks >= limit || this.steps >= limit * 20;
  }

  private noIssuer(cert: DecodedCertificate): Failure {
    const skipped = this.ctx.undecodable;
    const sameName = this.ctx.nodes.filter(
      (n) => bytesEqual(n.cert.subjectDer, cert.issuerDer) && !mayHaveIssued(n.cert, cert),
    ).length;
    const note =
      sameName > 0
        ? ` (${sameName} certificate(s) with that name have another key: authorityKeyIdentifier does not match)`
        : skipped.length > 0
          ? ` (${skipped.length} supplied certificate(s) were unusable: ${skipped[0]})`
          : '';
    return failure(
      'UNKNOWN_ISSUER',
      `no trusted issuer "${cert.issuerText}" found for ${quoted(cert)}${note}`,
    );
  }

  private record(depth: number, problem: Failure): void {
    if (this.best === undefined || depth > this.best.depth) this.best = { depth, failure: problem };
  }

  private extend(path: readonly CandidateNode[]): CandidateNode[] | undefined {
    const child = path[path.length - 1]!.cert;
    const candidates = this.ctx.nodes
      .filter((n) => mayHaveIssued(n.cert, child))
      .filter(
        (n) =>
          !path.some(
            (p) =>
              bytesEqual(p.cert.subjectDer, n.cert.subjectDer) &&
              bytesEqual(p.cert.spki, n.cert.spki),
          ),
      )
      .sort((a, b) => Number(b.isAnchor) - Number(a.isAnchor));
    if (candidates.length === 0) this.record(path.length, this.noIssuer(child));
    for (const candidate of candidates) {
      if (this.exhausted()) return undefined;
      this.steps++;
      const found = this.tryCandidate(path, candidate);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  private tryCandidate(
    path: readonly CandidateNode[],
    candidate: CandidateNode,
  ): CandidateNode[] | undefined {
    const depth = path.length + 1;
    if (depth > this.ctx.policy.maxPathLength) {
      this.record(
        depth,
        failure('LIMIT_EXCEEDED', `no path within ${this.ctx.policy.maxPathLength} certificates`),
      );
      return undefined;
    }
    const edge = this.checkEdge(path[path.length - 1]!.cert, candidate);
    if (edge !== undefined) {
      this.record(depth, edge);
      return undefined;
    }
    const next = [...path, candidate];
    if (!candidate.isAnchor) return this.extend(next);
    const problem = checkPathConstraints(
      next.map((n) => n.cert),
      this.ctx.purpose,
      this.ctx.policy,
    );
    if (problem === undefined) return next;
    this.record(depth, problem);
    return undefined;
  }

  private checkEdge(child: DecodedCertificate, issuer: CandidateNode): Failure | undefined {
    const key = `${this.ctx.nodes.findIndex((n) => n.cert === child)}>${this.ctx.nodes.indexOf(issuer)}`;
    const cached = this.edges.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const result = this.issuerProblem(issuer) ?? this.signatureProblem(child, issuer.cert);
    this.edges.set(key, result ?? null);
    return result;
  }

  private issuerProblem(node: CandidateNode): Failure | undefined {
    const { policy, time } = this.ctx;
    const role: CertRole = node.isAnchor ? 'anchor' : 'intermediate';
    const anchor = policy.anchor;
    return (
      checkCertificateProfile(node.cert, role, policy) ??
      (!node.isAnchor || anchor.validity ? checkValidity(node.cert, time) : undefined) ??
      (!node.isAnchor ? checkIssuerCapability(node.cert, true) : undefined) ??
      (node.isAnchor && anchor.constraints
        ? checkIssuerCapability(node.cert, anchor.requireBasicConstraints)
        : undefined)
    );
  }

  private signatureProblem(
    child: DecodedCertificate,
    issuer: DecodedCertificate,
  ): Failure | undefined {
    let key = this.keys.get(issuer);
    if (key === undefined) {
      key = importPublicKey(issuer.spki);
      this.keys.set(issuer, key);
    }
    if (typeof key === 'string')
      return failure('UNSUPPORTED_KEY', `${quoted(issuer)} cannot sign: ${key}`);
    this.signatureChecks++;
    const outcome = verifyCertificateSignature(child, key);
    return outcome.ok
      ? undefined
      : failure(
          'BAD_SIGNATURE',
          `${quoted(child)} is not signed by ${quoted(issuer)}: ${outcome.reason}`,
        );
  }
}

/**
 * Searches `ctx.nodes` for a valid path from `leaf` to an anchor. Pure apart from CPU; never
 * throws. The leaf's own checks are the caller's (see buildAndValidatePath).
 */
export function searchPath(leaf: CandidateNode, ctx: SearchContext): SearchResult {
  return new PathSearch(ctx).run(leaf);
}
