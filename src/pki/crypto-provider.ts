/**
 * One place that prepares @peculiar/x509: its tsyringe container needs the Reflect polyfill loaded
 * first, and it signs through WebCrypto, which Node 20 provides as `crypto.webcrypto`.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export { x509, webcrypto };
