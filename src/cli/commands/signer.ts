/** `kpki signer`: sign approved CertificateSigningRequests of kpki's signer names. */
import type { Command } from 'commander';
import type { Deliver } from '../command-result.js';
import { parseSignerOptions } from '../options/signer.js';
import { outputOption } from '../output.js';
import { addCommonOptions } from './common.js';
import { layoutAction } from './run-layout.js';

/** Registers `signer`. */
export function registerSigner(program: Command, deliver: Deliver): void {
  const signer = program
    .command('signer')
    .description(
      "sign approved CertificateSigningRequests whose signerName is kpki.io/<CA name> with the tree's CA, by the catalogue's rules (kubeadm)",
    );
  addCommonOptions(signer);
  signer
    .option('--kubeconfig <file>', "the signer's kubeconfig (needs list/watch CSRs, update status)")
    .option('--server <url>', "API server URL instead of the kubeconfig's")
    .option('--once', 'one pass over the CSRs, print what was done, exit')
    .option('--interval <duration>', 'time between passes when running', '5s')
    .option('--no-leader-elect', 'running: sign without electing a leader among replicas')
    .option('--lease-namespace <ns>', 'namespace of the leader Lease', 'kpki-system')
    .option('--lease-name <name>', 'name of the leader Lease', 'kpki-signer')
    .option('--lease-duration <duration>', 'how long a leader holds the Lease unrenewed', '15s')
    .option('--identity <id>', 'this replica in the Lease (default: host name and a random suffix)')
    .addOption(outputOption(['text', 'json']));
  layoutAction(signer, 'signer', parseSignerOptions, false, deliver);
}
