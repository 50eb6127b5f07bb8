/** kpki library API. */
export * from './errors.js';
